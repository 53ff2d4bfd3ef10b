package maestral.daemon.internal;

import java.io.Serial;

/** A daemon for the configuration already holds its lock; nothing was touched. */
public final class AlreadyRunningException extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which configuration, and the holder's pid when known
     */
    public AlreadyRunningException(String message) {
        super(message);
    }
}
