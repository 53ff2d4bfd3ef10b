package maestral.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import maestral.api.CommunicationError;
import maestral.daemon.Daemon;
import maestral.daemon.MaestralProxy;
import maestral.daemon.internal.ChildLauncher;

/**
 * The figures JMH cannot take, measured by {@code benchmarks/run} after the JMH run and written
 * as JSON:
 * <ul>
 *   <li>daemon start to ready ({@code startMaestralDaemonProcess} until it returns
 *       {@code OK}) against {@code java -version} on the same machine, medians of several runs;
 *       also when the daemon first answered, seen by a 5 ms poll, which shows how much of the
 *       start is the launcher's readiness poll;</li>
 *   <li>the daemon's idle CPU over a window ({@link ProcessHandle.Info#totalCpuDuration()}):
 *       with no client, then with an idle uds client and an idle shm client connected, each
 *       window starting 7 s after its client's connect (and the CPU this client JVM spent
 *       meanwhile);</li>
 *   <li>the daemon's resident memory ({@code VmRSS} of {@code /proc/PID/status}) idle, at its
 *       peak under load from both transports, and after the load.</li>
 * </ul>
 * Usage: {@code Measurements quick|full OUTPUT.json}.
 */
public final class Measurements {

    private final boolean full;
    private final Map<String, Object> out = new LinkedHashMap<>();

    private Measurements(boolean full) {
        this.full = full;
    }

    /**
     * Measures and writes the JSON file.
     *
     * @param args {@code quick} or {@code full}, then the output file
     * @throws Exception when a measurement fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !List.of("quick", "full").contains(args[0])) {
            System.err.println("usage: Measurements quick|full OUTPUT.json");
            System.exit(2);
        }
        Measurements m = new Measurements(args[0].equals("full"));
        m.out.put("profile", args[0]);
        m.out.put("machine", Map.of("cpus", Runtime.getRuntime().availableProcessors(),
                "java", System.getProperty("java.vm.version"),
                "os", System.getProperty("os.name") + " " + System.getProperty("os.version")));
        m.startup();
        m.idleAndMemory();
        Files.writeString(Path.of(args[1]), Json.write(m.out) + "\n", StandardCharsets.UTF_8);
        System.out.println(Json.write(m.out));
    }

    private void startup() throws IOException, InterruptedException {
        int runs = full ? 11 : 5;
        say("start-up: " + runs + " runs of java -version and of a daemon start, after one warm-up each");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<Double> javaVersion = new ArrayList<>();
        for (int i = 0; i <= runs; i++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(java.toString(), "-version")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("java -version took over 30 s");
            }
            if (i > 0) {
                javaVersion.add(millis(System.nanoTime() - t0));
            }
        }
        List<Double> start = new ArrayList<>();
        List<Double> firstAnswer = new ArrayList<>();
        startRuns(runs, start, firstAnswer);
        // The same with the daemon narrowed to the uds transport, as the maestral command's
        // runtime (target/lib) has it: shows what loading the shm transport costs at start.
        List<Double> startUds = new ArrayList<>();
        System.setProperty("maestral.transports", "uds");
        try {
            startRuns(Math.max(3, runs / 2), startUds, new ArrayList<>());
        } finally {
            System.clearProperty("maestral.transports");
        }
        // With an AOT cache of the daemon JVM, made by a training run of this class path, as the
        // maestral command's build makes one for its runtime.
        List<Double> startAot = new ArrayList<>();
        Path cache = Files.createTempFile("maestral-daemon-", ".aot");
        try {
            Files.delete(cache);
            trainAotCache(cache);
            System.setProperty(ChildLauncher.AOT_CACHE_PROPERTY, cache.toString());
            startRuns(runs, startAot, new ArrayList<>());
        } finally {
            System.clearProperty(ChildLauncher.AOT_CACHE_PROPERTY);
            Files.deleteIfExists(cache);
        }
        double ratio = median(start) / median(javaVersion);
        double aotRatio = median(startAot) / median(javaVersion);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("runs", runs);
        s.put("javaVersionMs", stats(javaVersion));
        s.put("daemonStartMs", stats(start));
        s.put("daemonFirstAnswerMs", stats(firstAnswer));
        s.put("daemonStartUdsOnlyMs", stats(startUds));
        s.put("daemonStartAotMs", stats(startAot));
        s.put("startToJavaVersionRatio", ratio);
        s.put("aotStartToJavaVersionRatio", aotRatio);
        out.put("startup", s);
        say(String.format(Locale.ROOT, "  java -version %.0f ms, daemon start %.0f ms (first answer %.0f ms,"
                + " uds only %.0f ms, with the AOT cache %.0f ms): ratio %.1f, with the cache %.1f",
                median(javaVersion), median(start), median(firstAnswer), median(startUds), median(startAot),
                ratio, aotRatio));
    }

    /**
     * Records the daemon's AOT cache: one daemon started with it as its output, a call over
     * each transport, a stop, and the wait while the daemon writes the cache as it exits.
     */
    private static void trainAotCache(Path cache) throws InterruptedException {
        say("start-up: recording the daemon's AOT cache");
        System.setProperty(ChildLauncher.AOT_CACHE_OUTPUT_PROPERTY, cache.toString());
        ProcessHandle trained;
        try (DaemonFixture daemon = DaemonFixture.start()) {
            trained = daemon.process().orElseThrow();
            for (String transport : List.of("uds", "shm")) {
                try (MaestralProxy proxy = Clients.connect(transport)) {
                    proxy.status();
                }
            }
        } finally {
            System.clearProperty(ChildLauncher.AOT_CACHE_OUTPUT_PROPERTY);
        }
        try {
            trained.onExit().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the training daemon (pid " + trained.pid()
                    + ") did not exit within 60 s of its stop", e);
        }
        if (!Files.isRegularFile(cache)) {
            throw new IllegalStateException("the training daemon wrote no AOT cache at " + cache);
        }
    }

