package maestral.daemon.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import maestral.api.CommunicationError;
import maestral.api.FileMetadata;
import maestral.api.Maestral;
import maestral.api.MaestralApiError;
import maestral.api.SyncEvent;
import maestral.api.spi.TransportClient;
import maestral.api.spi.TransportProvider;
import maestral.daemon.Daemon;
import maestral.daemon.MaestralProxy;
import maestral.daemon.Stop;
import maestral.daemon.internal.ChildLauncher;
import maestral.daemon.internal.Connector;
import maestral.daemon.internal.Folders;
import maestral.daemon.internal.InstanceRecord;
import maestral.daemon.internal.LocalMaestral;
import maestral.daemon.internal.Transports;

/**
 * The {@code maestral} command line. Exit status 0 on success, 1 on a failure the user must
 * act on, 2 on bad usage.
 */
public final class Main {

    private static final String NOT_RUNNING = "Maestral daemon is not running.";
    private static final String USAGE = """
            usage: maestral COMMAND [-c NAME] [options]

            Commands:
              start [-f|--foreground] [-v|--verbose]   start the daemon
              stop                                     stop the daemon
              restart [-v|--verbose]                   stop, then start the daemon
              status [-v|--verbose]                    show the daemon's status
              pause | resume                           pause or resume syncing
              filestatus PATH                          sync status of a local file
              activity | history                       queued and past sync events
              ls [PATH] [-r|--recursive]               list a remote folder
              log level [LEVEL]                        show or set the log level (10..50)
              excluded list | add PATH | remove PATH   selective sync
              link TARGET [--folder PATH] | unlink     connect to a remote (a folder path or URI)
                                                       and choose the local folder (default
                                                       ~/Maestral), or forget the remote
              configs                                  list the configurations
              doctor                                   show folders, lock, endpoints and transports

            Options for every command:
              -c, --config-name NAME   the configuration (default: maestral)
              -h, --help               this help
            """;

    private final PrintStream out;
    private final PrintStream err;
    private String configName = "maestral";
    private boolean verbose;
    private boolean foreground;
    private boolean recursive;
    private String folder;
    private final List<String> words = new ArrayList<>();

