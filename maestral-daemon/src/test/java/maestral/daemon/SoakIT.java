package maestral.daemon;

import static maestral.daemon.ProcFigures.figure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Load: three client processes of four threads each make mixed calls to one daemon for a
 * fixed time, on the transport of the failsafe execution (both run in CI). Every answer is
 * checked against its request; the daemon's resident memory, descriptors and queue bytes are
 * measured before and after. Budget: {@code maestral.soak.seconds} (default 20, CI); a full
 * profile passes minutes.
 */
@Tag("slow")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class SoakIT extends DaemonTestSupport {

    private static final int CLIENTS = 3;
    private static final int THREADS = 4;
    private static final Pattern RESULT = Pattern.compile("calls=(\\d+) errors=(\\d+) misrouted=(\\d+)");

    /**
     * Resident memory may grow this much over the run (after a full GC at both ends): the
     * heap of the serial collector keeps some of the room it grew to under load, and code
     * compiled during the run stays. A leak of one object per call would exceed it within
     * seconds (hundreds of thousands of calls). Measured on uds: +45 MiB over 10 s and +47 MiB
     * over 20 s, so a plateau (pools, heap), not growth per call.
     */
    private static final long RSS_SLACK_KIB = 96 * 1024;

    /** Queue files roll per cycle and consumed cycles are deleted: a few cycles of slack. */
    private static final long QUEUE_SLACK_BYTES = 16L << 20;

    @Test
    void threeClientsOfFourThreadsMakeMixedCallsAndEveryAnswerIsTheirOwn() throws Exception {
        double seconds = Double.parseDouble(System.getProperty("maestral.soak.seconds", "20"));
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        long daemon = Daemon.getMaestralPid(config).orElseThrow();
        Path queues = Path.of(System.getProperty("maestral.dir.runtime")).resolve("shm-" + config);

        // Warm-up with the same load, so that start figures are past JIT, heap and buffer-pool growth.
        runClients(Math.min(5, seconds), new ArrayList<>());
        Thread.sleep(500);
        ProcFigures.fullGc(daemon);
        long rss0 = ProcFigures.rssKib(daemon);
        long fds0 = ProcFigures.openFds(daemon);
        long q0 = ProcFigures.allocatedBytes(queues);

        List<String> lastValues = new ArrayList<>();
        long[] totals = runClients(seconds, lastValues);
        long calls = totals[0];
        long errors = totals[1];
        long misrouted = totals[2];
        long peakFds = totals[3];

        // Nothing lost: the last value each thread wrote is what the daemon has.
        try (MaestralProxy proxy = new MaestralProxy(config)) {
            for (String last : lastValues) {
                String[] kv = last.split(" ");
                assertEquals(kv[1], proxy.getState("soak", kv[0]), "lost write of " + kv[0]);
            }
        }
        // The clients are gone: their connections or queues must be freed again.
        eventually(() -> fdsOf(daemon) <= fds0, Duration.ofSeconds(10));
        long fds1 = ProcFigures.openFds(daemon);
        Thread.sleep(500);
        ProcFigures.fullGc(daemon);
        long rss1 = ProcFigures.rssKib(daemon);
        long q1 = ProcFigures.allocatedBytes(queues);

        figure("SoakIT", String.format("seconds=%.0f clients=%d threads=%d calls=%d errors=%d misrouted=%d "
                + "rssKiB=%d->%d fds=%d->%d(peak %d) queueBytes=%d->%d lostWrites=0", seconds, CLIENTS,
                THREADS, calls, errors, misrouted, rss0, rss1, fds0, fds1, peakFds, q0, q1));
        assertEquals(0, errors, "errors");
        assertEquals(0, misrouted, "misrouted answers");
        assertTrue(calls > 0);
        assertTrue(fds1 <= fds0, "descriptors " + fds0 + " -> " + fds1);
        assertTrue(rss1 <= rss0 + RSS_SLACK_KIB, "resident memory " + rss0 + " -> " + rss1 + " KiB");
        assertTrue(q1 <= q0 + QUEUE_SLACK_BYTES, "queue bytes " + q0 + " -> " + q1);
        assertEquals(Stop.OK, Daemon.stopMaestralDaemonProcess(config));
    }

    /** {@return calls, errors, misrouted, peak daemon descriptors} of three clients run for a while */
    private long[] runClients(double seconds, List<String> lastValues) throws Exception {
        long daemon = Daemon.getMaestralPid(config).orElseThrow();
        List<App> apps = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            apps.add(new App("soak", config, Integer.toString(THREADS), Double.toString(seconds)));
        }
        long[] totals = new long[4];
        for (App app : apps) {
            assertEquals(expectedTransport(), app.await("CONNECTED", Duration.ofSeconds(60)));
        }
        totals[3] = ProcFigures.openFds(daemon);
        for (App app : apps) {
            Matcher m = RESULT.matcher(app.await("SOAK", Duration.ofSeconds((long) seconds + 120)));
            assertTrue(m.find(), app.output());
            for (int i = 0; i < 3; i++) {
                totals[i] += Long.parseLong(m.group(i + 1));
            }
            for (int t = 0; t < THREADS; t++) {
                lastValues.add(app.await("LAST", Duration.ofSeconds(10)));
            }
            assertTrue(app.process.waitFor(30, TimeUnit.SECONDS), "client " + app.process.pid() + " did not exit");
        }
        return totals;
    }

    private static long fdsOf(long pid) {
        try {
            return ProcFigures.openFds(pid);
        } catch (java.io.IOException e) {
            return Long.MAX_VALUE;
        }
    }

}
