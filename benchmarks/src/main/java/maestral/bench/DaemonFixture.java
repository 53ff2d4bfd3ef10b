package maestral.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import maestral.daemon.Daemon;
import maestral.daemon.Start;
import maestral.daemon.Stop;

/**
 * A maestral daemon in another JVM, started with
 * {@link Daemon#startMaestralDaemonProcess(String, boolean, boolean, boolean)} (attached, so
 * that it dies with this JVM even when this JVM is killed) with all its folders in a
 * {@link TempFolders}. {@link #close()} stops it with
 * {@link Daemon#stopMaestralDaemonProcess(String, Duration)}, then makes sure its pid is gone,
 * then deletes the folders.
 *
 * <p><b>One at a time per JVM</b>, like {@link TempFolders}.
 */
public final class DaemonFixture implements AutoCloseable {

    /** The configuration name every benchmark daemon uses. */
    public static final String CONFIG = "bench";

    private final TempFolders folders;
    private final long pid;
    private final long startNanos;

    private DaemonFixture(TempFolders folders, long pid, long startNanos) {
        this.folders = folders;
        this.pid = pid;
        this.startNanos = startNanos;
    }

    /**
     * Starts a daemon in fresh temporary folders and waits until it answers.
     *
     * @return the running daemon
     * @throws IllegalStateException when it does not start; its output is in the message
     */
    public static DaemonFixture start() {
        return start(() -> { });
    }

    /**
     * Starts a daemon in fresh temporary folders, running a hook once the folders exist and
     * just before the launch.
     *
     * @param beforeLaunch runs after the folders are installed, before the launch
     * @return the running daemon
     * @throws IllegalStateException when it does not start; its output is in the message
     */
    public static DaemonFixture start(Runnable beforeLaunch) {
        TempFolders folders = TempFolders.install();
        beforeLaunch.run();
        long t0 = System.nanoTime();
        Start started = Daemon.startMaestralDaemonProcess(CONFIG, false, false, false);
        long elapsed = System.nanoTime() - t0;
        if (started != Start.OK) {
            String output = logs(folders);
            folders.close();
            throw new IllegalStateException("the daemon did not start: " + started + "\n" + output);
        }
        long pid = Daemon.getMaestralPid(CONFIG).orElseThrow(
                () -> new IllegalStateException("the daemon started but holds no lock"));
        return new DaemonFixture(folders, pid, elapsed);
    }

    /** {@return the daemon's pid} */
    public long pid() {
        return pid;
    }

    /** {@return how long {@code startMaestralDaemonProcess} took, in nanoseconds} */
    public long startNanos() {
        return startNanos;
    }

    /** {@return the folders the daemon uses} */
    public TempFolders folders() {
        return folders;
    }

    /** {@return the daemon's process, empty once it has exited} */
    public Optional<ProcessHandle> process() {
        return ProcessHandle.of(pid);
    }

    /** Stops the daemon, ends its pid if it lingers, and deletes its folders. */
    @Override
    public void close() {
        boolean stoppedOk = false;
        try {
            Stop stopped = Daemon.stopMaestralDaemonProcess(CONFIG, Duration.ofSeconds(5));
            stoppedOk = stopped == Stop.OK;
            if (!stoppedOk) {
                System.err.println("benchmarks: stopping the daemon (pid " + pid + ") gave " + stopped);
            }
        } finally {
            boolean letExit = stoppedOk; // a daemon recording an AOT cache writes it after its stop
            ProcessHandle.of(pid).ifPresent(h -> {
                if (letExit) {
                    try {
                        h.onExit().get(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        System.err.println("benchmarks: daemon pid " + pid + " still runs 60 s after its stop");
                    }
                }
                h.destroyForcibly();
                try {
                    h.onExit().get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    System.err.println("benchmarks: daemon pid " + pid + " did not exit: " + e);
                }
            });
            folders.close();
        }
    }

    private static String logs(TempFolders folders) {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(folders.dir("log"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                out.append("--- ").append(f.getFileName()).append('\n');
                lines.subList(Math.max(0, lines.size() - 30), lines.size())
                        .forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            out.append("(cannot read the logs: ").append(e.getMessage()).append(')');
        }
        return out.toString();
    }
}
