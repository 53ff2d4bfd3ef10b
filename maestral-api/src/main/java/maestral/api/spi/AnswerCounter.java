package maestral.api.spi;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts the calls a server is carrying out whose answers are not yet on their way, for
 * {@link TransportServer#awaitAnswersSent}: a transport calls {@link #begin()} when it hands a
 * call to be carried out and {@link #end()} once the answer is queued or written.
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class AnswerCounter {

    private final AtomicInteger unanswered = new AtomicInteger();

    /** Creates a counter at zero. */
    public AnswerCounter() {
    }

    /** Counts a call whose answer is still to come. */
    public void begin() {
        unanswered.incrementAndGet();
    }

    /** Counts that call's answer as on its way. */
    public void end() {
        unanswered.decrementAndGet();
    }

    /**
     * Waits, polling every millisecond, until no answer is still to come.
     *
     * @param timeout the longest wait
     * @return whether none was left in time; {@code false} also when the thread is interrupted
     */
    public boolean awaitNone(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (unanswered.get() > 0) {
            if (System.nanoTime() - end >= 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(this, 1_000_000L);
        }
        return true;
    }
}
