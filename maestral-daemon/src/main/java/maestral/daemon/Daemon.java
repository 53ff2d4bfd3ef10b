package maestral.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import maestral.daemon.internal.ChildLauncher;
import maestral.daemon.internal.ConfigNames;
import maestral.daemon.internal.DaemonRunner;
import maestral.daemon.internal.Folders;
import maestral.daemon.internal.Stopper;
import maestral.lock.Lock;

/**
 * Starts, finds and stops the maestral daemon of a configuration, one per configuration name
 * on this machine. Whether a daemon runs is decided by its lock alone ({@link #maestralLock}):
 * the kernel drops the lock when the daemon dies, so there is no stale state to clean up.
 *
 * <p>System properties: {@code maestral.startTimeout} (seconds to wait for a started daemon to
 * answer, default 30), {@code maestral.transports} (comma list narrowing the transports a
 * daemon serves), {@code maestral.transport} (the transport a client uses), and
 * {@code maestral.dir.runtime|config|data|log} (folder overrides).
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class Daemon {

    private Daemon() {
    }

    /**
     * {@return the lock that the configuration's daemon holds while it runs}
     *
     * @param configName the configuration
     * @throws IllegalArgumentException when the name contains whitespace or is otherwise invalid
     */
    public static Lock maestralLock(String configName) {
        ConfigNames.check(configName);
        return Lock.singleton(configName, Folders.current().runtime());
    }

    /**
     * {@return the unix socket path of the configuration's daemon; a short fallback folder when the usual one would exceed the platform's limit}
     *
     * @param configName the configuration
     */
    public static Path sockPathForConfig(String configName) {
        return Folders.current().socketFile(ConfigNames.check(configName));
    }

    /**
     * {@return the lock file of the configuration}
     *
     * @param configName the configuration
     */
    public static Path lockPathForConfig(String configName) {
        return Folders.current().lockFile(ConfigNames.check(configName));
    }

    /**
     * {@return the pid of the running daemon, empty when none runs}
     *
     * @param configName the configuration
     */
    public static OptionalLong getMaestralPid(String configName) {
        return maestralLock(configName).lockingPid();
    }

    /**
     * {@return whether a daemon runs for the configuration; never takes its lock}
     *
     * @param configName the configuration
     */
    public static boolean isRunning(String configName) {
        return maestralLock(configName).locked();
    }

    /**
     * Runs the daemon in the calling thread until it shuts down (on {@code shutdownDaemon()},
     * SIGTERM, SIGINT or SIGHUP).
     *
     * @param configName the configuration
     * @param logToStdout whether to log to standard output as well as to the log file
     * @param startSync whether to start syncing
     * @throws IllegalStateException when the daemon is already running; nothing is touched
     */
    public static void startMaestralDaemon(String configName, boolean logToStdout, boolean startSync) {
        DaemonRunner.run(configName, logToStdout, startSync);
    }

    /**
     * Starts the daemon in a new JVM and waits until it answers calls.
     *
     * @param configName the configuration
     * @param logToStdout whether the daemon writes its log to this process's standard output
     * @param startSync whether the daemon starts syncing
     * @param detach whether the daemon outlives this process (a new session), or dies with it
     * @return {@code OK}, {@code ALREADY_RUNNING}, or {@code FAILED} (the log says why)
     */
    public static Start startMaestralDaemonProcess(String configName, boolean logToStdout,
                                                   boolean startSync, boolean detach) {
        ConfigNames.check(configName);
        return ChildLauncher.start(configName, logToStdout, startSync, detach).result();
    }

    /**
     * Starts a detached daemon that syncs, logging to its log file.
     *
     * @param configName the configuration
     * @return as {@link #startMaestralDaemonProcess(String, boolean, boolean, boolean)}
     */
    public static Start startMaestralDaemonProcess(String configName) {
        return startMaestralDaemonProcess(configName, false, true, true);
    }

    /**
     * Stops the daemon: asks it to shut down, waits up to {@code timeout} for its lock, then
     * sends SIGTERM and waits 1 s, then SIGKILL. Before each signal it checks that the pid still
     * belongs to the lock's holder. Never hangs.
     *
     * @param configName the configuration
     * @param timeout how long to wait for a graceful shutdown
     * @return {@code OK}, {@code KILLED}, {@code NOT_RUNNING} or {@code FAILED}
     */
    public static Stop stopMaestralDaemonProcess(String configName, Duration timeout) {
        return Stopper.stop(maestralLock(configName), configName, timeout);
    }

    /**
     * Stops the daemon, waiting 10 s for a graceful shutdown.
     *
     * @param configName the configuration
     * @return as {@link #stopMaestralDaemonProcess(String, Duration)}
     */
    public static Stop stopMaestralDaemonProcess(String configName) {
        return stopMaestralDaemonProcess(configName, Duration.ofSeconds(10));
    }
}
