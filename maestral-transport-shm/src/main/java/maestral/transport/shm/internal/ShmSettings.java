package maestral.transport.shm.internal;

import java.time.Duration;
import java.util.Locale;

/**
 * The tunables of the transport, read once from system properties and validated together
 * (after Aeron's {@code MediaDriver.Context.conclude()}): a bad value fails {@code bind} or
 * {@code connect} with a message naming the property, never a poll loop later.
 *
 * @param idleStrategy {@code busy}, {@code adaptive} or {@code sleepy}
 * @param maxParkNanos the longest pause of a parked poller, so the worst wake-up delay
 * @param blockSize the block size of each queue file, in bytes
 * @param livenessPeriod how often each side checks that the other is alive
 * @param handOffAfter how long a call may run on a reader thread before another thread
 *     takes over reading
 */
public record ShmSettings(String idleStrategy, long maxParkNanos, long blockSize,
                          Duration livenessPeriod, Duration handOffAfter) {

    /** The property that names the idle strategy: {@value}. */
    public static final String IDLE_PROPERTY = "maestral.shm.idle";
    /** The property that bounds a parked poller's pause, in microseconds: {@value}. */
    public static final String MAX_PARK_PROPERTY = "maestral.shm.maxParkMicros";
    /** The default idle strategy. */
    public static final String DEFAULT_IDLE = BackoffIdleStrategy.ALIAS;
    /** The default bound of a pause: 10 ms. */
    public static final long DEFAULT_MAX_PARK_MICROS = 10_000;
    /** The block size of the queue files: 256 KiB. */
    public static final long BLOCK_SIZE = 256 << 10;

    /**
     * {@return the largest frame body, in bytes: {@link maestral.api.spi.FrameLimit#maxFrameBytes()},
     * the one limit of every transport, less a frame's header}
     *
     * @throws IllegalArgumentException when that property is set to a bad value
     */
    public static long maxBodyBytes() {
        return maestral.api.spi.FrameLimit.maxFrameBytes() - ShmDescriptor.BODY_OFFSET;
    }

    /** Validates the parts. */
    public ShmSettings {
        IdleStrategy.byName(idleStrategy, Math.max(1, maxParkNanos)); // fails on a bad name
        idleStrategy = idleStrategy.trim().toLowerCase(Locale.ROOT);
        if (maxParkNanos < 1_000 || maxParkNanos > 1_000_000_000L) {
            throw new IllegalArgumentException(MAX_PARK_PROPERTY + " must be within 1..1000000 µs, got "
                    + maxParkNanos / 1000);
        }
        if (blockSize < 64 << 10) {
            throw new IllegalArgumentException("block size below 64 KiB: " + blockSize);
        }
        if (livenessPeriod.isNegative() || livenessPeriod.isZero()
                || handOffAfter.isNegative() || handOffAfter.isZero()) {
            throw new IllegalArgumentException("periods must be positive");
        }
    }

    /**
     * {@return the settings of the system properties, defaults for those unset}
     *
     * @throws IllegalArgumentException naming the property when a value is bad
     */
    public static ShmSettings fromSystemProperties() {
        String idle = System.getProperty(IDLE_PROPERTY, DEFAULT_IDLE);
        String park = System.getProperty(MAX_PARK_PROPERTY, String.valueOf(DEFAULT_MAX_PARK_MICROS));
        long parkMicros;
        try {
            parkMicros = Long.parseLong(park.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(MAX_PARK_PROPERTY + " must be a number of µs, got '"
                    + park + "'", e);
        }
        try {
            IdleStrategy.byName(idle, 1_000);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(IDLE_PROPERTY + ": " + e.getMessage(), e);
        }
        return new ShmSettings(idle, parkMicros * 1000, BLOCK_SIZE, Duration.ofMillis(100),
                Duration.ofMillis(2));
    }

    /** How long an {@code adaptive} poller spins before it sleeps on a futex: 50 µs. */
    public static final long ADAPTIVE_SPIN_NANOS = 50_000;

    /**
     * How long the daemon's reader spins after its last request before it sleeps, with the
     * {@code adaptive} strategy: 150 µs. It must outlast a client's wake-up (40–60 µs on an
     * idle virtual machine) with a margin: a reader that sleeps while the client it just
     * answered wakes up makes that client's next call pay two wake-ups, and the client's
     * next one too, and so on (measured here: a tenth of all calls at 115 µs with 50 µs).
     */
    public static final long ADAPTIVE_READER_SPIN_NANOS = 150_000;

    /** {@return how long the daemon's idle reader spins before it sleeps} */
    public long readerSpinNanos() {
        return idleStrategy.equals(BackoffIdleStrategy.ALIAS) ? ADAPTIVE_READER_SPIN_NANOS : spinNanos();
    }

    /** {@return whether an idle poller sleeps until it is woken (all but {@code busy})} */
    public boolean sleeps() {
        return !idleStrategy.equals(BusySpinIdleStrategy.ALIAS);
    }

    /** {@return how long an idle poller spins before it sleeps} */
    public long spinNanos() {
        return switch (idleStrategy) {
            case BusySpinIdleStrategy.ALIAS -> Long.MAX_VALUE;
            case SleepingIdleStrategy.ALIAS -> 0;
            default -> ADAPTIVE_SPIN_NANOS;
        };
    }

    /** {@return the longest sleep of an idle poller that nothing wakes: 1 s} */
    public long maxSleepNanos() {
        return 1_000_000_000L;
    }

    /** {@return a new idle strategy of the configured kind, for one polling thread} */
    public IdleStrategy newIdleStrategy() {
        return IdleStrategy.byName(idleStrategy, maxParkNanos);
    }
}
