package maestral.api.spi;

import java.util.Objects;

/**
 * Whether a transport works on this machine, and the reason when it does not.
 *
 * @param supported whether the transport can be used here
 * @param reason why it cannot, or {@code ""} when supported
 */
public record Availability(boolean supported, String reason) {

    /** Validates the parts. */
    public Availability {
        Objects.requireNonNull(reason, "reason");
        if (!supported && reason.isBlank()) {
            throw new IllegalArgumentException("an unsupported transport must say why");
        }
    }

    /** {@return an availability that says the transport is supported} */
    public static Availability supportedHere() {
        return new Availability(true, "");
    }

    /**
     * {@return an availability that says the transport is not supported}
     *
     * @param reason why the transport cannot be used here
     */
    public static Availability unsupported(String reason) {
        return new Availability(false, reason);
    }
}
