package maestral.transport.shm.internal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.Wire;

/**
 * Touches the pages just ahead of a writer, so that the next frames land on pages already
 * backed and mapped: a first touch of a page of a mapped file costs about 3 µs here, and a
 * 30 KiB answer spans eight pages. Chronicle's own {@code pretouch()} cannot be used: in the
 * open-source build it recurses until the stack overflows, and its {@code microTouch()} touches
 * one page at a time.
 *
 * <p>Each page is touched with a compare-and-set of a zero word to zero, a write access that
 * never changes a byte: a page ahead of the writer holds zeros, and a word a writer has
 * written meanwhile is left as it is. It touches only within the mapped chunk the writer is
 * in, and only after the caller checked the free space ({@link FrameWriter#requireSpace}),
 * because a page a full tmpfs cannot back kills the process with SIGBUS.
 *
 * <p><b>Not thread-safe: the caller holds the lock of the appender it touches for.</b>
 */
final class PageToucher {

    /** How far ahead of the writer pages are touched: 128 KiB. */
    static final long AHEAD_BYTES = 128 << 10;
    private static final long PAGE = 4096;

    /** The first page not yet touched, in the store last touched. */
    private long touchedUpTo;
    private BytesStore<?, ?> store;

    /**
     * Touches the pages from the writer's position to {@link #AHEAD_BYTES} beyond it.
     *
     * @param appender the writer, between two documents
     * @return how many pages it touched
     */
    int touchAhead(ExcerptAppender appender) {
        Wire wire = appender.wire();
        if (wire == null) {
            return 0; // it has not written yet: no cycle file is open
        }
        Bytes<?> bytes = wire.bytes();
        BytesStore<?, ?> s = bytes.bytesStore();
        if (s == null) {
            return 0;
        }
        if (s != store) {
            store = s;
            touchedUpTo = 0;
        }
        long from = Math.max(touchedUpTo, (bytes.writePosition() + PAGE - 1) & -PAGE);
        long to = bytes.writePosition() + AHEAD_BYTES;
        int touched = 0;
        for (long page = from; page < to && s.inside(page, Integer.BYTES); page += PAGE) {
            s.compareAndSwapInt(page, 0, 0);
            touchedUpTo = page + PAGE;
            touched++;
        }
        return touched;
    }
}