    /** Starts and stops a daemon {@code runs + 1} times; the first run is a warm-up. */
    private static void startRuns(int runs, List<Double> start, List<Double> firstAnswer)
            throws InterruptedException {
        for (int i = 0; i <= runs; i++) {
            AtomicLong answeredAt = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            long[] t0 = new long[1];
            Thread poller = new Thread(() -> pollUntilAnswer(t0, answeredAt, stop), "first-answer-poll");
            DaemonFixture daemon = DaemonFixture.start(() -> {
                t0[0] = System.nanoTime();
                poller.start();
            });
            try {
                poller.join(5_000);
                stop.set(true);
                if (i > 0) {
                    start.add(millis(daemon.startNanos()));
                    if (answeredAt.get() != 0) {
                        firstAnswer.add(millis(answeredAt.get() - t0[0]));
                    }
                }
            } finally {
                stop.set(true);
                daemon.close();
            }
        }
    }

    /** Tries a connection every 5 ms from the launch on, and notes when the first one works. */
    private static void pollUntilAnswer(long[] t0, AtomicLong answeredAt, AtomicBoolean stop) {
        long end = t0[0] + TimeUnit.SECONDS.toNanos(30);
        while (!stop.get() && System.nanoTime() < end) {
            if (Daemon.isRunning(DaemonFixture.CONFIG)) {
                try (MaestralProxy p = new MaestralProxy(DaemonFixture.CONFIG)) {
                    p.status();
                    answeredAt.set(System.nanoTime());
                    return;
                } catch (CommunicationError e) {
                    // not yet
                }
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** How long a client stays connected before its idle window starts. */
    private static final Duration CONNECTED_SETTLE = Duration.ofSeconds(7);

    private void idleAndMemory() throws InterruptedException {
        Duration window = Duration.ofSeconds(full ? 60 : 10);
        Duration settle = Duration.ofSeconds(full ? 5 : 2);
        Duration load = Duration.ofSeconds(full ? 20 : 5);
        try (DaemonFixture daemon = DaemonFixture.start()) {
            ProcessHandle h = daemon.process().orElseThrow();
            Thread.sleep(settle.toMillis());
            long idleRss = rssKiB(daemon.pid(), "VmRSS");
            Map<String, Object> idle = new LinkedHashMap<>();
            idle.put("windowSeconds", window.toSeconds());
            say("idle CPU: " + window.toSeconds() + " s with no client");
            idle.put("noClient", cpuWindow(h, window));
            for (String transport : List.of("uds", "shm")) {
                say("idle CPU: " + window.toSeconds() + " s with an idle " + transport + " client");
                try (MaestralProxy proxy = Clients.connect(transport)) {
                    proxy.status();
                    // What a connect sets off is over before the window: the JIT of the
                    // connection's code, and over shm the spare session made for the claimed
                    // one and the unclaimed ones deleted after 5 s (ShmServer).
                    Thread.sleep(CONNECTED_SETTLE.toMillis());
                    idle.put(transport + "Client", cpuWindow(h, window));
                }
            }
            out.put("idleCpu", idle);

            say("memory: " + load.toSeconds() + " s of load over uds and shm, 2 threads each");
            Map<String, Object> mem = new LinkedHashMap<>();
            mem.put("idleRssKiB", idleRss);
            mem.putAll(underLoad(daemon.pid(), load));
            Thread.sleep(settle.toMillis());
            mem.put("afterLoadRssKiB", rssKiB(daemon.pid(), "VmRSS"));
            mem.put("peakRssKiB", rssKiB(daemon.pid(), "VmHWM"));
            out.put("memory", mem);
            say("  RSS idle " + idleRss / 1024 + " MiB, max under load "
                    + ((Number) mem.get("loadMaxRssKiB")).longValue() / 1024 + " MiB");
        }
    }

    private static Map<String, Object> cpuWindow(ProcessHandle daemon, Duration window)
            throws InterruptedException {
        ProcessHandle self = ProcessHandle.current();
        long d0 = cpuNanos(daemon);
        long s0 = cpuNanos(self);
        long t0 = System.nanoTime();
        Thread.sleep(window.toMillis());
        long elapsed = System.nanoTime() - t0;
        long d = cpuNanos(daemon) - d0;
        long s = cpuNanos(self) - s0;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("daemonCpuMs", millis(d));
        r.put("daemonPercentOfOneCore", 100.0 * d / elapsed);
        r.put("clientJvmCpuMs", millis(s));
        say(String.format(Locale.ROOT, "  daemon %.1f ms CPU (%.2f %% of a core), this JVM %.1f ms",
                millis(d), 100.0 * d / elapsed, millis(s)));
        return r;
    }

    private static Map<String, Object> underLoad(long pid, Duration load) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<MaestralProxy> proxies = new ArrayList<>();
        try {
            for (String transport : List.of("uds", "shm")) {
                MaestralProxy proxy = Clients.connect(transport);
                proxies.add(proxy);
                for (int t = 0; t < 2; t++) {
                    Thread th = new Thread(() -> {
                        long n = 0;
                        while (!stop.get()) {
                            if (++n % 10 == 0) {
                                proxy.getConf(Payloads.SECTION, Payloads.NAME);
                            } else {
                                proxy.status();
                            }
                        }
                        calls.addAndGet(n);
                    }, "load-" + transport + "-" + t);
                    threads.add(th);
                }
            }
            proxies.getFirst().setConf(Payloads.SECTION, Payloads.NAME, Payloads.payload());
            threads.forEach(Thread::start);
            long max = 0;
            long end = System.nanoTime() + load.toNanos();
            while (System.nanoTime() < end) {
                max = Math.max(max, rssKiB(pid, "VmRSS"));
                Thread.sleep(100);
            }
            stop.set(true);
            for (Thread th : threads) {
                th.join(10_000);
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("loadSeconds", load.toSeconds());
            r.put("loadCalls", calls.get());
            r.put("loadMaxRssKiB", max);
            return r;
        } finally {
            stop.set(true);
            proxies.forEach(MaestralProxy::close);
        }
    }

    /**
     * {@return a {@code /proc/PID/status} figure in KiB, or -1 when there is none}
     *
     * @param pid the process
     * @param field {@code VmRSS} or {@code VmHWM}
     */
    static long rssKiB(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static long cpuNanos(ProcessHandle h) {
        return h.info().totalCpuDuration().orElseThrow(
                () -> new IllegalStateException("no CPU time for pid " + h.pid())).toNanos();
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static Map<String, Object> stats(List<Double> values) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("median", median(values));
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        s.put("min", v.length == 0 ? Double.NaN : v[0]);
        s.put("max", v.length == 0 ? Double.NaN : v[v.length - 1]);
        s.put("samples", Arrays.stream(v).boxed().toList());
        return s;
    }

    private static void say(String line) {
        System.err.println("measurements: " + line);
    }
}
