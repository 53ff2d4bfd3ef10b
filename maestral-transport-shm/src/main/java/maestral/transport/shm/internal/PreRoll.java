package maestral.transport.shm.internal;

import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.RollingChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Moves a writer into each new cycle before a call needs it. Starting a cycle file costs a
 * few dozen file-system calls (one to several milliseconds); while a connection is in use
 * (a call within {@link #ACTIVE_NANOS}), its writer rolls right after each cycle boundary by
 * appending a metadata record, which readers skip, so that calls do not pay for it. An idle
 * connection rolls nothing and creates no file.
 */
final class PreRoll {

    /** How long after its last call a connection counts as in use: 5 s. */
    static final long ACTIVE_NANOS = 5_000_000_000L;

    private PreRoll() {
    }

    /**
     * {@return nanoseconds until just after the next cycle boundary}
     */
    static long nanosToNextCycle() {
        long ms = System.currentTimeMillis();
        long length = ShmRollCycle.SECONDLY.lengthInMillis();
        long next = (ms / length + 1) * length + 2;
        return (next - ms) * 1_000_000L;
    }

    /**
     * Rolls the appender into the current cycle, if it has written before and is behind.
     * The caller holds the appender's lock.
     *
     * @param queue the queue
     * @param appender its appender
     * @return whether it rolled
     */
    static boolean roll(ChronicleQueue queue, ExcerptAppender appender) {
        if (!(queue instanceof RollingChronicleQueue rolling) || appender.cycle() >= rolling.cycle()) {
            return false;
        }
        try (DocumentContext dc = appender.writingDocument(true)) {
            dc.wire().bytes().writeInt(0);
        }
        return true;
    }
}
