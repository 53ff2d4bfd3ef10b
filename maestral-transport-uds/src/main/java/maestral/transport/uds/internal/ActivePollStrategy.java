package maestral.transport.uds.internal;

import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How the server's event loop waits: as Netty does by default (handle what is ready, else
 * sleep in {@code epoll_wait}), except for a short while after activity. It then polls
 * without sleeping, yielding the CPU between polls (two cores are few), so that a sleeping
 * event loop is not what the next frame or answer waits for:
 * <ul>
 *   <li>for {@link #ACTIVE_POLL_NANOS} after it handled anything: a client's next call
 *       usually follows its answer within that;</li>
 *   <li>for {@link #POLL_NANOS} after it handed a call to a call thread, while that answer is
 *       still to come: the answer the call thread queues is written at once, so a slow call
 *       (one not answered on the loop, such as a thrown error) costs one thread hand-off
 *       instead of two.</li>
 * </ul>
 * An idle server sleeps as before.
 *
 * <p><b>Used by the one event-loop thread; {@link #handedOff()} and {@link #answered()} by any.</b>
 */
final class ActivePollStrategy implements SelectStrategy, SelectStrategyFactory {

    /** How long the loop polls for an answer after a hand-off: 200 µs. */
    static final long POLL_NANOS = 200_000;

    /** How long the loop polls after it handled something, for the next frame: 50 µs. */
    static final long ACTIVE_POLL_NANOS = 50_000;

    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile long pollUntil = System.nanoTime();
    /** Used by the event loop only. */
    private long activeUntil = System.nanoTime();
    /** Used by the event loop only: whether it last chose to sleep. */
    private boolean slept;

    /** Notes a call handed to a call thread. */
    void handedOff() {
        outstanding.incrementAndGet();
        pollUntil = System.nanoTime() + POLL_NANOS;
    }

    /** Notes that a handed-off call's answer is queued for writing (or given up). */
    void answered() {
        outstanding.decrementAndGet();
    }

    @Override
    public SelectStrategy newSelectStrategy() {
        return this;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        long now = System.nanoTime();
        if (slept) {
            slept = false; // back from epoll_wait: something happened, the next call may follow
            activeUntil = now + ACTIVE_POLL_NANOS;
        }
        if (hasTasks) {
            return selectNow.get();
        }
        if (now - activeUntil < 0 || (outstanding.get() > 0 && now - pollUntil < 0)) {
            int ready = selectNow.get();
            if (ready > 0) {
                activeUntil = now + ACTIVE_POLL_NANOS;
                return ready;
            }
            Thread.yield(); // a client thread on this CPU runs first: two cores are few
            return SelectStrategy.CONTINUE;
        }
        slept = true;
        return SelectStrategy.SELECT;
    }
}
