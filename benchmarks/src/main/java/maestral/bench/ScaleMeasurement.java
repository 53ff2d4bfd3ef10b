package maestral.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import maestral.daemon.MaestralProxy;

/**
 * Many connections from one client JVM: for N in 1, 10, 50, 200, this JVM opens N proxies
 * ({@link Clients#connect(String)}, one connection each) to a fresh daemon
 * ({@link DaemonFixture#start()}), then N platform threads, each using only its own proxy, call
 * {@code status()} in a loop: a warm-up, then a measured window. Per (transport, N) it writes
 * the successful calls that ended in the window per millisecond, the failed calls (any
 * exception; the first one's class and message are kept), and how long opening the N
 * connections took (after one connection opened and closed first, so that class loading is
 * not counted).
 *
 * <p>The transports alternate at each N, and their order flips from one N to the next (uds
 * first at 1, shm first at 10, ...), so that both are measured in the same machine state. Each
 * pair gets its own daemon, so that a transport failing under load cannot spoil the other's
 * figures. Every wait has a deadline: a thread still in a call past it is reported as a stuck
 * thread and a failure, not waited for.
 *
 * <p>Usage: {@code ScaleMeasurement quick|full OUTPUT.json} (quick: 1 s warm-up and a 3 s
 * window; full: 2 s and 10 s).
 */
public final class ScaleMeasurement {

    /** The connection counts measured, in order. */
    static final List<Integer> CONNECTIONS = List.of(1, 10, 50, 200);

    /** Opening all N connections of one size must end within this. */
    private static final Duration CONNECT_DEADLINE = Duration.ofSeconds(120);

    /** After the window, a thread has this long to finish its call (the call timeout is 30 s). */
    private static final Duration JOIN_DEADLINE = Duration.ofSeconds(40);

    private final Duration warmUp;
    private final Duration window;

    private ScaleMeasurement(Duration warmUp, Duration window) {
        this.warmUp = warmUp;
        this.window = window;
    }

    /**
     * Measures every (transport, N) pair and writes the JSON file.
     *
     * @param args {@code quick} or {@code full}, then the output file
     * @throws Exception when the output cannot be written
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !List.of("quick", "full").contains(args[0])) {
            System.err.println("usage: ScaleMeasurement quick|full OUTPUT.json");
            System.exit(2);
        }
        boolean full = args[0].equals("full");
        ScaleMeasurement m = new ScaleMeasurement(Duration.ofSeconds(full ? 2 : 1), Duration.ofSeconds(full ? 10 : 3));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("profile", args[0]);
        out.put("warmUpSeconds", m.warmUp.toSeconds());
        out.put("windowSeconds", m.window.toSeconds());
        out.put("machine", Map.of("cpus", Runtime.getRuntime().availableProcessors(),
                "java", System.getProperty("java.vm.version"),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.version")));
        List<Object> rows = new ArrayList<>();
        List<String> order = new ArrayList<>(List.of("uds", "shm"));
        for (int n : CONNECTIONS) {
            for (String transport : order) {
                rows.add(m.measure(transport, n).toJson());
            }
            order = order.reversed();
        }
        out.put("scale", rows);
        Files.writeString(Path.of(args[1]), Json.write(out) + "\n", StandardCharsets.UTF_8);
        System.out.println(Json.write(out));
        // A stuck caller is a daemon thread: it does not keep this JVM alive.
        System.exit(0);
    }

    /**
     * What one (transport, N) pair gave.
     *
     * @param transport {@code uds} or {@code shm}
     * @param connections the proxies asked for
     * @param connected the proxies that opened
     * @param connectMs how long opening them took (until the first failure, if any)
     * @param windowMs the measured window's real length
     * @param okCalls successful calls that ended in the window
     * @param failedCalls calls that threw after the warm-up, plus the stuck threads
     * @param warmUpFailedCalls calls that threw in the warm-up
     * @param stuckThreads threads still in a call after the join deadline
     * @param minThreadCalls the fewest successful calls any thread made in the window
     * @param daemonAlive whether the daemon process still ran after the window
     * @param firstFailure the first failure (connect, call or stuck thread), or null
     */
    record Row(String transport, int connections, int connected, double connectMs, double windowMs,
               long okCalls, long failedCalls, long warmUpFailedCalls, int stuckThreads,
               long minThreadCalls, boolean daemonAlive, String firstFailure) {

        /** {@return the row as the map {@link Json} writes} */
        Map<String, Object> toJson() {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("connections", connections);
            r.put("transport", transport);
            r.put("callsPerMs", windowMs > 0 ? okCalls / windowMs : Double.NaN);
            r.put("okCalls", okCalls);
            r.put("failedCalls", failedCalls);
            r.put("warmUpFailedCalls", warmUpFailedCalls);
            r.put("stuckThreads", stuckThreads);
            r.put("minThreadCalls", minThreadCalls);
            r.put("connected", connected);
            r.put("connectMs", connectMs);
            r.put("windowMs", windowMs);
            r.put("daemonAlive", daemonAlive);
            r.put("firstFailure", firstFailure);
            return r;
        }
    }

    /** The phases of one pair, which its caller threads read after each call. */
    private static final int WARM_UP = 0;
    private static final int MEASURE = 1;
    private static final int STOP = 2;

    /** One caller thread's counters: written by it, read by the main thread after the join. */
    private static final class Caller {
        volatile long ok;
        volatile long failed;
        volatile long warmUpFailed;
    }

