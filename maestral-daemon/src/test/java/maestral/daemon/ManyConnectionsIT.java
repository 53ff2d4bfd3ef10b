package maestral.daemon;

import static maestral.daemon.ProcFigures.figure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many connections from one process: 200 proxies in this JVM, one platform thread each calling
 * {@code status()} for 10 s, on the transport of the failsafe execution. No call may fail and
 * every thread must get answers; once all are closed the daemon must have freed them (its
 * descriptors and shm sessions back to what one client left), still answer a fresh
 * connection, and stop cleanly.
 */
@Tag("slow")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ManyConnectionsIT extends DaemonTestSupport {

    private static final int CONNECTIONS = 200;
    private static final Duration WINDOW = Duration.ofSeconds(10);
    /** A thread past the window has this long to end its call (the call timeout is 30 s). */
    private static final Duration JOIN_DEADLINE = Duration.ofSeconds(40);

    /** One caller thread's counters, written by it and read after the join. */
    private static final class Counts {
        volatile long ok;
        volatile long failed;
    }

    @Test
    void twoHundredConnectionsFromTwoHundredThreadsAllGetAnswers() throws Exception {
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        long daemon = Daemon.getMaestralPid(config).orElseThrow();
        Path sessions = Path.of(System.getProperty("maestral.dir.runtime"), "shm-" + config, "sessions");
        try (MaestralProxy first = new MaestralProxy(config)) { // what one client leaves behind
            assertEquals(expectedTransport(), first.transport());
            assertNotNull(first.status());
        }
        // the daemon keeps two shm sessions ready beside those in use, made after it starts
        assertTrue(eventually(() -> entries(sessions) >= 2, Duration.ofSeconds(10)),
                "the daemon made its spare shm sessions");
        Thread.sleep(500);
        long fds0 = fds(daemon);
        long sessions0 = entries(sessions);

        List<MaestralProxy> proxies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<Counts> counts = new ArrayList<>();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        long fdsWith;
        long sessionsWith;
        long calls = 0;
        long failed = 0;
        long fewest = Long.MAX_VALUE;
        int stuck = 0;
        long connectMs;
        try {
            long t0 = System.nanoTime();
            for (int i = 0; i < CONNECTIONS; i++) {
                MaestralProxy proxy = new MaestralProxy(config);
                proxies.add(proxy);
                assertEquals(expectedTransport(), proxy.transport(), "connection " + i);
            }
            connectMs = (System.nanoTime() - t0) / 1_000_000;
            fdsWith = fds(daemon);
            sessionsWith = entries(sessions);

            long w0 = System.nanoTime();
            long end = w0 + WINDOW.toNanos();
            for (int i = 0; i < CONNECTIONS; i++) {
                MaestralProxy proxy = proxies.get(i);
                Counts c = new Counts();
                counts.add(c);
                threads.add(Thread.ofPlatform().daemon().name("many-" + i).unstarted(() -> {
                    long ok = 0;
                    long bad = 0;
                    while (System.nanoTime() < end) {
                        try {
                            proxy.status();
                            ok++;
                        } catch (RuntimeException | Error e) {
                            firstFailure.compareAndSet(null, e);
                            bad++;
                        }
                        c.ok = ok;
                        c.failed = bad;
                    }
                }));
            }
            threads.forEach(Thread::start);
            long joinEnd = end + JOIN_DEADLINE.toNanos();
            for (Thread th : threads) {
                th.join(Duration.ofNanos(Math.max(1, joinEnd - System.nanoTime())));
                if (th.isAlive()) {
                    stuck++;
                }
            }
            for (Counts c : counts) {
                calls += c.ok;
                failed += c.failed;
                fewest = Math.min(fewest, c.ok);
            }
        } finally {
            for (MaestralProxy p : proxies) {
                p.close();
            }
        }

        boolean freed = eventually(() -> fds(daemon) <= fds0 && entries(sessions) <= sessions0,
                Duration.ofSeconds(20));
        String answer;
        try (MaestralProxy fresh = new MaestralProxy(config)) {
            assertEquals(expectedTransport(), fresh.transport());
            answer = fresh.status();
        }
        Throwable f = firstFailure.get();
        figure("ManyConnectionsIT", String.format(Locale.ROOT, "connections=%d seconds=%d calls=%d callsPerMs=%.1f "
                + "failures=%d stuckThreads=%d fewestCallsOfAThread=%d connectMs=%d daemonFds=%d->%d->%d "
                + "shmSessions=%d->%d->%d firstFailure=%s", CONNECTIONS, WINDOW.toSeconds(), calls,
                (double) calls / WINDOW.toMillis(), failed, stuck, fewest, connectMs, fds0, fdsWith, fds(daemon), sessions0,
                sessionsWith, entries(sessions), f == null ? "none" : f.toString().replace('\n', ' ')));

        assertEquals(0, stuck, "threads still in a call " + JOIN_DEADLINE.toSeconds() + " s after the window");
        if (f != null) {
            throw new AssertionError(failed + " of " + (calls + failed) + " calls failed; the first:", f);
        }
        assertEquals(0, failed, "failed calls");
        assertTrue(fewest > 0, "a thread made no call in " + WINDOW.toSeconds() + " s");
        assertTrue(freed, "the daemon still holds closed clients: fds " + fds(daemon) + " (before " + fds0
                + "), shm sessions " + entries(sessions) + " (before " + sessions0 + ")");
        assertNotNull(answer, "a fresh connection after the 200 gets an answer");

        Path socket = Daemon.sockPathForConfig(config);
        ProcessHandle handle = ProcessHandle.of(daemon).orElseThrow();
        assertEquals(Stop.OK, Daemon.stopMaestralDaemonProcess(config, Duration.ofSeconds(10)));
        handle.onExit().get(20, TimeUnit.SECONDS);
        assertFalse(Daemon.isRunning(config), "the lock is free");
        assertFalse(Files.exists(socket), "the socket is removed");
    }

    private static long entries(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long fds(long pid) {
        try {
            return ProcFigures.openFds(pid);
        } catch (IOException e) {
            return -1;
        }
    }
}
