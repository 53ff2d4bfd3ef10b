package maestral.daemon;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import maestral.daemon.cli.Main;
import org.junit.jupiter.api.io.TempDir;
import testapp.TestApp;

/**
 * Puts every folder of the daemon under a temporary folder for one test, gives the test its
 * own configuration name, and ends every daemon and process the test started, by pid.
 */
abstract class DaemonTestSupport {

    /**
     * What one run of the command line printed and returned.
     *
     * @param status the exit status
     * @param out standard output
     * @param err standard error
     */
    record CliResult(int status, String out, String err) {
    }

    /** {@return the outcome of the {@code maestral} command run in this JVM with the arguments} */
    static CliResult maestral(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliResult(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final String[] DIRS = {"runtime", "config", "data", "log"};

    @TempDir
    Path base;

    /** The configuration of this test. */
    String config;

    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void isolateFolders() {
        for (String d : DIRS) {
            System.setProperty("maestral.dir." + d, base.resolve(d).toString());
        }
        config = "it-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void endEverything() throws InterruptedException {
        try {
            OptionalLong pid = Daemon.getMaestralPid(config);
            if (pid.isPresent() && pid.getAsLong() != ProcessHandle.current().pid()) {
                Daemon.stopMaestralDaemonProcess(config, Duration.ofSeconds(3));
                OptionalLong still = Daemon.getMaestralPid(config);
                if (still.isPresent()) {
                    ProcessHandle.of(still.getAsLong()).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } finally {
            for (Process p : processes) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            for (String d : DIRS) {
                System.clearProperty("maestral.dir." + d);
            }
        }
    }

    /**
     * {@return the transport a proxy of this JVM uses: the one {@code maestral.transport}
     * names, else the supported one of highest preference}
     */
    static String expectedTransport() {
        String requested = maestral.daemon.internal.Transports.requestedByClient();
        if (requested != null) {
            return requested;
        }
        return maestral.daemon.internal.Transports.all().values().stream()
                .filter(p -> p.availability().supported()).findFirst().orElseThrow().id();
    }

    /** A child JVM running {@link TestApp}, whose output lines can be awaited. */
    final class App {
        final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> output = new java.util.concurrent.CopyOnWriteArrayList<>();

        App(String... args) throws IOException {
            this(false, args);
        }

        /**
         * @param modulePath whether the app runs on the module path (the library's runtime
         *     folder target/lib) instead of the test class path
         */
        App(boolean modulePath, String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("--enable-native-access=ALL-UNNAMED,maestral.lock,io.netty.common");
            cmd.add("--sun-misc-unsafe-memory-access=allow");
            maestral.daemon.internal.Transports.all().values().forEach(p -> cmd.addAll(p.jvmOptions()));
            if (System.getProperty("maestral.transport") != null) {
                cmd.add("-Dmaestral.transport=" + System.getProperty("maestral.transport"));
            }
            for (String d : DIRS) {
                cmd.add("-Dmaestral.dir." + d + "=" + System.getProperty("maestral.dir." + d));
            }
            // A first shm connection in a fresh JVM initialises Chronicle (1-2 s alone); several
            // client JVMs starting at once on a loaded 2-core machine can need more than the
            // default 5 s. Every call still has its deadline.
            cmd.add("-Dmaestral.connectTimeout=30");
            if (modulePath) {
                cmd.addAll(List.of("-p", System.getProperty("test.maestral.lib"),
                        "--add-modules", "ALL-MODULE-PATH",
                        "-cp", System.getProperty("test.maestral.testClasses")));
            } else {
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
            }
            cmd.add(TestApp.class.getName());
            cmd.addAll(List.of(args));
            process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            processes.add(process);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                        output.add(line);
                    }
                } catch (IOException e) {
                    lines.add("READ FAILED " + e);
                }
            }, "app-output-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        /** {@return everything the app printed so far} */
        String output() {
            return String.join("\n", output);
        }

        /** {@return the next line starting with the prefix, failing after the deadline} */
        String await(String prefix, Duration deadline) throws InterruptedException {
            long end = System.nanoTime() + deadline.toNanos();
            List<String> seen = new ArrayList<>();
            while (true) {
                String line = lines.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("no line starting with '" + prefix + "' within " + deadline
                            + "; output so far: " + seen);
                }
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length()).trim();
                }
                seen.add(line);
            }
        }
    }

    /**
     * Waits for a condition, polling, up to a deadline.
     *
     * @return whether it became true in time
     */
    static boolean eventually(java.util.function.BooleanSupplier condition, Duration deadline)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }
}
