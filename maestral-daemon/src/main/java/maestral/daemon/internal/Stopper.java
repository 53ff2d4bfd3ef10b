package maestral.daemon.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import maestral.api.CommunicationError;
import maestral.api.spi.MaestralMethods;
import maestral.api.spi.MethodCall;
import maestral.api.spi.TransportClient;
import maestral.daemon.Stop;
import maestral.lock.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a daemon without ever hanging: a shutdown call with a short deadline, then waiting for
 * the lock, then SIGTERM, then SIGKILL. A signal goes only to the process that holds the lock
 * right now: the pid is read from the kernel's lock table, and the {@link ProcessHandle} taken
 * then carries the process's start time, so a reused pid is never signalled.
 */
public final class Stopper {

    private static final Logger LOG = LoggerFactory.getLogger(Stopper.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(3);

    private Stopper() {
    }

    /**
     * {@return the outcome}
     *
     * @param lock the configuration's lock
     * @param configName the configuration
     * @param timeout how long to wait for a graceful shutdown
     */
    public static Stop stop(Lock lock, String configName, Duration timeout) {
        OptionalLong pid = lock.lockingPid();
        if (pid.isEmpty()) {
            return Stop.NOT_RUNNING;
        }
        long holder = pid.getAsLong();
        long end = System.nanoTime() + timeout.toNanos();
        boolean inThisProcess = holder == ProcessHandle.current().pid();
        Optional<ProcessHandle> process = ProcessHandle.of(holder);
        if (inThisProcess) {
            DaemonRunner.requestStop(configName, "stopMaestralDaemonProcess was called");
        } else if (!askToShutDown(configName, timeout)) {
            signal(lock, holder, process, false);
        }
        if (awaitRelease(lock, Duration.ofNanos(Math.max(0, end - System.nanoTime())))) {
            return Stop.OK;
        }
        if (inThisProcess) {
            LOG.error("The daemon in this process did not stop within {}", timeout);
            return Stop.FAILED;
        }
        LOG.warn("The daemon for '{}' (pid {}) did not stop within {}; sending SIGTERM", configName, holder, timeout);
        if (!signal(lock, holder, process, false)) {
            return lock.locked() ? Stop.FAILED : Stop.OK;
        }
        if (awaitRelease(lock, Duration.ofSeconds(1))) {
            return Stop.OK;
        }
        LOG.warn("The daemon for '{}' (pid {}) ignored SIGTERM; sending SIGKILL", configName, holder);
        if (!signal(lock, holder, process, true)) {
            return lock.locked() ? Stop.FAILED : Stop.OK;
        }
        return awaitRelease(lock, Duration.ofSeconds(5)) ? Stop.KILLED : Stop.FAILED;
    }

    /** Asks the daemon to shut down; the call's deadline is part of the stop's timeout. */
    private static boolean askToShutDown(String configName, Duration timeout) {
        Duration deadline = timeout.compareTo(CALL_DEADLINE) < 0 ? timeout : CALL_DEADLINE;
        try (TransportClient client = Connector.connect(Folders.current(), configName, deadline)) {
            client.call(new MethodCall(MaestralMethods.id("shutdownDaemon"), new Object[0]),
                    deadline.toNanos()).valueOrThrow();
            return true;
        } catch (CommunicationError | maestral.api.MaestralApiError e) {
            LOG.warn("Cannot ask the daemon for '{}' to shut down ({}); sending SIGTERM", configName, e.getMessage());
            return false;
        }
    }

    /**
     * Signals the lock's holder if it still is the process first seen.
     *
     * @return whether the signal was sent
     */
    private static boolean signal(Lock lock, long pid, Optional<ProcessHandle> process, boolean kill) {
        if (process.isEmpty() || !process.get().isAlive()
                || lock.lockingPid().orElse(-1) != pid) {
            LOG.info("Not signalling pid {}: it no longer holds the lock", pid);
            return false;
        }
        return kill ? process.get().destroyForcibly() : process.get().destroy();
    }

    private static boolean awaitRelease(Lock lock, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (lock.locked()) {
            if (System.nanoTime() >= end) {
                return false;
            }
            try {
                Thread.sleep(Math.min(POLL.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !lock.locked();
            }
        }
        return true;
    }
}
