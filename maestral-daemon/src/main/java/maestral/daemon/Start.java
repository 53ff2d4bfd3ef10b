package maestral.daemon;

/** The outcome of {@link Daemon#startMaestralDaemonProcess}. */
public enum Start {
    /** The daemon started and answers calls. */
    OK,
    /** A daemon for the configuration was already running; nothing was started. */
    ALREADY_RUNNING,
    /** The daemon did not come up; the log says why (exit code and its last lines). */
    FAILED
}
