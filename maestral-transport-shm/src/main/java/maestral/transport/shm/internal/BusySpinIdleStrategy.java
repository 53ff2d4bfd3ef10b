package maestral.transport.shm.internal;

/**
 * Spins forever with {@link Thread#onSpinWait()}: the lowest latency, and a whole core per
 * polling thread while it waits. Unlike Chronicle's {@code Pauser.busy()} it never turns
 * into something else on a small machine.
 *
 * <p><b>Not thread-safe: each polling thread uses its own instance.</b>
 */
public final class BusySpinIdleStrategy implements IdleStrategy {

    /** The name that selects it. */
    public static final String ALIAS = "busy";

    /** Creates the strategy. */
    public BusySpinIdleStrategy() {
    }

    @Override
    public void idle() {
        Thread.onSpinWait();
    }

    @Override
    public void reset() {
        // nothing to forget
    }

    @Override
    public String alias() {
        return ALIAS;
    }

    @Override
    public String toString() {
        return ALIAS;
    }
}
