package maestral.transport.shm.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * Parks at once, with pauses that double from 50 µs up to a bound: the least CPU, and up to
 * the bound of added latency per message.
 *
 * <p><b>Not thread-safe: each polling thread uses its own instance.</b>
 */
public final class SleepingIdleStrategy implements IdleStrategy {

    /** The name that selects it. */
    public static final String ALIAS = "sleepy";
    private static final long MIN_PARK_NANOS = 50_000;

    private final long maxParkNanos;
    private long parkNanos;

    /**
     * Creates the strategy.
     *
     * @param maxParkNanos the longest pause
     */
    public SleepingIdleStrategy(long maxParkNanos) {
        if (maxParkNanos <= 0) {
            throw new IllegalArgumentException("maxParkNanos must be positive: " + maxParkNanos);
        }
        this.maxParkNanos = maxParkNanos;
        reset();
    }

    @Override
    public void idle() {
        LockSupport.parkNanos(parkNanos);
        parkNanos = Math.min(parkNanos << 1, maxParkNanos);
    }

    @Override
    public void reset() {
        parkNanos = Math.min(MIN_PARK_NANOS, maxParkNanos);
    }

    @Override
    public String alias() {
        return ALIAS;
    }

    @Override
    public String toString() {
        return ALIAS + "(park ≤ " + maxParkNanos / 1000 + " µs)";
    }
}
