package maestral.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import maestral.api.CommunicationError;
import maestral.api.NotLinkedError;
import maestral.daemon.internal.ChildLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** maestral's daemon tests, in Java, with real processes and real sockets. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DaemonLifecycleIT extends DaemonTestSupport {

    @Test
    void detachedLifecycle() throws IOException {
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        assertTrue(Daemon.isRunning(config));
        long pid = Daemon.getMaestralPid(config).orElseThrow();
        assertNotEquals(ProcessHandle.current().pid(), pid);
        assertTrue(Files.exists(Daemon.sockPathForConfig(config)));
        if (Files.exists(Path.of("/proc/self/stat"))) {
            assertEquals(pid, sessionOf(pid), "a detached daemon leads its own session");
        }

        assertEquals(Start.ALREADY_RUNNING, Daemon.startMaestralDaemonProcess(config, false, false, true));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Daemon.startMaestralDaemon(config, false, false));
        assertTrue(e.getMessage().contains("already running"), e.getMessage());
        assertTrue(Daemon.isRunning(config), "a failed in-process start touches nothing");

        assertEquals(Stop.OK, Daemon.stopMaestralDaemonProcess(config));
        assertFalse(Daemon.isRunning(config));
        assertFalse(Files.exists(Daemon.sockPathForConfig(config)), "the socket is removed");
        assertEquals(Stop.NOT_RUNNING, Daemon.stopMaestralDaemonProcess(config));
    }

    /**
     * The AOT cache as {@code ./maestral} has it: the command's JVM runs on the runtime folder's
     * jars (an AOT cache takes jars only, no class folders), its daemon child inherits that class
     * path and records the cache as it exits; the next start uses it, and one that is not a cache
     * is ignored by the JVM.
     */
    @Test
    void aDaemonRecordsAnAotCacheTheNextStartsFromAndABadCacheIsIgnored() throws Exception {
        Path cache = base.resolve("daemon.aot");
        assertEquals(0, command("-D" + ChildLauncher.AOT_CACHE_OUTPUT_PROPERTY + "=" + cache, "start", "-c", config));
        ProcessHandle trained = ProcessHandle.of(Daemon.getMaestralPid(config).orElseThrow()).orElseThrow();
        assertTrue(commandLine(trained).contains("-XX:AOTCacheOutput=" + cache), commandLine(trained));
        try (MaestralProxy proxy = new MaestralProxy(config)) {
            assertEquals("Stopped", proxy.status());
        }
        assertEquals(Stop.OK, Daemon.stopMaestralDaemonProcess(config, Duration.ofSeconds(10)));
        trained.onExit().get(60, TimeUnit.SECONDS); // the cache is written as the daemon exits
        assertTrue(Files.isRegularFile(cache) && Files.size(cache) > 0, "the training daemon wrote its AOT cache");

        String use = "-D" + ChildLauncher.AOT_CACHE_PROPERTY + "=" + cache;
        startsFromTheCacheAndAnswers(use, "-XX:AOTCache=" + cache);
        Files.writeString(cache, "not an AOT cache"); // stale or broken: the JVM goes without it
        startsFromTheCacheAndAnswers(use, "-XX:AOTCache=" + cache);
    }

    private void startsFromTheCacheAndAnswers(String property, String option) throws Exception {
        assertEquals(0, command(property, "start", "-c", config));
        ProcessHandle daemon = ProcessHandle.of(Daemon.getMaestralPid(config).orElseThrow()).orElseThrow();
        assertTrue(commandLine(daemon).contains(option), commandLine(daemon));
        try (MaestralProxy proxy = new MaestralProxy(config)) {
            assertEquals("Stopped", proxy.status());
        }
        assertEquals(Stop.OK, Daemon.stopMaestralDaemonProcess(config, Duration.ofSeconds(10)));
    }

    /** {@return the exit status of the {@code maestral} command run in its own JVM on the runtime jars} */
    private static int command(String property, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", property));
        maestral.daemon.internal.Transports.all().values().forEach(p -> cmd.addAll(ChildLauncher.forClassPath(p.jvmOptions())));
        for (String d : List.of("runtime", "config", "data", "log")) {
            cmd.add("-Dmaestral.dir." + d + "=" + System.getProperty("maestral.dir." + d));
        }
        cmd.addAll(List.of("-cp", System.getProperty("test.maestral.lib") + "/*", "maestral.daemon.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("maestral " + String.join(" ", args) + " did not end within 90 s");
        }
        return p.exitValue();
    }

    /** {@return a process's arguments, one per line, from {@code /proc}} */
    private static String commandLine(ProcessHandle process) throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline")).replace('\0', '\n');
    }

    @Test
    void aProgramOnTheModulePathStartsADaemonOnTheModulePath() throws Exception {
        App app = new App(true, "start", config);
        assertEquals("OK", app.await("RESULT", Duration.ofSeconds(60)));
        long pid = Daemon.getMaestralPid(config).orElseThrow();
        String cmdline = ProcessHandle.of(pid).orElseThrow().info().commandLine().orElse("");
        assertTrue(cmdline.contains("maestral.daemon/maestral.daemon.internal.DaemonMain"), cmdline);
        try (MaestralProxy proxy = new MaestralProxy(config)) {
            assertEquals(config, proxy.configName());
        }
        assertEquals(Stop.OK, Daemon.stopMaestralDaemonProcess(config));
    }

    @Test
    void attachedDaemonDiesWithItsParentEvenOnSigkill() throws Exception {
        App app = new App("start-attached", config);
        assertEquals("OK", app.await("RESULT", Duration.ofSeconds(60)));
        long daemon = Long.parseLong(app.await("DAEMON", Duration.ofSeconds(10)));
        ProcessHandle handle = ProcessHandle.of(daemon).orElseThrow();
        assertEquals(app.process.pid(), handle.parent().orElseThrow().pid(), "the daemon is the app's child");
        if (Files.exists(Path.of("/proc/self/stat"))) {
            assertEquals(sessionOf(app.process.pid()), sessionOf(daemon), "same session as its parent");
        }
        app.process.destroyForcibly(); // SIGKILL
        handle.onExit().get(20, TimeUnit.SECONDS); // fails the test by timing out
        assertFalse(handle.isAlive(), "the attached daemon outlived its SIGKILLed parent");
        assertTrue(eventually(() -> !Daemon.isRunning(config), Duration.ofSeconds(5)));
    }

    @Test
    void proxyConnectsToTheDaemon() {
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        try (MaestralProxy proxy = new MaestralProxy(config)) {
            assertEquals(config, proxy.configName());
            assertFalse(proxy.isFallback());
            assertEquals(expectedTransport(), proxy.transport());
            assertEquals("Stopped", proxy.status());
            proxy.pauseSync();
            assertEquals("Paused", proxy.status());
        }
    }

    @Test
    void fallbackOnlyWhenAsked() {
        CommunicationError e = assertThrows(CommunicationError.class, () -> new MaestralProxy(config));
        assertEquals("Could not get proxy for '" + config + "'", e.getMessage());
        try (MaestralProxy proxy = new MaestralProxy(config, true)) {
            assertTrue(proxy.isFallback());
            assertEquals("local", proxy.transport());
            assertEquals(config, proxy.configName());
        }
    }

    @Test
    void remoteErrorsArriveAsTheirOwnClass() {
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        try (MaestralProxy proxy = new MaestralProxy(config)) {
            NotLinkedError e = assertThrows(NotLinkedError.class, proxy::getAccountInfo);
            assertEquals("No Dropbox account linked", e.title());
        }
    }

    @Test
    void callsAfterCloseFail() {
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        MaestralProxy proxy = new MaestralProxy(config);
        proxy.close();
        CommunicationError e = assertThrows(CommunicationError.class, proxy::status);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void sixRacingStartsLeaveExactlyOneDaemon() throws Exception {
        List<App> apps = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            apps.add(new App("start", config));
        }
        List<String> results = new ArrayList<>();
        for (App app : apps) {
            results.add(app.await("RESULT", Duration.ofSeconds(90)));
        }
        for (int i = 0; i < apps.size(); i++) {
            String r = results.get(i);
            assertTrue(r.equals("OK") || r.equals("ALREADY_RUNNING"),
                    "results: " + results + "; output of app " + i + ":\n" + apps.get(i).output());
        }
        assertTrue(results.contains("OK") || Daemon.isRunning(config), "results: " + results);
        long daemon = Daemon.getMaestralPid(config).orElseThrow();
        assertEquals(List.of(daemon), daemonProcesses(config), "exactly one daemon process, the lock holder");
        try (MaestralProxy proxy = new MaestralProxy(config)) {
            assertEquals("Stopped", proxy.status());
        }
    }

    @Test
    void aWedgedDaemonIsKilledAfterTheTimeoutPlusOneSecond() throws Exception {
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        long pid = Daemon.getMaestralPid(config).orElseThrow();
        signal("STOP", pid); // answers nothing, handles no SIGTERM
        long start = System.nanoTime();
        assertEquals(Stop.KILLED, Daemon.stopMaestralDaemonProcess(config, Duration.ofSeconds(2)));
        long took = System.nanoTime() - start;
        assertTrue(took >= Duration.ofSeconds(3).toNanos() - Duration.ofMillis(300).toNanos(), "took " + took);
        assertTrue(took < Duration.ofSeconds(8).toNanos(), "took " + Duration.ofNanos(took));
        assertFalse(Daemon.isRunning(config));
    }

    @Test
    void aSigkilledDaemonIsGoneAtOnceAndStartsAgainOverItsStaleFiles() throws Exception {
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        long pid = Daemon.getMaestralPid(config).orElseThrow();
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        handle.destroyForcibly();
        handle.onExit().get(10, TimeUnit.SECONDS);
        assertFalse(Daemon.isRunning(config), "the kernel drops the lock of a dead daemon");
        assertTrue(Files.exists(Daemon.sockPathForConfig(config)), "a SIGKILLed daemon leaves its socket");
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        try (MaestralProxy proxy = new MaestralProxy(config)) {
            assertEquals("Stopped", proxy.status());
        }
    }

    @Test
    void aCallToADaemonKilledMidCallFailsWithinASecond() throws Exception {
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        long pid = Daemon.getMaestralPid(config).orElseThrow();
        try (MaestralProxy proxy = new MaestralProxy(config)) {
            CompletableFuture<Boolean> poll = CompletableFuture.supplyAsync(() -> proxy.statusChangeLongpoll(60));
            Thread.sleep(300);
            assertFalse(poll.isDone());
            long start = System.nanoTime();
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            ExecutionException e = assertThrows(ExecutionException.class, () -> poll.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof CommunicationError, e.getCause().toString());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos(),
                    "failed after " + Duration.ofNanos(System.nanoTime() - start));
        }
    }

    @Test
    void shutdownDaemonIsAcknowledgedThenTheDaemonStops() throws Exception {
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        try (MaestralProxy proxy = new MaestralProxy(config)) {
            proxy.shutdownDaemon(); // returns normally: acknowledged
        }
        assertTrue(eventually(() -> !Daemon.isRunning(config), Duration.ofSeconds(10)));
        assertFalse(Files.exists(Daemon.sockPathForConfig(config)));
    }

    @Test
    void aChildThatDiesBeforeReadyFailsAtOnceAndSaysWhy() throws Exception {
        // The child inherits maestral.* properties: one naming no transport makes it exit early.
        String before = System.setProperty("maestral.transports", "no-such-transport");
        try {
            long start = System.nanoTime();
            var outcome = maestral.daemon.internal.ChildLauncher.start(config, false, false, true);
            assertEquals(Start.FAILED, outcome.result());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(15).toNanos(), "noticed late");
            assertTrue(outcome.detail().contains("exited with status 1")
                    && outcome.detail().contains("no-such-transport"), outcome.detail());
        } finally {
            restore("maestral.transports", before);
        }
        String out = Files.readString(Path.of(System.getProperty("maestral.dir.log"), config + ".out"));
        assertTrue(out.contains("no-such-transport"), out);
        assertFalse(Daemon.isRunning(config));
    }

    /** {@return the pids of the daemon processes of a configuration, from /proc} */
    private static List<Long> daemonProcesses(String config) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    List<String> args = List.of(Files.readString(p.resolve("cmdline")).split("\0"));
                    if (args.contains("maestral.daemon.internal.DaemonMain") && args.contains(config)) {
                        pids.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        }
        return pids;
    }

    @Test
    void aChildAliveButNeverReadyIsKilledThenFailed() throws Exception {
        // This side asks for a transport it does not have, so it can never reach the child.
        String transportBefore = System.setProperty("maestral.transport", "no-such-transport");
        String timeoutBefore = System.setProperty("maestral.startTimeout", "3");
        try {
            var outcome = maestral.daemon.internal.ChildLauncher.start(config, false, false, true);
            assertEquals(Start.FAILED, outcome.result());
            assertTrue(outcome.detail().contains("not ready within 3 s") && outcome.detail().contains("killed"),
                    outcome.detail());
        } finally {
            restore("maestral.transport", transportBefore);
            restore("maestral.startTimeout", timeoutBefore);
        }
        assertTrue(eventually(() -> !Daemon.isRunning(config), Duration.ofSeconds(5)), "the child was killed");
    }

    @Test
    void aTooLongSocketPathFallsBackToAShortFolder() throws Exception {
        Path deep = base.resolve("d".repeat(60)).resolve("e".repeat(60));
        System.setProperty("maestral.dir.runtime", deep.toString());
        Path socket = Daemon.sockPathForConfig(config);
        assertFalse(socket.startsWith(deep), socket.toString());
        assertTrue(socket.toString().length() < 108, socket.toString());
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        assertTrue(Files.exists(socket));
        try (MaestralProxy proxy = new MaestralProxy(config)) {
            assertEquals(config, proxy.configName());
        }
        assertEquals(Stop.OK, Daemon.stopMaestralDaemonProcess(config));
        assertFalse(Files.exists(socket));
        try {
            Files.deleteIfExists(socket.getParent()); // the shared fallback folder, when now empty
        } catch (java.nio.file.DirectoryNotEmptyException inUse) {
            // another configuration's socket lives there
        }
    }

    @Test
    void aLockHolderThatCannotBeReachedGivesAReason() {
        var lock = Daemon.maestralLock(config);
        assertTrue(lock.acquire());
        try {
            CommunicationError e = assertThrows(CommunicationError.class, () -> new MaestralProxy(config));
            assertTrue(e.getMessage().contains("holds the lock") && e.getMessage().contains("no endpoints"),
                    e.getMessage());
        } finally {
            lock.release();
        }
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    private static long sessionOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[3]); // state ppid pgrp session
    }

    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
    }
}
