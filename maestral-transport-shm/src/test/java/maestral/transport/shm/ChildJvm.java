package maestral.transport.shm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running {@link ShmChild}, launched with this JVM's class path and the
 * transport's own {@code jvmOptions()}, so that those options are tested too. Its stdout is
 * read line by line; its stderr goes to a file. {@link #close()} ends it by its own handle.
 */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private ChildJvm(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread.ofVirtual().name("child-" + process.pid() + "-stdout").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the child ended
            }
        });
    }

    /**
     * Starts a child.
     *
     * @param logDir where its stderr goes
     * @param extraOptions more JVM options, such as {@code -Dmaestral.shm.idle=busy}
     * @param args the arguments of {@link ShmChild}
     * @return the running child
     * @throws IOException when it cannot be started
     */
    static ChildJvm start(Path logDir, List<String> extraOptions, String... args) throws IOException {
        return start(logDir, new ShmTransportProvider().jvmOptions(), extraOptions, args);
    }

    /**
     * Starts a child with the given JVM options instead of the transport's.
     *
     * @param logDir where its stderr goes
     * @param jvmOptions the JVM options
     * @param extraOptions more JVM options
     * @param args the arguments of {@link ShmChild}
     * @return the running child
     * @throws IOException when it cannot be started
     */
    static ChildJvm start(Path logDir, List<String> jvmOptions, List<String> extraOptions, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(extraOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ShmChild.class.getName());
        cmd.addAll(List.of(args));
        Files.createDirectories(logDir);
        Path err = Files.createTempFile(logDir, "child-", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        return new ChildJvm(pb.start(), err);
    }

    /** {@return the child's pid} */
    long pid() {
        return process.pid();
    }

    /** {@return the child's process} */
    Process process() {
        return process;
    }

    /**
     * Waits for a line of stdout that starts with a prefix.
     *
     * @param prefix what the line starts with
     * @param timeout how long at most
     * @return the line
     * @throws AssertionError with the child's stderr when it does not come
     */
    String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = end - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("child " + process.pid() + " did not print '" + prefix
                        + "' within " + timeout + " (alive: " + process.isAlive() + "); stderr:\n" + stderr());
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** {@return what the child wrote to stderr so far} */
    String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Kills the child at once (SIGKILL) and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + process.pid() + " survived SIGKILL for 10 s");
        }
    }

    /**
     * Asks the child to end by closing its stdin, then waits for its exit code.
     *
     * @param timeout how long at most
     * @return the exit code
     */
    int finish(Duration timeout) throws InterruptedException, IOException {
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("child " + process.pid() + " did not end within " + timeout
                    + "; stderr:\n" + stderr());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
