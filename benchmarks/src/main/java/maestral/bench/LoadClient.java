package maestral.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import maestral.daemon.MaestralProxy;

/**
 * A second client process: connects to the benchmark daemon over {@code maestral.transport}
 * and calls {@code status()} in a loop until its parent closes standard input, publishing
 * its running count of calls (release store) in the first word of a mapped file, which the
 * parent reads without disturbing it. Run as a child JVM by
 * {@link TwoProcessThroughputBenchmark}; argument: the counter file.
 */
public final class LoadClient {

    private LoadClient() {
    }

    /**
     * Calls until the parent closes standard input.
     *
     * @param args the counter file
     * @throws IOException when the file cannot be mapped
     */
    public static void main(String[] args) throws IOException {
        ChildJvm.exitWithParent();
        MemorySegment counter = ShmPingPongDescriptor.map(Path.of(args[0]), Arena.global());
        try (MaestralProxy proxy = Clients.connect(System.getProperty("maestral.transport"))) {
            proxy.status();
            ChildJvm.ready(proxy.transport());
            long calls = 0;
            while (true) {
                proxy.status();
                ShmPingPongDescriptor.setRelease(counter, 0, ++calls);
            }
        }
    }
}
