package maestral.daemon.internal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import maestral.api.spi.TransportProvider;
import maestral.daemon.Start;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a daemon in a new JVM: the caller's own {@code java.home}, its module path or class
 * path, the JVM options every transport declares, and the caller's {@code maestral.*} system
 * properties. Then waits for readiness, noticing at once a child that exits early.
 *
 * <p>Detached, the child makes itself a session leader ({@code setsid}), reads from
 * {@code /dev/null} and writes to {@code NAME.out} in the log folder (or to the caller's
 * output), and outlives the caller. Attached, it stays in the caller's session with a pipe on
 * its standard input; it stops when the pipe closes, which the kernel does when the caller
 * dies, even by SIGKILL.
 */
public final class ChildLauncher {

    private static final Logger LOG = LoggerFactory.getLogger(ChildLauncher.class);

    /** The exit status of a child that found the daemon already running. */
    public static final int EXIT_ALREADY_RUNNING = 3;

    /**
     * The poll interval of the readiness check: until the daemon has written its instance
     * record a poll reads the lock and that file and connects to nothing.
     */
    private static final Duration POLL = Duration.ofMillis(20);
    /** The deadline of one readiness probe's connect and handshake. */
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    /**
     * The AOT cache (JDK 25) a daemon child starts with, when the file is there; this property
     * and the next are this JVM's business and not passed on to the child.
     */
    public static final String AOT_CACHE_PROPERTY = "maestral.daemon.aotCache";
    /** Where a daemon child records an AOT cache when it exits: a training run. */
    public static final String AOT_CACHE_OUTPUT_PROPERTY = "maestral.daemon.aotCacheOutput";

    /** Attached children, kept reachable so that their stdin pipes stay open. */
    private static final List<Process> ATTACHED = new CopyOnWriteArrayList<>();

    private ChildLauncher() {
    }

    /**
     * The outcome of a start, with what went wrong.
     *
     * @param result the result
     * @param detail why it failed, or what happened; never null
     */
    public record Outcome(Start result, String detail) {
    }

