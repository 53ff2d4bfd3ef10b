package maestral.transport.shm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idle daemon with an idle connected client costs next to no CPU: both run in child JVMs,
 * and their CPU time is measured over a few seconds of idleness. A poller that spins all the
 * time would use a whole core (100%); the bound is 5% of one core for each process, JVM
 * housekeeping included.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class IdleCpuTest {

    /** The bound, in percent of one core. */
    static final double MAX_PERCENT = 5.0;
    private static final Duration SETTLE = Duration.ofSeconds(6);
    private static final Duration MEASURE = Duration.ofSeconds(6);

    @TempDir
    Path runtimeDir;

    @Test
    void anIdleDaemonAndAnIdleClientUseAlmostNoCpu() throws Exception {
        String idle = System.getProperty("maestral.shm.idle", "adaptive");
        List<String> options = List.of("-Dmaestral.shm.idle=" + idle);
        try (ChildJvm daemon = ChildJvm.start(runtimeDir.resolve("logs"), options, "server",
                runtimeDir.toString(), "idle");
             ChildJvm client = startClient(daemon, options)) {
            Thread.sleep(SETTLE.toMillis()); // past start-up compilation and the in-use window of PreRoll (5 s)
            Duration daemonBefore = cpu(daemon);
            Duration clientBefore = cpu(client);
            long start = System.nanoTime();
            Thread.sleep(MEASURE.toMillis());
            double wall = (System.nanoTime() - start) / 1e9;
            double daemonPercent = 100 * (cpu(daemon).minus(daemonBefore).toNanos() / 1e9) / wall;
            double clientPercent = 100 * (cpu(client).minus(clientBefore).toNanos() / 1e9) / wall;
            String report = String.format("idle strategy %s: daemon %.2f%%, client %.2f%% of one core over %.1f s",
                    idle, daemonPercent, clientPercent, wall);
            System.out.println(report);
            assertTrue(daemonPercent < MAX_PERCENT, report);
            assertTrue(clientPercent < MAX_PERCENT, report);
            client.finish(Duration.ofSeconds(20));
            daemon.finish(Duration.ofSeconds(20));
        }
    }

    private ChildJvm startClient(ChildJvm daemon, List<String> options) throws Exception {
        daemon.awaitLine("READY", Duration.ofSeconds(30));
        ChildJvm client = ChildJvm.start(runtimeDir.resolve("logs"), options, "idle-client",
                runtimeDir.toString(), "idle");
        try {
            client.awaitLine("CONNECTED", Duration.ofSeconds(30));
            return client;
        } catch (Throwable t) {
            client.close();
            throw t;
        }
    }

    private static Duration cpu(ChildJvm child) {
        return child.process().toHandle().info().totalCpuDuration()
                .orElseThrow(() -> new AssertionError("no CPU time for pid " + child.pid()));
    }
}
