package maestral.api.spi;

import maestral.api.BadInputError;

/**
 * The one size limit of a frame, the same on every transport: a call or an answer larger
 * than this is refused before anything is allocated for it, on the side that would send it
 * (with {@link #cannotSend} or {@link #cannotAnswer}) and on the side that would receive it
 * (the connection that sent it is closed). Set by the system property
 * {@value #PROPERTY}, in bytes, default {@value #DEFAULT} (64 MiB), at least
 * {@value #MIN}; a transport reads it when it binds or connects.
 */
public final class FrameLimit {

    /** The system property that sets the limit, in bytes. */
    public static final String PROPERTY = "maestral.maxFrameBytes";
    /** The default limit: 64 MiB. */
    public static final int DEFAULT = 64 << 20;
    /** The smallest limit allowed: 64 KiB. */
    public static final int MIN = 64 << 10;

    private FrameLimit() {
    }

    /**
     * {@return the limit in bytes, a whole frame with the transport's header}
     *
     * @throws IllegalArgumentException naming the property and what it allows when it is set
     *     to anything else
     */
    public static int maxFrameBytes() {
        String text = System.getProperty(PROPERTY);
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        try {
            int value = Integer.parseInt(text.strip());
            if (value >= MIN) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(PROPERTY + " must be a whole number of bytes from "
                + MIN + " to " + Integer.MAX_VALUE + ", not '" + text + "'");
    }

    /**
     * {@return the error a client raises when it cannot send a call}
     *
     * @param call the call, shown abbreviated
     * @param e why
     */
    public static BadInputError cannotSend(MethodCall call, UnsendableException e) {
        return new BadInputError("Cannot send the call", call + ": " + e.getMessage());
    }

    /**
     * {@return the error answer a daemon sends when it cannot send a call's answer}
     *
     * @param e why
     */
    public static CallResult cannotAnswer(UnsendableException e) {
        return new CallResult.Threw(RemoteError.of(new BadInputError("Cannot send the answer",
                "The daemon cannot send the answer: " + e.getMessage())));
    }

    /**
     * {@return a size in words: {@code "64 MiB"} when whole mebibytes, else bytes}
     *
     * @param bytes a size
     */
    static String describe(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB"
                : bytes % (1 << 10) == 0 ? (bytes >> 10) + " KiB" : bytes + " bytes";
    }
}