    /** {@return the start-up deadline: {@code maestral.startTimeout} seconds, default 30} */
    public static Duration startTimeout() {
        String value = System.getProperty("maestral.startTimeout", "30");
        try {
            return Duration.ofMillis((long) (Double.parseDouble(value) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("maestral.startTimeout must be seconds, not '" + value + "'");
        }
    }

    /**
     * Starts a daemon process and waits until it answers, fails, or the deadline passes.
     *
     * @param configName the configuration
     * @param logToStdout whether the child writes to the caller's standard output
     * @param startSync whether the child starts syncing
     * @param detach whether the child outlives the caller
     * @return the outcome
     */
    public static Outcome start(String configName, boolean logToStdout, boolean startSync, boolean detach) {
        Folders folders = Folders.current();
        try {
            Folders.ensurePrivate(folders.runtime()); // before the lock file is made in a bad folder
        } catch (RuntimeException e) {
            return failed(configName, e.getMessage());
        }
        if (maestral.daemon.Daemon.isRunning(configName)) {
            return new Outcome(Start.ALREADY_RUNNING, "already running");
        }
        Path console = folders.consoleFile(configName);
        ProcessBuilder pb = new ProcessBuilder(command(configName, logToStdout, startSync, detach));
        if (logToStdout) {
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
        } else {
            Folders.ensureExists(console.getParent());
            // Appended, not truncated: racing starts share the file with the daemon that wins.
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()));
        }
        pb.redirectInput(detach ? ProcessBuilder.Redirect.from(new File("/dev/null")) : ProcessBuilder.Redirect.PIPE);
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            return failed(configName, "cannot launch " + pb.command().getFirst() + ": " + e.getMessage());
        }
        if (!detach) {
            ATTACHED.add(child);
            child.onExit().thenRun(() -> ATTACHED.remove(child));
        }
        LOG.debug("Launched daemon for '{}' as pid {}: {}", configName, child.pid(), pb.command());
        return awaitReady(configName, folders, child, logToStdout);
    }

    private static Outcome awaitReady(String configName, Folders folders, Process child, boolean logToStdout) {
        Duration timeout = startTimeout();
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!child.isAlive()) {
                int code = child.exitValue();
                if (code == EXIT_ALREADY_RUNNING) {
                    // Another start won the race; report it once that daemon answers.
                    return ping(configName, folders, end)
                            ? new Outcome(Start.ALREADY_RUNNING, "another start won the race")
                            : failed(configName, "another daemon holds the lock but does not answer");
                }
                return failed(configName, "the daemon process exited with status " + code
                        + " before it was ready" + tail(folders, configName, logToStdout));
            }
            if (answers(configName, folders)) {
                LOG.info("Maestral daemon for '{}' started (pid {})", configName, child.pid());
                return new Outcome(Start.OK, "started, pid " + child.pid());
            }
            if (System.nanoTime() > end) {
                child.destroyForcibly();
                try {
                    child.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return failed(configName, "the daemon (pid " + child.pid() + ") was not ready within "
                        + timeout.toSeconds() + " s (maestral.startTimeout) and was killed"
                        + tail(folders, configName, logToStdout));
            }
            try {
                child.waitFor(POLL.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                child.destroyForcibly();
                return failed(configName, "interrupted while waiting for the daemon");
            }
        }
    }

    private static boolean ping(String configName, Folders folders, long endNanos) {
        while (System.nanoTime() < endNanos) {
            if (answers(configName, folders)) {
                return true;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static boolean answers(String configName, Folders folders) {
        return Connector.answers(folders, configName, PROBE_TIMEOUT);
    }

    private static Outcome failed(String configName, String why) {
        LOG.error("Could not start the maestral daemon for '{}': {}", configName, why);
        return new Outcome(Start.FAILED, why);
    }

    private static String tail(Folders folders, String configName, boolean logToStdout) {
        List<String> lines = new ArrayList<>();
        if (!logToStdout) {
            lines.addAll(lastLines(folders.consoleFile(configName), 20));
        }
        if (lines.isEmpty()) {
            lines.addAll(lastLines(folders.logFile(configName), 20));
        }
        return lines.isEmpty() ? "" : "; its last output:\n  " + String.join("\n  ", lines);
    }

    private static List<String> lastLines(Path file, int n) {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return all.subList(Math.max(0, all.size() - n), all.size());
        } catch (IOException | UncheckedIOException e) {
            return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
        }
    }

    /**
     * {@return the command line of a daemon child of this JVM}
     *
     * @param configName the configuration
     * @param logToStdout whether the child logs to standard output
     * @param startSync whether the child starts syncing
     * @param detach whether the child detaches
     */
    public static List<String> command(String configName, boolean logToStdout, boolean startSync, boolean detach) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        boolean modular = ChildLauncher.class.getModule().isNamed();
        cmd.addAll(modular ? jvmOptions() : forClassPath(jvmOptions()));
        String classPath = System.getProperty("java.class.path", "");
        if (modular) {
            cmd.add("-p");
            cmd.add(System.getProperty("jdk.module.path", ""));
            cmd.add("--add-modules=ALL-MODULE-PATH");
            if (!classPath.isEmpty()) {
                cmd.add("-cp");
                cmd.add(classPath);
            }
            cmd.add("-m");
            cmd.add("maestral.daemon/" + DaemonMain.class.getName());
        } else {
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.add(DaemonMain.class.getName());
        }
        cmd.add("--config-name");
        cmd.add(configName);
        if (logToStdout) {
            cmd.add("--log-to-stdout");
        }
        if (startSync) {
            cmd.add("--start-sync");
        }
        cmd.add(detach ? "--detach" : "--attached");
        return cmd;
    }

    /**
     * Narrows options that name modules to the unnamed module, for a JVM on the class path,
     * where naming modules that are not there only prints warnings.
     *
     * @param options JVM options valid on the module path
     * @return the options for the class path
     */
    public static List<String> forClassPath(List<String> options) {
        List<String> out = new ArrayList<>();
        for (String option : options) {
            int eq = option.indexOf('=');
            String name = eq < 0 ? option : option.substring(0, eq);
            switch (name) {
                case "--enable-native-access" -> out.add(name + "=ALL-UNNAMED");
                case "--add-opens", "--add-exports" -> {
                    int to = option.lastIndexOf('=');
                    String target = option.substring(to + 1);
                    if (to > eq && target.contains("ALL-UNNAMED")) {
                        out.add(option.substring(0, to + 1) + "ALL-UNNAMED");
                    } else if (to <= eq) {
                        out.add(option);
                    }
                }
                case "--add-modules" -> { }
                default -> out.add(option);
            }
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    /** {@return the JVM options of a daemon child: native access, the transports' options, maestral.* properties} */
    static List<String> jvmOptions() {
        Set<String> options = new LinkedHashSet<>();
        options.add("--enable-native-access=ALL-UNNAMED,maestral.lock,org.xerial.sqlitejdbc");
        options.add("-XX:+UseSerialGC");
        for (TransportProvider p : Transports.all().values()) {
            options.addAll(p.jvmOptions());
        }
        options.addAll(aotOptions());
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("maestral.") && !name.startsWith(AOT_CACHE_PROPERTY)) {
                options.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        return List.copyOf(options);
    }

    /**
     * {@return the JVM options of the daemon's AOT cache}: {@code -XX:AOTCache} when
     * {@value #AOT_CACHE_PROPERTY} names a file that is there and not empty (the JVM itself
     * ignores a cache made for another class path, JDK or jar), {@code -XX:AOTCacheOutput} when
     * {@value #AOT_CACHE_OUTPUT_PROPERTY} is set; the JVM's messages about them go unshown
     */
    static List<String> aotOptions() {
        List<String> options = new ArrayList<>();
        String cache = System.getProperty(AOT_CACHE_PROPERTY, "").strip();
        if (!cache.isEmpty()) {
            try {
                if (Files.size(Path.of(cache)) > 0) {
                    options.add("-XX:AOTCache=" + cache);
                }
            } catch (IOException | java.nio.file.InvalidPathException e) {
                LOG.debug("No AOT cache for the daemon at {}: {}", cache, e.toString());
            }
        }
        String output = System.getProperty(AOT_CACHE_OUTPUT_PROPERTY, "").strip();
        if (!output.isEmpty() && options.isEmpty()) {
            options.add("-XX:AOTCacheOutput=" + output);
        }
        if (!options.isEmpty()) {
            options.add("-Xlog:aot=off");
            options.add("-Xlog:cds=off");
        }
        return options;
    }
}
