package maestral.api;

import java.io.Serial;

/**
 * A call's deadline passed before its answer arrived. The connection stays usable; the daemon
 * may still carry the call out.
 */
public class CallTimeoutError extends CommunicationError {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error.
     *
     * @param message which call timed out, and after how long
     */
    public CallTimeoutError(String message) {
        super(message);
    }
}
