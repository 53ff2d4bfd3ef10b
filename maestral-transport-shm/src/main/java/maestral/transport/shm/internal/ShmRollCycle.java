package maestral.transport.shm.internal;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.rollcycles.RollCycleArithmetic;

/**
 * The roll cycle of every queue of this transport: a new file each second, so that a reader
 * can delete what it has consumed within about a second, with sparse indexing (every 64th
 * message) because readers only ever read forward. Up to 16 million messages per second.
 */
public enum ShmRollCycle implements RollCycle {
    /** One file per second. */
    SECONDLY;

    /** The epoch of the cycle count, 2025-01-01T00:00Z, so that cycles fit an int until 2093. */
    public static final long EPOCH_MILLIS = 1_735_689_600_000L;

    private static final RollCycleArithmetic ARITHMETIC = RollCycleArithmetic.of(512, 64);

    @Override
    public String format() {
        return "yyyyMMdd-HHmmss'M'";
    }

    @Override
    public int lengthInMillis() {
        return 1000;
    }

    @Override
    public int defaultIndexCount() {
        return ARITHMETIC.indexCount();
    }

    @Override
    public int defaultIndexSpacing() {
        return ARITHMETIC.indexSpacing();
    }

    @Override
    public long toIndex(int cycle, long sequenceNumber) {
        return ARITHMETIC.toIndex(cycle, sequenceNumber);
    }

    @Override
    public long toSequenceNumber(long index) {
        return ARITHMETIC.toSequenceNumber(index);
    }

    @Override
    public int toCycle(long index) {
        return ARITHMETIC.toCycle(index);
    }

    @Override
    public long maxMessagesPerCycle() {
        return ARITHMETIC.maxMessagesPerCycle();
    }
}