    private Row measure(String transport, int n) {
        say(String.format(Locale.ROOT, "%s, %d connection%s: %d s warm-up, %d s window",
                transport, n, n == 1 ? "" : "s", warmUp.toSeconds(), window.toSeconds()));
        AtomicReference<String> firstFailure = new AtomicReference<>();
        List<MaestralProxy> proxies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<Caller> callers = new ArrayList<>();
        // Per pair: a thread of an earlier pair still stuck in a call sees its own STOP.
        AtomicInteger phase = new AtomicInteger(WARM_UP);
        try (DaemonFixture daemon = DaemonFixture.start()) {
            try {
                warmUpConnection(transport, firstFailure);
                long t0 = System.nanoTime();
                long connectEnd = t0 + CONNECT_DEADLINE.toNanos();
                for (int i = 0; i < n; i++) {
                    if (System.nanoTime() > connectEnd) {
                        firstFailure.compareAndSet(null, "connect: " + proxies.size() + " of " + n
                                + " connections opened within " + CONNECT_DEADLINE.toSeconds() + " s");
                        break;
                    }
                    try {
                        proxies.add(Clients.connect(transport));
                    } catch (RuntimeException e) {
                        firstFailure.compareAndSet(null, "connect #" + (i + 1) + ": " + describe(e));
                        break;
                    }
                }
                double connectMs = millis(System.nanoTime() - t0);

                for (int i = 0; i < proxies.size(); i++) {
                    MaestralProxy proxy = proxies.get(i);
                    Caller caller = new Caller();
                    callers.add(caller);
                    threads.add(Thread.ofPlatform().daemon().name("scale-" + transport + "-" + i)
                            .unstarted(() -> callLoop(proxy, phase, caller, firstFailure)));
                }
                threads.forEach(Thread::start);
                Thread.sleep(warmUp.toMillis());
                long w0 = System.nanoTime();
                phase.set(MEASURE);
                Thread.sleep(window.toMillis());
                phase.set(STOP);
                double windowMs = millis(System.nanoTime() - w0);

                long joinEnd = System.nanoTime() + JOIN_DEADLINE.toNanos();
                int stuck = 0;
                for (Thread th : threads) {
                    long left = joinEnd - System.nanoTime();
                    if (left > 0) {
                        th.join(Duration.ofNanos(left));
                    }
                    if (th.isAlive()) {
                        stuck++;
                    }
                }
                if (stuck > 0) {
                    firstFailure.compareAndSet(null, "stuck: " + stuck + " thread(s) still in a call "
                            + JOIN_DEADLINE.toSeconds() + " s after the window");
                }
                long ok = 0;
                long failed = stuck;
                long warmUpFailed = 0;
                long min = callers.isEmpty() ? 0 : Long.MAX_VALUE;
                for (Caller c : callers) {
                    ok += c.ok;
                    failed += c.failed;
                    warmUpFailed += c.warmUpFailed;
                    min = Math.min(min, c.ok);
                }
                Row row = new Row(transport, n, proxies.size(), connectMs, windowMs, ok, failed, warmUpFailed,
                        stuck, min, daemon.process().isPresent(), firstFailure.get());
                say(String.format(Locale.ROOT, "  %.1f calls/ms, %d failed (%d in the warm-up), %d stuck, "
                        + "fewest calls of a thread %d, connect %.0f ms%s", ok / windowMs, failed, warmUpFailed,
                        stuck, min, connectMs, row.firstFailure() == null ? "" : "; first failure: "
                        + row.firstFailure()));
                return row;
            } finally {
                phase.set(STOP);
                for (MaestralProxy p : proxies) {
                    try {
                        p.close();
                    } catch (RuntimeException e) {
                        say("  closing a proxy: " + describe(e));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (RuntimeException e) {
            // The daemon did not start, or something else outside the calls failed: a row
            // that says so, rather than no row.
            say("  failed: " + describe(e));
            firstFailure.compareAndSet(null, describe(e));
            return new Row(transport, n, proxies.size(), Double.NaN, Double.NaN, 0, 0, 0, 0, 0,
                    false, firstFailure.get());
        }
    }

    /**
     * Calls {@code status()} until the phase says stop. A call counts by the phase in which it
     * ends: a success only inside the window; a failure in the warm-up, or anywhere after it
     * (so that a call failing after the window is not lost).
     */
    private static void callLoop(MaestralProxy proxy, AtomicInteger phase, Caller caller,
                                 AtomicReference<String> firstFailure) {
        long ok = 0;
        long failed = 0;
        long warmUpFailed = 0;
        while (phase.get() != STOP) {
            try {
                proxy.status();
                if (phase.get() == MEASURE) {
                    ok++;
                }
            } catch (RuntimeException | Error e) {
                firstFailure.compareAndSet(null, describe(e));
                if (phase.get() == WARM_UP) {
                    warmUpFailed++;
                } else {
                    failed++;
                }
            }
            if ((ok + failed + warmUpFailed) % 64 == 0) {
                caller.ok = ok;
                caller.failed = failed;
                caller.warmUpFailed = warmUpFailed;
            }
        }
        caller.ok = ok;
        caller.failed = failed;
        caller.warmUpFailed = warmUpFailed;
    }

    /** Opens one connection, calls once and closes it, noting a failure. */
    private static void warmUpConnection(String transport, AtomicReference<String> firstFailure) {
        try (MaestralProxy proxy = Clients.connect(transport)) {
            proxy.status();
        } catch (RuntimeException e) {
            firstFailure.compareAndSet(null, "warm-up connection: " + describe(e));
        }
    }

    private static String describe(Throwable e) {
        return e.getClass().getName() + ": " + e.getMessage();
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    private static void say(String line) {
        System.err.println("scale: " + line);
    }
}
