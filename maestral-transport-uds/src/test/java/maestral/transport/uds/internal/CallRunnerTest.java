package maestral.transport.uds.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The call runner: one hot thread when free, a virtual thread of its own otherwise, and nothing left after close. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CallRunnerTest {

    @Test
    void aCallThatBlocksTheHotRunnerDelaysNoOther() throws Exception {
        try (CallRunner runner = new CallRunner("test-call-")) {
            CountDownLatch blocked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<Thread> first = new AtomicReference<>();
            runner.execute(() -> {
                first.set(Thread.currentThread());
                blocked.countDown();
                await(release);
            });
            assertTrue(blocked.await(10, TimeUnit.SECONDS));
            assertTrue(first.get().getName().endsWith("hot") && !first.get().isVirtual(), first.get().getName());
            CountDownLatch second = new CountDownLatch(1);
            AtomicReference<Thread> other = new AtomicReference<>();
            runner.execute(() -> {
                other.set(Thread.currentThread());
                second.countDown();
            });
            assertTrue(second.await(10, TimeUnit.SECONDS), "the second call ran while the first blocked");
            assertTrue(other.get().isVirtual());
            release.countDown();
        }
    }

    @Test
    void theHotRunnerTakesCallAfterCallWhenFree() throws Exception {
        try (CallRunner runner = new CallRunner("test-call-")) {
            for (int i = 0; i < 200; i++) {
                CountDownLatch done = new CountDownLatch(1);
                runner.execute(done::countDown);
                assertTrue(done.await(10, TimeUnit.SECONDS), "call " + i);
            }
        }
    }

    @Test
    void closeInterruptsARunningCallEndsTheHotThreadAndRefusesMore() throws Exception {
        CallRunner runner = new CallRunner("test-call-");
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Thread> hot = new AtomicReference<>();
        CountDownLatch interrupted = new CountDownLatch(1);
        runner.execute(() -> {
            hot.set(Thread.currentThread());
            started.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        runner.close();
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the running call was interrupted");
        hot.get().join(10_000);
        assertEquals(Thread.State.TERMINATED, hot.get().getState());
        assertThrows(RejectedExecutionException.class, () -> runner.execute(() -> { }));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
