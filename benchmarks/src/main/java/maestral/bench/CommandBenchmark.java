package maestral.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A whole {@code ./maestral status} process, wall time: the script's freshness check, a new
 * JVM with the command's AOT cache, connecting, the calls {@code status} makes, and exit.
 * The command finds the benchmark daemon through {@code JDK_JAVA_OPTIONS} carrying the
 * {@code -Dmaestral.dir.*} folders. The repository root is taken from
 * {@code MAESTRAL_BENCH_ROOT} or else from where this class was loaded
 * ({@code ROOT/benchmarks/target/...}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.NO_DISK_MONITOR,
        Jvm.OPEN_REFLECT, Jvm.EXPORT_NIO, Jvm.EXPORT_REF, Jvm.NATIVE_ACCESS, Jvm.UNSAFE_ALLOW})
public class CommandBenchmark {

    private DaemonFixture daemon;
    private ProcessBuilder command;

    /** Creates the state; JMH calls it. */
    public CommandBenchmark() {
    }

    /**
     * Starts the daemon and checks that {@code ./maestral status} reaches it.
     *
     * @throws IOException when the command cannot start
     * @throws InterruptedException when interrupted while waiting for it
     */
    @Setup(Level.Trial)
    public void start() throws IOException, InterruptedException {
        Path script = repositoryRoot().resolve("maestral");
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException("no executable " + script);
        }
        daemon = DaemonFixture.start();
        command = new ProcessBuilder(script.toString(), "status", "-c", DaemonFixture.CONFIG)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        command.environment().put("JDK_JAVA_OPTIONS",
                String.join(" ", daemon.folders().systemPropertyOptions()));
        Process p = command.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) { // first: its output is a few lines
            p.destroyForcibly();
            daemon.close();
            throw new IllegalStateException("./maestral status did not finish within 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.exitValue();
        if (code != 0 || !out.contains("Status:")) {
            daemon.close();
            throw new IllegalStateException("./maestral status gave " + code + ":\n" + out);
        }
        command.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }

    /** Stops the daemon. */
    @TearDown(Level.Trial)
    public void stop() {
        daemon.close();
    }

    /**
     * {@return the command's exit status}
     *
     * @throws IOException when the command cannot start
     * @throws InterruptedException when interrupted while waiting
     */
    @Benchmark
    public int maestralStatusProcess() throws IOException, InterruptedException {
        Process p = command.start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("./maestral status took over 60 s");
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        int code = p.exitValue();
        if (code != 0) {
            throw new IllegalStateException("./maestral status exited with " + code);
        }
        return code;
    }

    /** {@return the repository root: the parent of the benchmarks folder} */
    static Path repositoryRoot() {
        String env = System.getenv("MAESTRAL_BENCH_ROOT");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        try {
            // ROOT/benchmarks/target/benchmarks.jar or ROOT/benchmarks/target/classes
            Path loaded = Path.of(CommandBenchmark.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI());
            for (Path p = loaded; p != null; p = p.getParent()) {
                if (p.getFileName() != null && p.getFileName().toString().equals("benchmarks")
                        && Files.exists(p.resolve("pom.xml"))) {
                    return p.getParent();
                }
            }
            throw new IllegalStateException("cannot find the repository root above " + loaded
                    + "; set MAESTRAL_BENCH_ROOT");
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
