package maestral.api;

import java.io.Serial;

/**
 * The daemon cannot be reached, stopped answering, or the connection failed.
 *
 * <p>A call that fails with this error may still have been carried out by the daemon: the
 * failure can happen after the daemon acted and before its answer arrived.
 */
public class CommunicationError extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error.
     *
     * @param message what could not be done, and why
     */
    public CommunicationError(String message) {
        super(message);
    }

    /**
     * Creates the error.
     *
     * @param message what could not be done, and why
     * @param cause the underlying failure
     */
    public CommunicationError(String message, Throwable cause) {
        super(message, cause);
    }
}
