package maestral.daemon;

/** The outcome of {@link Daemon#stopMaestralDaemonProcess}. */
public enum Stop {
    /** The daemon shut down, on request or on SIGTERM. */
    OK,
    /** The daemon did not shut down in time and was killed with SIGKILL. */
    KILLED,
    /** No daemon was running. */
    NOT_RUNNING,
    /** The daemon could not be stopped (no pid known, or not ours to signal). */
    FAILED
}
