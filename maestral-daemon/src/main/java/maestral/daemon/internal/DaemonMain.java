package maestral.daemon.internal;

import java.io.IOException;
import java.io.InputStream;
import maestral.lock.internal.Posix;

/**
 * The entry point of a daemon child process:
 * {@code DaemonMain --config-name NAME [--log-to-stdout] [--start-sync] (--detach | --attached)}.
 * Exit status 0 after a clean shutdown, 3 when the daemon was already running, 1 on failure.
 */
public final class DaemonMain {

    private DaemonMain() {
    }

    /**
     * Runs the daemon.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        String configName = null;
        boolean logToStdout = false;
        boolean startSync = false;
        boolean detach = false;
        boolean attached = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config-name" -> configName = i + 1 < args.length ? args[++i] : null;
                case "--log-to-stdout" -> logToStdout = true;
                case "--start-sync" -> startSync = true;
                case "--detach" -> detach = true;
                case "--attached" -> attached = true;
                default -> usage("unknown argument '" + args[i] + "'");
            }
        }
        if (configName == null) {
            usage("--config-name NAME is required");
        }
        if (detach) {
            try {
                Posix.setsid();
            } catch (IOException e) {
                System.err.println("maestral daemon: cannot start a new session: " + e.getMessage());
            }
        }
        if (attached) {
            watchParent(configName);
        }
        try {
            DaemonRunner.run(configName, logToStdout, startSync);
        } catch (AlreadyRunningException e) {
            System.err.println(e.getMessage());
            System.exit(ChildLauncher.EXIT_ALREADY_RUNNING);
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** Stops the daemon when standard input closes: the parent died or let go of it. */
    private static void watchParent(String configName) {
        Thread watcher = new Thread(() -> {
            try (InputStream in = System.in) {
                byte[] buffer = new byte[256];
                while (in.read(buffer) >= 0) {
                    // the parent writes nothing; only end of file matters
                }
            } catch (IOException e) {
                // a broken pipe means the same as end of file
            }
            if (!DaemonRunner.requestStop(configName, "its parent process exited")) {
                System.exit(0); // the daemon had not started yet
            }
        }, "maestral-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void usage(String problem) {
        System.err.println("maestral daemon: " + problem);
        System.err.println("usage: DaemonMain --config-name NAME [--log-to-stdout] [--start-sync] "
                + "(--detach | --attached)");
        System.exit(2);
    }
}
