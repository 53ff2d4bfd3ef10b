package maestral.transport.shm.internal;

import java.util.Locale;

/**
 * What a polling thread does when a poll found nothing, after Agrona's {@code IdleStrategy}.
 * The loop every poller of this transport runs:
 *
 * <pre>{@code
 * IdleStrategy idle = settings.newIdleStrategy();
 * while (running) {
 *     int work = pollOnce();          // how many messages were handled
 *     idle.idle(work);                // resets after work, else spins, yields or parks
 * }
 * }</pre>
 *
 * <p>Strategies are chosen by name ({@link #byName}) from the system property
 * {@code maestral.shm.idle}: {@code busy}, {@code adaptive} (the default) or {@code sleepy}.
 *
 * <p><b>Not thread-safe: each polling thread uses its own instance.</b>
 */
public interface IdleStrategy {

    /**
     * Idles after a poll: resets when {@code workCount > 0}, else takes one idle step.
     *
     * @param workCount what the poll did; {@code 0} for nothing
     */
    default void idle(int workCount) {
        if (workCount > 0) {
            reset();
        } else {
            idle();
        }
    }

    /** Takes one idle step: spin, yield or park, depending on how long it has been idle. */
    void idle();

    /** Forgets the idle time: the next step starts from the shortest pause again. */
    void reset();

    /** {@return the name that selects this strategy} */
    String alias();

    /**
     * {@return a new strategy}
     *
     * @param name {@code busy}, {@code adaptive} or {@code sleepy} (any case)
     * @param maxParkNanos the longest pause of a parking strategy
     * @throws IllegalArgumentException for another name
     */
    static IdleStrategy byName(String name, long maxParkNanos) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case BusySpinIdleStrategy.ALIAS -> new BusySpinIdleStrategy();
            case BackoffIdleStrategy.ALIAS -> new BackoffIdleStrategy(
                    BackoffIdleStrategy.DEFAULT_SPIN_NANOS, BackoffIdleStrategy.DEFAULT_YIELD_NANOS,
                    BackoffIdleStrategy.DEFAULT_MIN_PARK_NANOS, maxParkNanos);
            case SleepingIdleStrategy.ALIAS -> new SleepingIdleStrategy(maxParkNanos);
            default -> throw new IllegalArgumentException("unknown idle strategy '" + name
                    + "': use busy, adaptive or sleepy");
        };
    }
}
