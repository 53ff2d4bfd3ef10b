package maestral.transport.shm.internal;

import java.util.concurrent.locks.LockSupport;

/**
 * Spins for a while after the last work, then yields for a while, then parks with pauses
 * that double up to a bound: fast under steady traffic, close to free when idle. A call that
 * arrives after a long idle time waits at most the bound.
 *
 * <pre>
 *  work ─► spin (onSpinWait) ─► yield ─► park 1 µs, 2 µs, 4 µs ... max, max, max
 *          └── spinNanos ──┘   └ yieldNanos ┘
 * </pre>
 *
 * <p><b>Not thread-safe: each polling thread uses its own instance.</b>
 */
public final class BackoffIdleStrategy implements IdleStrategy {

    /** The name that selects it. */
    public static final String ALIAS = "adaptive";
    /** How long it spins after the last work by default: 200 µs. */
    public static final long DEFAULT_SPIN_NANOS = 200_000;
    /** How long it then yields by default: 1 ms. */
    public static final long DEFAULT_YIELD_NANOS = 1_000_000;
    /** Its first pause by default: 1 µs. */
    public static final long DEFAULT_MIN_PARK_NANOS = 1_000;

    private final long spinNanos;
    private final long yieldNanos;
    private final long minParkNanos;
    private final long maxParkNanos;

    private long idleSince;
    private long parkNanos;

    /**
     * Creates the strategy.
     *
     * @param spinNanos how long to spin after the last work
     * @param yieldNanos how long to yield after spinning
     * @param minParkNanos the first pause
     * @param maxParkNanos the longest pause
     */
    public BackoffIdleStrategy(long spinNanos, long yieldNanos, long minParkNanos, long maxParkNanos) {
        if (spinNanos < 0 || yieldNanos < 0 || minParkNanos <= 0 || maxParkNanos < minParkNanos) {
            throw new IllegalArgumentException("bad back-off: spin " + spinNanos + ", yield "
                    + yieldNanos + ", park " + minParkNanos + ".." + maxParkNanos + " ns");
        }
        this.spinNanos = spinNanos;
        this.yieldNanos = yieldNanos;
        this.minParkNanos = minParkNanos;
        this.maxParkNanos = maxParkNanos;
        reset();
    }

    @Override
    public void idle() {
        if (idleSince == 0) {
            idleSince = System.nanoTime();
            Thread.onSpinWait();
            return;
        }
        long idleFor = System.nanoTime() - idleSince;
        if (idleFor < spinNanos) {
            Thread.onSpinWait();
        } else if (idleFor < spinNanos + yieldNanos) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(parkNanos);
            parkNanos = Math.min(parkNanos << 1, maxParkNanos);
        }
    }

    @Override
    public void reset() {
        idleSince = 0;
        parkNanos = minParkNanos;
    }

    /** {@return whether it has reached its parking phase} */
    public boolean parking() {
        return parkNanos > minParkNanos;
    }

    @Override
    public String alias() {
        return ALIAS;
    }

    @Override
    public String toString() {
        return ALIAS + "(spin " + spinNanos / 1000 + " µs, yield " + yieldNanos / 1000
                + " µs, park ≤ " + maxParkNanos / 1000 + " µs)";
    }
}
