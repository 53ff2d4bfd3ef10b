package maestral.transport.shm.internal;

/**
 * How long a connection's answers typically take, and so how long a caller should spin for
 * one before it sleeps. A wake-up from a futex costs 40–60 µs on an idle virtual machine: an
 * answer that comes a little after the spin ends pays all of it. With the {@code adaptive}
 * strategy a caller therefore spins for twice the typical answer time (a moving average of
 * the last answers), at least {@link #MIN_SPIN_NANOS}; when answers typically take longer than
 * {@link #MAX_SPIN_NANOS} (slow calls, or a machine so busy that spinning would only take the
 * daemon's CPU), it spins the minimum and sleeps.
 *
 * <p><b>Safe for use by many threads at once</b>; racing updates lose a sample, nothing more.
 */
final class AnswerTimes {

    /** The shortest spin: 20 µs. */
    static final long MIN_SPIN_NANOS = 20_000;
    /** The longest spin: 200 µs. */
    static final long MAX_SPIN_NANOS = 200_000;

    /** The largest sample taken into the average: 1 ms. */
    static final long SAMPLE_CAP_NANOS = 1_000_000;

    /** The moving average of answer times, in ns (weight of a new sample: 1/8). */
    private volatile long typicalNanos;

    /**
     * Adds one answer's time to the average.
     *
     * @param nanos from the send to the answer
     */
    void observe(long nanos) {
        nanos = Math.min(nanos, SAMPLE_CAP_NANOS); // one long poll must not stop the spinning for long
        long t = typicalNanos;
        typicalNanos = t == 0 ? nanos : t + (nanos - t) / 8;
    }

    /** {@return the typical answer time in ns, 0 before the first answer} */
    long typicalNanos() {
        return typicalNanos;
    }

    /**
     * {@return how long to spin for an answer before sleeping}
     *
     * @param settings the configured idle strategy: {@code busy} always spins, {@code sleepy}
     *     never does, {@code adaptive} spins as above
     */
    long spinNanos(ShmSettings settings) {
        if (!settings.idleStrategy().equals(BackoffIdleStrategy.ALIAS)) {
            return settings.spinNanos();
        }
        long spin = 2 * typicalNanos;
        return spin > MAX_SPIN_NANOS ? MIN_SPIN_NANOS : Math.max(MIN_SPIN_NANOS, spin);
    }
}
