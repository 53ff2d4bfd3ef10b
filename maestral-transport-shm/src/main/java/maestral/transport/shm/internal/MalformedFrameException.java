package maestral.transport.shm.internal;

import java.io.Serial;

/**
 * A frame that cannot be decoded: a bad magic, an unknown tag, a length past the end. The
 * frame is dropped (and answered with an error when its header could be read); the reader
 * serves on.
 */
public final class MalformedFrameException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong with the frame
     */
    public MalformedFrameException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     *
     * @param message what is wrong with the frame
     * @param cause what failed while decoding it
     */
    public MalformedFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
