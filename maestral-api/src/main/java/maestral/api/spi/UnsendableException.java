package maestral.api.spi;

import java.io.Serial;

/**
 * A call or an answer that cannot be sent: a value of no {@link WireModel} type, or a frame
 * over the limit of {@link FrameLimit}. Nothing of it was sent; the connection serves on. A
 * client turns it into a {@link maestral.api.BadInputError} with {@link FrameLimit#cannotSend},
 * a daemon into an error answer with {@link FrameLimit#cannotAnswer}, so that the words are
 * the same on every transport.
 */
public final class UnsendableException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates one.
     *
     * @param reason why it cannot be sent, short and without the value itself
     */
    public UnsendableException(String reason) {
        super(reason, null, false, false);
    }

    static UnsendableException noWireType(Class<?> type) {
        return new UnsendableException("a " + type.getName() + " has no wire type (see WireModel)");
    }

    /**
     * {@return the refusal of a frame over the limit, in the words of every transport}
     *
     * @param limit the frame limit, in bytes
     */
    public static UnsendableException tooLarge(long limit) {
        return new UnsendableException("it takes more than " + FrameLimit.describe(limit)
                + ", the frame limit (" + FrameLimit.PROPERTY + ")");
    }
}
