package maestral.daemon.cli;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import maestral.daemon.internal.ChildLauncher;
import maestral.daemon.internal.Transports;

/**
 * Prints, one per line, the JVM options that the transports on the path declare, narrowed
 * to the class path the command line runs on: the
 * {@code ./maestral} launcher writes them to an argument file once per build, so that a
 * transport plugin's needs reach the command line without a code change.
 */
public final class JvmOptions {

    private JvmOptions() {
    }

    /**
     * Prints the options.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        Set<String> options = new LinkedHashSet<>();
        Transports.all().values().forEach(p -> options.addAll(p.jvmOptions()));
        ChildLauncher.forClassPath(List.copyOf(options)).forEach(System.out::println);
    }
}
