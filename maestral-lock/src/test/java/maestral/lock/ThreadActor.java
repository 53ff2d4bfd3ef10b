package maestral.lock;

import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A dedicated thread of the test JVM that uses the lock: every call runs on that thread and must
 * finish within {@link #TIMEOUT_SECONDS} (the lock never blocks).
 */
final class ThreadActor implements LockActor, AutoCloseable {

    static final long TIMEOUT_SECONDS = 10;
    private static final long OWN_PID = ProcessHandle.current().pid();

    private final String name;
    private final Lock lock;
    private final ExecutorService thread;

    ThreadActor(String name, Lock lock) {
        this.name = name;
        this.lock = lock;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lock-actor-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs a task on this actor's thread and waits for it, at most {@link #TIMEOUT_SECONDS}.
     *
     * @param task the task
     * @return its result
     */
    <T> T run(Callable<T> task) {
        return await(submit(task));
    }

    /**
     * Starts a task on this actor's thread.
     *
     * @param task the task
     * @return its future; read it with {@link #await}
     */
    <T> Future<T> submit(Callable<T> task) {
        return thread.submit(task);
    }

    /**
     * Waits for a task of this actor, at most {@link #TIMEOUT_SECONDS}.
     *
     * @param future the task's future
     * @return its result
     */
    <T> T await(Future<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new AssertionError(name + ": the lock call did not return within "
                    + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(name + ": interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error r) {
                throw r;
            }
            throw new AssertionError(name + ": " + e.getCause(), e.getCause());
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long pid() {
        return OWN_PID;
    }

    @Override
    public boolean alive() {
        return true;
    }

    @Override
    public boolean acquire() {
        return run(lock::acquire);
    }

    @Override
    public boolean release() {
        return run(() -> {
            try {
                lock.release();
                return true;
            } catch (IllegalStateException e) {
                return false;
            }
        });
    }

    @Override
    public boolean locked() {
        return run(lock::locked);
    }

    @Override
    public OptionalLong lockingPid() {
        return run(lock::lockingPid);
    }

    @Override
    public boolean holds() {
        return run(lock::holdsCurrentFile);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError(name + ": the thread did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
