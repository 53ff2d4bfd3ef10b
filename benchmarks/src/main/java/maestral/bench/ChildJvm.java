package maestral.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A helper JVM started by a benchmark: the same {@code java}, class path and {@link Jvm#FLAGS}
 * as this one, running a {@code main} of this module. It prints {@code READY ...} once it
 * serves (see {@link #ready(String)}), and exits when its standard input closes, so it dies with
 * this JVM even when this JVM is killed. {@link #close()} closes that pipe, then ends the
 * process through its own handle: {@code destroy}, then {@code destroyForcibly}.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final String readyDetail;

    private ChildJvm(Process process, Duration deadline) {
        this.process = process;
        Thread reader = new Thread(this::drain, "child-" + process.pid() + "-output");
        reader.setDaemon(true);
        reader.start();
        String line;
        try {
            line = await("READY", deadline);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.readyDetail = line.substring("READY".length()).strip();
    }

    /**
     * Starts a child JVM and waits until it says {@code READY}.
     *
     * @param mainClass the class whose {@code main} runs
     * @param jvmOptions options beyond {@link Jvm#FLAGS}
     * @param args the program arguments
     * @return the child, serving
     * @throws IllegalStateException when it exits or stays silent for 30 s
     */
    public static ChildJvm start(Class<?> mainClass, List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(Jvm.FLAGS);
        cmd.add("-XX:+UseSerialGC");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new ChildJvm(p, Duration.ofSeconds(30));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    private void drain() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("(output unreadable: " + e.getMessage() + ")");
        }
    }

    /**
     * {@return the next output line that starts with the prefix}
     *
     * @param prefix what the line starts with
     * @param deadline how long to wait
     * @throws IllegalStateException when the child exits or the deadline passes first
     */
    public String await(String prefix, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        List<String> seen = new ArrayList<>();
        while (true) {
            String line;
            try {
                line = lines.poll(Math.min(100_000_000L, Math.max(0, end - System.nanoTime())),
                        TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (line != null) {
                if (line.startsWith(prefix)) {
                    return line;
                }
                seen.add(line);
            } else if (!process.isAlive() && lines.isEmpty()) {
                throw new IllegalStateException("child " + process.pid() + " exited with "
                        + process.exitValue() + " before '" + prefix + "'; its output: " + seen);
            } else if (System.nanoTime() > end) {
                throw new IllegalStateException("child " + process.pid() + " printed no '" + prefix
                        + "' in time; its output: " + seen);
            }
        }
    }

    /** {@return what followed {@code READY} on the child's ready line} */
    public String readyDetail() {
        return readyDetail;
    }

    /** {@return the child's pid} */
    public long pid() {
        return process.pid();
    }

    /** {@return the child's process handle} */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** Closes the child's standard input, then ends it by its handle if it is still alive. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already closed: the child sees EOF either way
        }
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * For a child's {@code main}: announces that it serves, with a detail for the parent.
     *
     * @param detail what the parent needs to know (a path, a port), or empty
     */
    public static void ready(String detail) {
        System.out.println("READY " + detail);
        System.out.flush();
    }

    /**
     * For a child's {@code main}: exits the JVM when the parent closes the child's standard
     * input (or dies), from a daemon thread.
     */
    public static void exitWithParent() {
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // the parent never writes; wait for EOF
                }
            } catch (IOException e) {
                // the pipe broke: the parent is gone
            }
            System.exit(0);
        }, "parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }
}
