package maestral.api.spi;

import java.io.Serial;

/**
 * The daemon's stack trace of an error, attached as the cause of the error a proxy rethrows.
 * Its message is the remote trace, joined to its heading only when asked for; it has no stack
 * of its own.
 */
public final class RemoteStackTrace extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Wraps a remote trace.
     *
     * @param remoteTrace the daemon's stack trace as text
     */
    public RemoteStackTrace(String remoteTrace) {
        super(remoteTrace, null, false, false);
    }

    /** {@return the daemon's stack trace, under a heading} */
    @Override
    public String getMessage() {
        return "stack trace in the daemon:\n" + super.getMessage();
    }
}