    private Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the command and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // One call per process: the cheapest connection to set up wins over the fastest call.
        if (System.getProperty(Transports.PREFER_PROPERTY) == null) {
            System.setProperty(Transports.PREFER_PROPERTY, Transports.CHEAPEST_FIRST_CONNECT);
        }
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /**
     * Runs the command.
     *
     * @param args the command line
     * @param out standard output
     * @param err standard error
     * @return the exit status
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Main main = new Main(out, err);
        try {
            return main.execute(args);
        } catch (UsageError e) {
            err.println("maestral: " + e.getMessage());
            err.println("Try 'maestral --help'.");
            return 2;
        } catch (MaestralApiError e) {
            err.println(e.title() + ": " + e.message());
            return 1;
        } catch (CommunicationError e) {
            err.println(e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            err.println("maestral: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("maestral: " + e);
            return 1;
        }
    }

    /** Bad usage: exit status 2. */
    private static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    private int execute(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-c", "--config-name" -> {
                    if (i + 1 >= args.length) {
                        throw new UsageError(a + " needs a configuration name");
                    }
                    configName = args[++i];
                }
                case "-v", "--verbose" -> verbose = true;
                case "-f", "--foreground" -> foreground = true;
                case "-r", "--recursive" -> recursive = true;
                case "--folder" -> {
                    if (i + 1 >= args.length) {
                        throw new UsageError(a + " needs a folder path");
                    }
                    folder = args[++i];
                }
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    if (a.startsWith("--config-name=")) {
                        configName = a.substring("--config-name=".length());
                    } else if (a.startsWith("--folder=")) {
                        folder = a.substring("--folder=".length());
                    } else if (a.startsWith("-") && a.length() > 1) {
                        throw new UsageError("unknown option '" + a + "'");
                    } else {
                        words.add(a);
                    }
                }
            }
        }
        if (words.isEmpty()) {
            out.print(USAGE);
            return 2;
        }
        Daemon.maestralLock(configName); // checks the name: exit 2 when it is bad
        String command = words.removeFirst();
        if (folder != null && !command.equals("link")) {
            throw new UsageError("--folder goes with link only");
        }
        return switch (command) {
            case "start" -> start();
            case "stop" -> stop();
            case "restart" -> restart();
            case "status" -> status();
            case "pause" -> withDaemon(m -> {
                m.pauseSync();
                out.println("Syncing paused.");
            });
            case "resume" -> withDaemon(m -> {
                m.resumeSync();
                out.println("Syncing resumed.");
            });
            case "filestatus" -> fileStatus();
            case "activity" -> withDaemon(m -> {
                out.println(m.status());
                printEvents(m.getActivity(100), "No sync activity.");
            });
            case "history" -> withDaemon(m -> printEvents(m.getHistory(100), "No sync history."));
            case "ls" -> ls();
            case "log" -> log();
            case "excluded" -> excluded();
            case "link" -> link();
            case "unlink" -> withFallback(m -> {
                m.unlink();
                out.println("Unlinked.");
            });
            case "configs" -> configs();
            case "doctor" -> doctor();
            default -> throw new UsageError("unknown command '" + command + "'");
        };
    }

    /**
     * Links, through the daemon when it runs (which then starts syncing), else offline by
     * writing the config, which the next {@code start} picks up.
     */
    private int link() {
        String target = argument("link", "TARGET");
        // A path is resolved here, where the user typed it, not in the daemon's working folder.
        if (!target.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            target = Path.of(target.startsWith("~/") ? LocalMaestral.home() + target.substring(1) : target)
                    .toAbsolutePath().normalize().toString();
        }
        String remote = target;
        boolean daemon = Daemon.isRunning(configName);
        return withFallback(m -> {
            if (folder != null) {
                String f = folder.startsWith("~/") ? LocalMaestral.home() + folder.substring(1) : folder;
                m.createDropboxDirectory(Path.of(f).toAbsolutePath().normalize().toString());
            }
            m.link(remote);
            out.println("Linked to " + remote + ".");
            out.println("Local folder: " + m.dropboxPath());
            if (daemon) {
                m.startSync();
                out.println("Syncing started.");
            } else {
                out.println("Run 'maestral start' to sync.");
            }
        });
    }

    private String argument(String command, String name) {
        if (words.isEmpty()) {
            throw new UsageError(command + " needs " + name);
        }
        String value = words.removeFirst();
        noMoreWords(command);
        return value;
    }

    private void noMoreWords(String command) {
        if (!words.isEmpty()) {
            throw new UsageError("too many arguments for " + command + ": " + words);
        }
    }

    /** A command body run against a {@code Maestral}. */
    @FunctionalInterface
    private interface Body {
        void run(Maestral m);
    }

    private int withDaemon(Body body) {
        noMoreWords("this command");
        if (!Daemon.isRunning(configName)) {
            out.println(NOT_RUNNING);
            return 1;
        }
        try (MaestralProxy m = new MaestralProxy(configName)) {
            body.run(m);
        }
        return 0;
    }

    private int withFallback(Body body) {
        try (MaestralProxy m = new MaestralProxy(configName, true)) {
            body.run(m);
        }
        return 0;
    }

    private int start() {
        noMoreWords("start");
        if (foreground) {
            try {
                Daemon.startMaestralDaemon(configName, verbose, true);
                return 0;
            } catch (IllegalStateException e) {
                if (Daemon.isRunning(configName)) {
                    out.println("Maestral daemon is already running.");
                    return 0;
                }
                throw e;
            }
        }
        ChildLauncher.Outcome outcome = ChildLauncher.start(configName, verbose, true, true);
        return switch (outcome.result()) {
            case OK -> {
                out.println("Started Maestral daemon for '" + configName + "'.");
                yield 0;
            }
            case ALREADY_RUNNING -> {
                out.println("Maestral daemon is already running.");
                yield 0;
            }
            case FAILED -> {
                err.println("Could not start the Maestral daemon: " + outcome.detail());
                err.println("Log: " + Folders.current().logFile(configName));
                yield 1;
            }
        };
    }

    private int stop() {
        noMoreWords("stop");
        Stop result = Daemon.stopMaestralDaemonProcess(configName);
        switch (result) {
            case OK -> out.println("Stopped Maestral daemon.");
            case KILLED -> out.println("Maestral daemon did not stop in time and was killed.");
            case NOT_RUNNING -> out.println(NOT_RUNNING);
            case FAILED -> {
                err.println("Could not stop the Maestral daemon" + Daemon.getMaestralPid(configName)
                        .stream().mapToObj(p -> " (pid " + p + ")").findFirst().orElse("") + ".");
                return 1;
            }
        }
        return 0;
    }

    private int restart() {
        int stopped = stop();
        return stopped != 0 ? stopped : start();
    }

    private int status() {
        noMoreWords("status");
        if (!Daemon.isRunning(configName)) {
            out.println(NOT_RUNNING);
            if (verbose) {
                printFolders();
            }
            return 1;
        }
        try (MaestralProxy m = new MaestralProxy(configName)) {
            out.println("Config:        " + configName);
            out.println("Status:        " + m.status());
            out.println("Account:       " + (m.pendingLink() ? "not linked" : account(m)));
            out.println("Local folder:  " + (m.dropboxPath().isEmpty() ? "not set up" : m.dropboxPath()));
            int errors = m.syncErrors().size();
            out.println("Sync errors:   " + errors);
            if (!m.pendingLink()) {
                out.println("Remote:        " + m.getConf("main", "remote"));
            }
            if (verbose) {
                out.println("Pid:           " + Daemon.getMaestralPid(configName).orElse(-1));
                out.println("Transport:     " + m.transport());
                out.println("Version:       " + m.version());
                printFolders();
            }
        }
        return 0;
    }

    private static String account(Maestral m) {
        var info = m.getAccountInfo();
        return info.displayName() + (info.email().isEmpty() ? "" : " <" + info.email() + ">");
    }

    private int fileStatus() {
        String path = argument("filestatus", "PATH");
        if (!Daemon.isRunning(configName)) {
            out.println("unwatched");
            return 0;
        }
        try (MaestralProxy m = new MaestralProxy(configName)) {
            out.println(m.getFileStatus(Path.of(path).toAbsolutePath().normalize().toString()));
        }
        return 0;
    }

    private void printEvents(List<SyncEvent> events, String none) {
        if (events.isEmpty()) {
            out.println(none);
        }
        for (SyncEvent e : events) {
            String bytes = e.size() > 0 ? "  " + size(e.completed()) + "/" + size(e.size()) : "";
            out.printf("%-8s %-5s %-9s %s%s%n", e.status(), e.direction(), e.changeType(), e.dbxPath(), bytes);
        }
    }

    private static String size(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(java.util.Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    private int ls() {
        String path = words.isEmpty() ? "/" : words.removeFirst();
        noMoreWords("ls");
        return withFallback(m -> {
            for (FileMetadata f : m.listFolder(path, recursive)) {
                out.println(f.pathDisplay() + (f.folder() ? "/" : ""));
            }
        });
    }

    private int log() {
        if (words.isEmpty() || !words.getFirst().equals("level")) {
            throw new UsageError("usage: maestral log level [LEVEL]");
        }
        words.removeFirst();
        String level = words.isEmpty() ? null : words.removeFirst();
        noMoreWords("log level");
        return withFallback(m -> {
            if (level == null) {
                out.println(levelName(m.logLevel()));
            } else {
                int value = parseLevel(level);
                m.setLogLevel(value);
                out.println("Log level set to " + levelName(value) + ".");
            }
        });
    }

    private static int parseLevel(String level) {
        return switch (level.toUpperCase(java.util.Locale.ROOT)) {
            case "DEBUG", "10" -> 10;
            case "INFO", "20" -> 20;
            case "WARNING", "WARN", "30" -> 30;
            case "ERROR", "40" -> 40;
            case "CRITICAL", "50" -> 50;
            default -> throw new UsageError("unknown log level '" + level
                    + "': use DEBUG, INFO, WARNING, ERROR, CRITICAL or 10..50");
        };
    }

    private static String levelName(int level) {
        return switch (level) {
            case 10 -> "DEBUG";
            case 20 -> "INFO";
            case 30 -> "WARNING";
            case 40 -> "ERROR";
            case 50 -> "CRITICAL";
            default -> Integer.toString(level);
        };
    }

    private int excluded() {
        if (words.isEmpty()) {
            throw new UsageError("usage: maestral excluded list | add PATH | remove PATH");
        }
        String action = words.removeFirst();
        return switch (action) {
            case "list" -> {
                noMoreWords("excluded list");
                yield withFallback(m -> {
                    List<String> items = m.excludedItems();
                    if (items.isEmpty()) {
                        out.println("No excluded items.");
                    }
                    items.forEach(out::println);
                });
            }
            case "add" -> {
                String path = argument("excluded add", "PATH");
                yield withFallback(m -> {
                    m.excludeItem(path);
                    out.println("Excluded '" + path + "'.");
                });
            }
            case "remove" -> {
                String path = argument("excluded remove", "PATH");
                yield withFallback(m -> {
                    m.includeItem(path);
                    out.println("Included '" + path + "'.");
                });
            }
            default -> throw new UsageError("unknown action 'excluded " + action + "'");
        };
    }

    private int configs() {
        noMoreWords("configs");
        Folders folders = Folders.current();
        Path dir = folders.config();
        // On macOS config and state share a folder: NAME.state.json is no configuration.
        boolean sharedWithState = dir.equals(folders.data());
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                        .filter(n -> !(sharedWithState && n.endsWith(".state.json")))
                        .map(n -> n.substring(0, n.length() - ".json".length())).sorted().forEach(names::add);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        if (names.isEmpty()) {
            out.println("No configurations in " + dir + ".");
        }
        for (String name : names) {
            out.println(name + (Daemon.isRunning(name) ? "  (running)" : ""));
        }
        return 0;
    }

    private void printFolders() {
        Folders f = Folders.current();
        out.println("Runtime folder: " + f.runtime());
        out.println("Lock file:      " + f.lockFile(configName));
        out.println("Socket:         " + f.socketFile(configName));
        out.println("Config file:    " + f.configFile(configName));
        out.println("State file:     " + f.stateFile(configName));
        out.println("Log file:       " + f.logFile(configName));
    }

    private int doctor() {
        noMoreWords("doctor");
        Folders f = Folders.current();
        out.println("Configuration:  " + configName);
        printFolders();
        Path runtime = f.runtime();
        if (Files.isDirectory(runtime, LinkOption.NOFOLLOW_LINKS)) {
            try {
                out.println("Runtime mode:   " + PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(runtime, LinkOption.NOFOLLOW_LINKS)) + ", owner uid "
                        + Files.getAttribute(runtime, "unix:uid", LinkOption.NOFOLLOW_LINKS));
                Folders.ensurePrivate(runtime);
            } catch (java.io.IOException | RuntimeException e) {
                out.println("PROBLEM:        " + e.getMessage());
            }
        } else {
            out.println("Runtime mode:   (folder does not exist yet)");
        }
        OptionalLong pid = Daemon.getMaestralPid(configName);
        out.println("Lock holder:    " + (pid.isPresent() ? "pid " + pid.getAsLong() : "none (not running)"));
        var record = InstanceRecord.read(f.instanceFile(configName));
        if (record.isPresent()) {
            InstanceRecord r = record.get();
            out.println("Instance:       pid " + r.pid() + ", started " + r.started() + ", version "
                    + r.version() + ", id " + r.instanceId());
            r.endpoints().forEach((id, address) -> out.println("  endpoint " + id + ": " + address));
            boolean recordAlive = ProcessHandle.of(r.pid()).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().startInstant().map(t -> !t.isAfter(r.started())).orElse(true))
                    .isPresent();
            if (recordAlive && (pid.isEmpty() || pid.getAsLong() != r.pid())) {
                out.println("PROBLEM:        daemon pid " + r.pid() + " is running but does not hold the lock "
                        + f.lockFile(configName) + (Files.exists(f.lockFile(configName)) ? " (the file was replaced)"
                        : " (the file is missing)") + ": its lock file was deleted or replaced. It steps down "
                        + "within seconds; if it does not, stop it (kill " + r.pid() + ")");
            } else if (pid.isPresent() && pid.getAsLong() != r.pid()) {
                out.println("PROBLEM:        the instance record names pid " + r.pid()
                        + " but pid " + pid.getAsLong() + " holds the lock");
            }
        } else {
            out.println("Instance:       no record");
        }
        if (pid.isPresent()) {
            try (TransportClient c = Connector.connect(f, configName, Duration.ofSeconds(3))) {
                var hello = c.serverHello();
                out.println("Answers:        yes, over " + hello.transportId() + ", from pid " + hello.pid()
                        + " (protocol " + hello.protocolVersion() + ", library " + hello.libraryVersion() + ")");
            } catch (CommunicationError e) {
                out.println("Answers:        NO: " + e.getMessage());
            }
        }
        out.println("Transports:");
        for (Map.Entry<String, TransportProvider> e : Transports.all().entrySet()) {
            var a = e.getValue().availability();
            out.println("  " + e.getKey() + " (preference " + e.getValue().preference() + ", "
                    + Transports.origin(e.getValue()) + "): "
                    + (a.supported() ? "supported" : "NOT supported: " + a.reason()));
        }
        if (Transports.all().isEmpty()) {
            out.println("  none found: put a transport jar (maestral-transport-uds) on the path");
        }
        String requested = Transports.requestedByClient();
        if (requested != null) {
            out.println("Requested:      " + requested + " (maestral.transport / MAESTRAL_TRANSPORT)");
        }
        return 0;
    }
}
