package maestral.api.spi;

import java.io.Serial;

/**
 * Bytes that do not follow the {@link WireFormat}: a frame ends early, an unknown tag, a
 * length past the end, a record its constructor refuses. A transport closes the one
 * connection (or drops the one record) it came on and serves on.
 */
public final class WireFormatException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates one.
     *
     * @param message what is wrong, without the bytes themselves
     */
    public WireFormatException(String message) {
        super(message);
    }

    /**
     * Creates one with a cause.
     *
     * @param message what is wrong
     * @param cause what the decoder ran into
     */
    public WireFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
