package maestral.transport.uds.internal;

import maestral.api.spi.FrameLimit;

/**
 * The transport's settings, read once per server or client.
 *
 * @param maxFrameBytes the largest frame, header included: {@link FrameLimit#maxFrameBytes()},
 *     the one limit of every transport
 * @param allowRoot whether a non-root server accepts root peers, from {@code maestral.uds.allowRoot}
 */
public record UdsSettings(int maxFrameBytes, boolean allowRoot) {

    /** Name of the property that lets root connect to a non-root server. */
    public static final String ALLOW_ROOT = "maestral.uds.allowRoot";

    /** Validates the parts. */
    public UdsSettings {
        if (maxFrameBytes < FrameLimit.MIN) {
            throw new IllegalArgumentException("maxFrameBytes must be at least "
                    + FrameLimit.MIN + ": " + maxFrameBytes);
        }
    }

    /**
     * {@return the settings given by the system properties now}
     *
     * @throws IllegalArgumentException when {@value FrameLimit#PROPERTY} is set to a bad value
     */
    public static UdsSettings fromSystemProperties() {
        return new UdsSettings(FrameLimit.maxFrameBytes(), Boolean.getBoolean(ALLOW_ROOT));
    }

    /** {@return the largest payload that fits in a frame} */
    public int maxPayloadBytes() {
        return maxFrameBytes - FrameDescriptor.HEADER_LENGTH;
    }
}
