package maestral.transport.shm.internal;

import java.io.Serial;

/** A value this transport cannot carry (of an unknown type, or too large); nothing of it is sent. */
public final class UnsupportedValueException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param type the class that cannot be encoded
     */
    public UnsupportedValueException(Class<?> type) {
        super("the shm transport cannot carry a value of " + type.getName());
    }

    /**
     * Creates the exception.
     *
     * @param message why the value cannot be carried
     * @param cause the failure, or {@code null}
     */
    public UnsupportedValueException(String message, Throwable cause) {
        super(message, cause);
    }
}
