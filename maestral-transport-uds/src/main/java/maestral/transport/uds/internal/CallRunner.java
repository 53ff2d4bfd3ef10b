package maestral.transport.uds.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the calls the event loop hands off. One platform thread, the <em>hot runner</em>,
 * takes a call whenever it is free and stays awake for {@link #AWAKE_NANOS} after each one,
 * so that the next hand-off reaches a running thread instead of waking a sleeping one (on a
 * virtual machine, waking an idle CPU costs tens of microseconds). A call that comes while the
 * hot runner is busy runs on a virtual thread of its own, so a call that blocks delays no other.
 *
 * <p><b>{@link #execute} is called by the event loop; the rest by any thread.</b>
 */
final class CallRunner implements AutoCloseable {

    /** How long the hot runner waits awake for the next call: 200 µs. */
    static final long AWAKE_NANOS = 200_000;

    /** The longest sleep of an idle hot runner between looks at its state: 1 s. */
    private static final long SLEEP_NANOS = 1_000_000_000L;

    private static final int FREE = 0;
    private static final int CLAIMED = 1;
    private static final int CLOSED = 2;

    private final AtomicInteger state = new AtomicInteger(FREE);
    private final Thread hot;
    private final ExecutorService others;
    private volatile Runnable next;
    private volatile boolean sleeping;

    /**
     * Starts the hot runner.
     *
     * @param name the prefix of the threads' names
     */
    CallRunner(String name) {
        this.others = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name, 0).factory());
        this.hot = Thread.ofPlatform().daemon().name(name + "hot").start(this::runHot);
    }

    /**
     * Runs a call: on the hot runner when it is free, else on a new virtual thread.
     *
     * @param call the call; it must not throw
     * @throws RejectedExecutionException after {@link #close()}
     */
    void execute(Runnable call) {
        if (state.compareAndSet(FREE, CLAIMED)) {
            next = call;
            if (sleeping) {
                LockSupport.unpark(hot);
            }
            return;
        }
        others.execute(call); // throws RejectedExecutionException once closed
    }

    private void runHot() {
        long awakeUntil = System.nanoTime();
        while (true) {
            int s = state.get();
            if (s == CLOSED) {
                return;
            }
            if (s == CLAIMED) {
                Runnable call;
                while ((call = next) == null) {
                    Thread.onSpinWait(); // the claimer is about to publish it
                }
                next = null;
                try {
                    call.run();
                } finally {
                    Thread.interrupted(); // an interrupt meant for that call stops here
                    awakeUntil = System.nanoTime() + AWAKE_NANOS;
                    state.compareAndSet(CLAIMED, FREE);
                }
            } else if (System.nanoTime() - awakeUntil < 0) {
                Thread.yield(); // awake, but any other thread on this CPU runs first
            } else {
                sleeping = true;
                if (state.get() == FREE) {
                    LockSupport.parkNanos(this, SLEEP_NANOS); // woken by execute or close
                }
                sleeping = false;
            }
        }
    }

    /** Stops taking calls and interrupts the running ones; their threads end on their own. */
    @Override
    public void close() {
        int s = state.getAndSet(CLOSED);
        if (s == CLAIMED) {
            hot.interrupt();
        }
        LockSupport.unpark(hot);
        others.shutdownNow();
    }
}
