package maestral.lock;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test's side of a {@link LockAgent} child JVM: sends it one command at a time and waits for
 * its answer with a deadline. A child that does not answer in time, dies or answers an error fails
 * the test (with its stderr in the message) and is marked {@link #broken()}.
 *
 * <p>The child is only ever ended through its own {@link Process} handle ({@link #kill()},
 * {@link #close()}).
 */
final class AgentProcess implements AutoCloseable {

    /** How long a started JVM may take to say it is ready (2 slow cores, several JVMs). */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long one answer may take. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(20);
    /** How long a killed child may take to be gone. */
    static final Duration EXIT_TIMEOUT = Duration.ofSeconds(20);

    private static final String EOF = "\0eof";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private volatile String label;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final Path stderr;
    private boolean ready;
    private boolean broken;
    /** Commands sent whose answer was not read yet. */
    private int pending;

    private AgentProcess(String label, Process process, Path stderr) {
        this.label = label;
        this.process = process;
        this.stderr = stderr;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readAnswers, "agent-reader-" + label + "-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts a child JVM running {@link LockAgent} on the lock {@code folder/NAME.lock}. Does not
     * wait until it is ready: the first {@link #call} does.
     *
     * @param label the child's name in messages
     * @param folder the lock's folder
     * @param name the lock's name
     * @param logs the folder for the child's stderr
     */
    static AgentProcess start(String label, Path folder, String name, Path logs) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(java.toString(),
                "--enable-native-access=ALL-UNNAMED",
                // a small, quickly started JVM: the agent does almost nothing
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-cp", classPath(), LockAgent.class.getName(), folder.toString(), name));
        Path stderr = logs.resolve(label + "-" + COUNTER.incrementAndGet() + ".stderr");
        try {
            Files.createDirectories(logs);
            Process process = new ProcessBuilder(command)
                    .redirectError(stderr.toFile())
                    .start();
            return new AgentProcess(label, process, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /**
     * The class path of this JVM, plus the folders or jars of the lock and of the agent in case
     * {@code java.class.path} is only a launcher jar.
     */
    private static String classPath() {
        StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
        for (Class<?> c : List.of(Lock.class, LockAgent.class)) {
            try {
                cp.append(File.pathSeparatorChar)
                        .append(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
            } catch (URISyntaxException | RuntimeException e) {
                // java.class.path alone must do
            }
        }
        return cp.toString();
    }

    private void readAnswers() {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                answers.add(line);
            }
        } catch (IOException e) {
            // the child is gone
        } finally {
            answers.add(EOF);
        }
    }

    /** {@return the child's pid} */
    long pid() {
        return process.pid();
    }

    /** {@return the child's label} */
    String label() {
        return label;
    }

    /**
     * Names the child anew (a spare put to use).
     *
     * @param label the child's name in messages
     */
    void relabel(String label) {
        this.label = label;
    }

    /** {@return whether the child runs} */
    boolean alive() {
        return process.isAlive();
    }

    /**
     * {@return whether the child must be replaced: it failed to answer properly once, died, or
     * still owes an answer (a test failed in the middle of a conversation)}
     */
    boolean broken() {
        return broken || pending != 0 || !process.isAlive();
    }

    /** Waits until the child said it is ready, failing after {@link #START_TIMEOUT}. */
    void awaitReady() {
        if (ready) {
            return;
        }
        String line = next(START_TIMEOUT, "start");
        if (!line.equals("ready " + process.pid())) {
            throw failure("answered '" + line + "' instead of 'ready " + process.pid() + "'");
        }
        ready = true;
    }

    /**
     * Sends a command without waiting for its answer; read it with {@link #await} or
     * {@link #poll}.
     *
     * @param command the command
     */
    void send(String command) {
        awaitReady();
        try {
            stdin.write(command + "\n");
            stdin.flush();
            pending++;
        } catch (IOException e) {
            throw failure("cannot be sent '" + command + "': " + e);
        }
    }

    /**
     * Waits for the next answer.
     *
     * @param timeout how long it may take
     * @param what the command, for messages
     * @return the answer
     */
    String await(Duration timeout, String what) {
        String answer = next(timeout, what);
        pending--;
        if (answer.startsWith("error")) {
            throw failure("answered '" + answer + "' to '" + what + "'");
        }
        return answer;
    }

    /**
     * {@return the next answer if there is one already, else null}
     *
     * @param what the command, for messages
     */
    String poll(String what) {
        String answer = answers.poll();
        if (answer == null) {
            return null;
        }
        pending--;
        if (answer.equals(EOF)) {
            answers.add(EOF);
            throw failure("exited (" + exitCode() + ") instead of answering '" + what + "'");
        }
        if (answer.startsWith("error")) {
            throw failure("answered '" + answer + "' to '" + what + "'");
        }
        return answer;
    }

    /**
     * Sends a command and waits for its answer, at most {@link #ANSWER_TIMEOUT}.
     *
     * @param command the command
     * @return the answer
     */
    String call(String command) {
        send(command);
        return await(ANSWER_TIMEOUT, command);
    }

    boolean acquire() {
        return bool(call("acquire"), "acquire");
    }

    /** {@return true when released, false when the lock threw IllegalStateException} */
    boolean release() {
        String answer = call("release");
        return switch (answer) {
            case "ok" -> true;
            case "illegal-state" -> false;
            default -> throw failure("answered '" + answer + "' to 'release'");
        };
    }

    boolean locked() {
        return bool(call("locked"), "locked");
    }

    OptionalLong lockingPid() {
        String answer = call("pid");
        if (answer.equals("none")) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(answer));
        } catch (NumberFormatException e) {
            throw failure("answered '" + answer + "' to 'pid'");
        }
    }

    boolean holds() {
        return bool(call("holds"), "holds");
    }

    private boolean bool(String answer, String what) {
        return switch (answer) {
            case "true" -> true;
            case "false" -> false;
            default -> throw failure("answered '" + answer + "' to '" + what + "'");
        };
    }

    private String next(Duration timeout, String what) {
        String answer;
        try {
            answer = answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for '" + what + "'");
        }
        if (answer == null) {
            throw failure("did not answer '" + what + "' within " + timeout);
        }
        if (answer.equals(EOF)) {
            answers.add(EOF);
            throw failure("exited (" + exitCode() + ") instead of answering '" + what + "'");
        }
        return answer;
    }

    private String exitCode() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? "status " + process.exitValue() : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown status";
        }
    }

    private AssertionError failure(String message) {
        broken = true;
        String err;
        try {
            err = Files.exists(stderr) ? Files.readString(stderr) : "";
        } catch (IOException e) {
            err = "(cannot read " + stderr + ": " + e + ")";
        }
        if (err.length() > 4000) {
            err = "..." + err.substring(err.length() - 4000);
        }
        return new AssertionError("child " + label + " (pid " + process.pid() + ") " + message
                + (err.isBlank() ? "" : "; its stderr:\n" + err));
    }

    /**
     * SIGKILLs the child ({@link Process#destroyForcibly()}) and waits until it is gone, failing
     * after {@link #EXIT_TIMEOUT}.
     */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("child " + label + " (pid " + process.pid()
                        + ") still runs " + EXIT_TIMEOUT + " after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while killing child " + label, e);
        }
    }

    /** Kills the child if it still runs; never throws. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // it is being killed anyway
        }
        process.destroyForcibly();
        try {
            process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return label + "(pid " + process.pid() + ")";
    }
}
