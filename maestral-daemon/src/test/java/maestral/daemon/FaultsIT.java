package maestral.daemon;

import static maestral.daemon.ProcFigures.figure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import maestral.api.CommunicationError;
import maestral.daemon.internal.ChildLauncher;
import maestral.daemon.internal.InstanceRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scripted faults with real processes: a daemon SIGKILLed mid-call, a client SIGKILLed
 * mid-call, the lock file deleted under a running daemon, a runtime folder with the wrong
 * owner or mode, and a full runtime folder (a small tmpfs; needs root). Each prints its figures
 * ({@code FIGURE ...}, also appended to {@code target/reliability-figures.txt}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FaultsIT extends DaemonTestSupport {

    @Test
    void aDaemonSigkilledMidCallFailsItsCallersAtOnceAndANewOneStartsOverItsFiles() throws Exception {
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        ProcessHandle daemon = ProcessHandle.of(Daemon.getMaestralPid(config).orElseThrow()).orElseThrow();
        try (MaestralProxy proxy = new MaestralProxy(config)) {
            List<CompletableFuture<Long>> calls = new ArrayList<>();
            long[] killedAt = new long[1];
            for (int i = 0; i < 3; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        proxy.statusChangeLongpoll(60);
                        return -1L;
                    } catch (CommunicationError e) {
                        return System.nanoTime();
                    }
                }));
            }
            Thread.sleep(500);
            calls.forEach(c -> assertFalse(c.isDone(), "the long polls are in flight"));
            killedAt[0] = System.nanoTime();
            daemon.destroyForcibly();
            long slowest = 0;
            for (CompletableFuture<Long> c : calls) {
                long failedAt = c.get(10, TimeUnit.SECONDS);
                assertNotEquals(-1L, failedAt, "a call to a dead daemon returned");
                slowest = Math.max(slowest, failedAt - killedAt[0]);
            }
            daemon.onExit().get(10, TimeUnit.SECONDS);
            boolean runningAfterExit = Daemon.isRunning(config);
            assertFalse(runningAfterExit, "isRunning is false as soon as the process is gone");
            assertThrows(CommunicationError.class, proxy::status);
            assertTrue(Files.exists(Daemon.sockPathForConfig(config)), "the dead daemon left its socket");
            long restart = System.nanoTime();
            assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
            long restartMs = (System.nanoTime() - restart) / 1_000_000;
            try (MaestralProxy again = new MaestralProxy(config)) {
                assertEquals("Stopped", again.status());
            }
            figure("FaultsIT#daemonSigkilled", "pendingCalls=3 slowestFailureMs=" + slowest / 1_000_000
                    + " isRunningAfterExit=" + runningAfterExit + " restartOverStaleFiles=OK restartMs=" + restartMs);
            assertTrue(slowest < Duration.ofSeconds(3).toNanos(), "failed after " + slowest / 1_000_000 + " ms");
        }
        assertEquals(Stop.OK, Daemon.stopMaestralDaemonProcess(config));
    }

    @Test
    void aClientSigkilledMidCallIsFreedAndOtherClientsSeeNothing() throws Exception {
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        long daemon = Daemon.getMaestralPid(config).orElseThrow();
        Path clients = Path.of(System.getProperty("maestral.dir.runtime"), "shm-" + config, "sessions");
        try (MaestralProxy proxy = new MaestralProxy(config)) {
            proxy.setState("faults", "mine", "before");
            // the daemon keeps two shm sessions ready beside those in use, made after it starts
            int inUse = expectedTransport().equals("shm") ? 1 : 0;
            assertTrue(eventually(() -> entries(clients) >= 2 + inUse, Duration.ofSeconds(10)),
                    "the daemon made its spare shm sessions");
            long fds0 = ProcFigures.openFds(daemon);
            long sockets0 = ProcFigures.openSockets(daemon);
            long sessions0 = entries(clients);
            App victim = new App("longpoll", config);
            assertEquals(expectedTransport(), victim.await("CALLING", Duration.ofSeconds(60)));
            // its socket (uds) or session (shm): the count of all fds also moves as the spare
            // sessions' queue files roll each second
            assertTrue(eventually(() -> sockets(daemon) > sockets0 || entries(clients) > sessions0,
                    Duration.ofSeconds(10)), "the victim's connection or queue is seen");
            Thread.sleep(300); // its long poll is in the daemon now
            long fdsWith = ProcFigures.openFds(daemon);
            long sessionsWith = entries(clients);
            long killedAt = System.nanoTime();
            victim.process.destroyForcibly();
            assertTrue(victim.process.waitFor(10, TimeUnit.SECONDS));
            CompletableFuture<Boolean> freed = CompletableFuture.supplyAsync(() -> {
                try {
                    return eventually(() -> fds(daemon) <= fds0 && entries(clients) <= sessions0,
                            Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    return false;
                }
            });
            for (int i = 0; i < 200; i++) { // meanwhile the other client gets its own answers
                proxy.setState("faults", "mine", "v" + i);
                assertEquals("v" + i, proxy.getState("faults", "mine"));
            }
            assertTrue(freed.get(20, TimeUnit.SECONDS), "the daemon still holds the dead client: fds "
                    + fds(daemon) + " (before " + fds0 + "), sessions " + entries(clients) + " (before " + sessions0 + ")");
            long freedMs = (System.nanoTime() - killedAt) / 1_000_000;
            assertEquals("Stopped", proxy.status());
            figure("FaultsIT#clientSigkilled", "daemonFds=" + fds0 + "->" + fdsWith + "->" + fds(daemon)
                    + " shmSessions=" + sessions0 + "->" + sessionsWith + "->" + entries(clients)
                    + " freedWithinMs=" + freedMs + " otherClientCalls=400 otherClientErrors=0");
        }
        assertEquals(Stop.OK, Daemon.stopMaestralDaemonProcess(config));
    }

    @Test
    void aDeletedLockFileMakesTheDaemonStepDownBeforeASecondOneServes() throws Exception {
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
        long first = Daemon.getMaestralPid(config).orElseThrow();
        ProcessHandle firstHandle = ProcessHandle.of(first).orElseThrow();
        Path lockFile = Daemon.lockPathForConfig(config);
        signal("STOP", first); // hold it still while a user deletes its lock file
        try {
            Files.delete(lockFile);
            assertFalse(Daemon.isRunning(config), "no one holds the (new) lock file");
            String doctor = maestral("doctor", "-c", config).out();
            assertTrue(doctor.contains("PROBLEM") && doctor.contains("daemon pid " + first)
                    && doctor.contains("does not hold the lock") && doctor.contains("missing"), doctor);

            CompletableFuture<Start> second = CompletableFuture.supplyAsync(
                    () -> Daemon.startMaestralDaemonProcess(config, false, false, true));
            assertTrue(eventually(() -> Daemon.getMaestralPid(config).isPresent(), Duration.ofSeconds(30)),
                    "the second daemon takes the new lock");
            long secondPid = Daemon.getMaestralPid(config).getAsLong();
            assertNotEquals(first, secondPid);
            Thread.sleep(1500);
            assertFalse(second.isDone(), "the second daemon waits while the first one still runs");
            assertTrue(firstHandle.isAlive());
            assertEquals(first, InstanceRecord.read(instanceFile()).orElseThrow().pid(),
                    "the second daemon has bound and published nothing yet");
            long resumed = System.nanoTime();
            signal("CONT", first);
            assertEquals(Start.OK, second.get(60, TimeUnit.SECONDS));
            firstHandle.onExit().get(20, TimeUnit.SECONDS);
            long handOverMs = (System.nanoTime() - resumed) / 1_000_000;
            assertEquals(secondPid, InstanceRecord.read(instanceFile()).orElseThrow().pid());
            assertTrue(Files.exists(Daemon.sockPathForConfig(config)), "the first daemon left the second's socket");
            try (MaestralProxy proxy = new MaestralProxy(config)) {
                assertEquals("Stopped", proxy.status());
            }
            String healthy = maestral("doctor", "-c", config).out();
            assertFalse(healthy.contains("PROBLEM"), healthy);
            assertTrue(healthy.contains("Lock holder:    pid " + secondPid), healthy);
            figure("FaultsIT#lockFileDeleted", "firstPid=" + first + " secondPid=" + secondPid
                    + " doctorReported=yes secondWaitedForFirst=yes handOverAfterResumeMs=" + handOverMs
                    + " bothServing=never");
        } finally {
            if (firstHandle.isAlive()) {
                signal("CONT", first);
                firstHandle.destroyForcibly();
            }
        }
        assertEquals(Stop.OK, Daemon.stopMaestralDaemonProcess(config));
    }

    @Test
    void aRuntimeFolderWithTheWrongModeOrOwnerIsNamedAndNothingStarts() throws Exception {
        Path runtime = base.resolve("rt-bad");
        Files.createDirectories(runtime);
        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxr-xr-x"));
        System.setProperty("maestral.dir.runtime", runtime.toString());

        ChildLauncher.Outcome open = ChildLauncher.start(config, false, false, true);
        assertEquals(Start.FAILED, open.result());
        assertTrue(open.detail().contains(runtime.toString()) && open.detail().contains("rwx------"), open.detail());
        assertEquals(Start.FAILED, Daemon.startMaestralDaemonProcess(config, false, false, true));
        CliResult cli = maestral("start", "-c", config);
        assertEquals(1, cli.status());
        assertTrue(cli.err().contains(runtime.toString()) && cli.err().contains("mode"), cli.err());
        assertNothingStarted(runtime);

        String owner = "not run: needs root to give the folder to another user";
        if ("root".equals(System.getProperty("user.name"))) {
            Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
            Files.setAttribute(runtime, "unix:uid", 65534);
            try {
                ChildLauncher.Outcome foreign = ChildLauncher.start(config, false, false, true);
                assertEquals(Start.FAILED, foreign.result());
                assertTrue(foreign.detail().contains(runtime.toString())
                        && foreign.detail().contains("belongs to uid 65534"), foreign.detail());
                CliResult cli2 = maestral("start", "-c", config);
                assertEquals(1, cli2.status());
                assertTrue(cli2.err().contains(runtime.toString()) && cli2.err().contains("uid 65534"), cli2.err());
                IllegalStateException inProcess = assertThrows(IllegalStateException.class,
                        () -> Daemon.startMaestralDaemon(config, false, false));
                assertTrue(inProcess.getMessage().contains(runtime.toString()), inProcess.getMessage());
                assertNothingStarted(runtime);
                owner = "FAILED naming the folder and uid 65534";
            } finally {
                Files.setAttribute(runtime, "unix:uid", 0);
            }
        }
        figure("FaultsIT#runtimeFolderWrongModeOrOwner", "mode0755=FAILED naming the folder and rwx------, "
                + "cli exit 1; owner: " + owner + "; lock file made=no, process started=no");
    }

    @Test
    void aFullRuntimeFolderFailsAStartClearlyAndUdsServesOnWhenItFillsLater() throws Exception {
        Assumptions.assumeFalse("shm".equals(System.getProperty("maestral.transport")),
                "runs once, in the uds execution: it exercises both transports itself");
        Path runtime = base.resolve("rt-full");
        Files.createDirectories(runtime);
        if (!run("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", runtime.toString())) {
            System.out.println("FaultsIT full folder skipped: cannot mount a tmpfs (needs root)");
            Assumptions.abort("cannot mount a tmpfs at " + runtime + " (needs root)");
        }
        String transportBefore = System.getProperty("maestral.transport");
        try {
            System.setProperty("maestral.dir.runtime", runtime.toString());
            Path filler = runtime.resolve("filler");
            long filled = fill(filler);

            ChildLauncher.Outcome full = ChildLauncher.start(config, false, false, true);
            assertEquals(Start.FAILED, full.result());
            assertTrue(full.detail().contains("No space left on device"), full.detail());
            assertTrue(eventually(() -> !Daemon.isRunning(config), Duration.ofSeconds(5)));
            String startError = full.detail().lines().filter(l -> l.contains("No space left"))
                    .findFirst().orElse("").trim();

            Files.delete(filler);
            // Both transports served. Chronicle maps its queue files sparse: a page that a full
            // tmpfs cannot back kills the process with SIGBUS when touched, so the shm
            // transport refuses to append below a free-space margin (FrameWriter.MIN_FREE_BYTES).
            assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, false, true));
            long daemon = Daemon.getMaestralPid(config).orElseThrow();
            Path go = base.resolve("go-" + config);
            System.setProperty("maestral.transport", "shm");
            App shmClient = new App("calls-when", config, go.toString(), "20");
            System.setProperty("maestral.transport", "uds");
            assertEquals("shm", shmClient.await("CONNECTED", Duration.ofSeconds(60)));
            try (MaestralProxy uds = new MaestralProxy(config)) {
                assertEquals("Stopped", uds.status());
                fill(filler);
                Files.createFile(go);
                String shmCalls = shmClient.await("CALLS", Duration.ofSeconds(60));
                assertTrue(shmCalls.startsWith("ok=0 "), "shm calls into a full folder: " + shmCalls);
                String shmFailure = shmClient.await("FAILURE", Duration.ofSeconds(10));
                assertTrue(shmFailure.contains("CommunicationError") && shmFailure.contains("bytes free"),
                        "a clear shm error: " + shmFailure);
                for (int i = 0; i < 200; i++) {
                    assertEquals("included", uds.excludedStatus("/full/" + i), "uds serves on");
                }
                try (MaestralProxy fresh = new MaestralProxy(config)) {
                    assertEquals("Stopped", fresh.status(), "a new uds client connects");
                }
                assertTrue(ProcessHandle.of(daemon).map(ProcessHandle::isAlive).orElse(false), "the daemon survives");
                figure("FaultsIT#runtimeFolderFull", "tmpfs=4MiB filler=" + filled + "B start into full folder=FAILED('"
                        + startError + "'); running daemon (uds and shm served) after the folder filled: shm client "
                        + shmCalls + " with '" + shmFailure + "'; uds 200/200 calls ok, new uds client ok, daemon alive");
            } finally {
                Files.deleteIfExists(filler);
            }
            assertEquals(Stop.OK, Daemon.stopMaestralDaemonProcess(config));
        } finally {
            restoreTransport(transportBefore);
            OptionalLongCheck.kill(config);
            if (!run("umount", runtime.toString())) {
                run("umount", "-l", runtime.toString());
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------

    /** Ends a daemon still running on the folder about to be unmounted, by its pid. */
    private static final class OptionalLongCheck {
        static void kill(String config) throws InterruptedException {
            var pid = Daemon.getMaestralPid(config);
            if (pid.isPresent() && pid.getAsLong() != ProcessHandle.current().pid()) {
                Daemon.stopMaestralDaemonProcess(config, Duration.ofSeconds(3));
            }
        }
    }

    private static void restoreTransport(String value) {
        if (value == null) {
            System.clearProperty("maestral.transport");
        } else {
            System.setProperty("maestral.transport", value);
        }
    }

    /** Writes zeros until the file system is full. {@return the bytes written} */
    private static long fill(Path file) throws IOException {
        long written = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer zeros = ByteBuffer.allocate(4096);
            while (written < (64L << 20)) {
                zeros.clear();
                written += ch.write(zeros);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
        return written;
    }

    private void assertNothingStarted(Path runtime) {
        assertFalse(Files.exists(runtime.resolve(config + ".lock")), "a lock file was made in the bad folder");
        assertFalse(Files.exists(Path.of(System.getProperty("maestral.dir.log"), config + ".out")),
                "a daemon process was launched");
        assertFalse(Daemon.getMaestralPid(config).isPresent());
    }

    private Path instanceFile() {
        return Path.of(System.getProperty("maestral.dir.runtime"), config + ".instance");
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

    private static long sockets(long pid) {
        try {
            return ProcFigures.openSockets(pid);
        } catch (IOException e) {
            return -1;
        }
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        // Waits first, with a deadline, then reads: mount and umount print a line at most, and a
        // read before the wait would block for as long as the command hangs.
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            System.out.println(String.join(" ", command) + ": " + out.trim());
        }
        return p.exitValue() == 0;
    }

    private static void signal(String name, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue());
    }
}
