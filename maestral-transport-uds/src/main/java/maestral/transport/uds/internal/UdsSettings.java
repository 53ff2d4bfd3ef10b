package maestral.transport.uds.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's settings from system properties, read once per server or client.
 *
 * @param maxFrameBytes the largest frame, header included, from {@code maestral.uds.maxFrameBytes}
 * @param allowRoot whether a non-root server accepts root peers, from {@code maestral.uds.allowRoot}
 */
public record UdsSettings(int maxFrameBytes, boolean allowRoot) {

    /** Name of the property giving the largest frame in bytes. */
    public static final String MAX_FRAME_BYTES = "maestral.uds.maxFrameBytes";
    /** Name of the property that lets root connect to a non-root server. */
    public static final String ALLOW_ROOT = "maestral.uds.allowRoot";

    /** The smallest maximum frame size accepted from the property. */
    public static final int MIN_MAX_FRAME_BYTES = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(UdsSettings.class);

    /** Validates the parts. */
    public UdsSettings {
        if (maxFrameBytes < MIN_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be at least "
                    + MIN_MAX_FRAME_BYTES + ": " + maxFrameBytes);
        }
    }

    /** {@return the settings given by the system properties now} */
    public static UdsSettings fromSystemProperties() {
        int max = FrameDescriptor.DEFAULT_MAX_FRAME_BYTES;
        String text = System.getProperty(MAX_FRAME_BYTES);
        if (text != null && !text.isBlank()) {
            try {
                long value = Long.parseLong(text.strip());
                if (value < MIN_MAX_FRAME_BYTES || value > Integer.MAX_VALUE - 64) {
                    LOG.warn("{}={} is out of range [{}, {}]; using {}", MAX_FRAME_BYTES, text,
                            MIN_MAX_FRAME_BYTES, Integer.MAX_VALUE - 64, max);
                } else {
                    max = (int) value;
                }
            } catch (NumberFormatException e) {
                LOG.warn("{}={} is not a number; using {}", MAX_FRAME_BYTES, text, max);
            }
        }
        return new UdsSettings(max, Boolean.getBoolean(ALLOW_ROOT));
    }

    /** {@return the largest payload that fits in a frame} */
    public int maxPayloadBytes() {
        return maxFrameBytes - FrameDescriptor.HEADER_LENGTH;
    }
}
