package maestral.daemon.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import maestral.daemon.Daemon;

/**
 * The training run of the command line's AOT cache: the {@code ./maestral} launcher runs it
 * once per build with {@code -XX:AOTCacheOutput}, so that later commands start with the
 * classes of a real session already loaded and linked. It starts a daemon in a temporary
 * folder, runs {@code status}, {@code doctor} and {@code stop} against it, and removes the
 * folder.
 */
public final class AotTraining {

    private AotTraining() {
    }

    /**
     * Runs the training session.
     *
     * @param args ignored
     * @throws IOException when the temporary folder cannot be made or removed
     */
    public static void main(String[] args) throws IOException {
        Path base = Files.createTempDirectory("maestral-aot-");
        for (String d : new String[] {"runtime", "config", "data", "log"}) {
            System.setProperty("maestral.dir." + d, base.resolve(d).toString());
        }
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        String config = "aot-training";
        try {
            Main.run(new String[] {"status", "-c", config}, quiet, quiet);
            Main.run(new String[] {"start", "-c", config}, quiet, quiet);
            Main.run(new String[] {"status", "-v", "-c", config}, quiet, quiet);
            Main.run(new String[] {"filestatus", "/", "-c", config}, quiet, quiet);
            Main.run(new String[] {"doctor", "-c", config}, quiet, quiet);
        } finally {
            Main.run(new String[] {"stop", "-c", config}, quiet, quiet);
            Daemon.getMaestralPid(config).ifPresent(pid ->
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            try (Stream<Path> files = Files.walk(base)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        System.exit(0);
    }
}
