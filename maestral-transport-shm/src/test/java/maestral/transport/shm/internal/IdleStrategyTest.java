package maestral.transport.shm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class IdleStrategyTest {

    @Test
    void strategiesAreChosenByName() {
        assertInstanceOf(BusySpinIdleStrategy.class, IdleStrategy.byName("busy", 1_000_000));
        assertInstanceOf(BackoffIdleStrategy.class, IdleStrategy.byName(" Adaptive ", 1_000_000));
        assertInstanceOf(SleepingIdleStrategy.class, IdleStrategy.byName("SLEEPY", 1_000_000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> IdleStrategy.byName("lazy", 1_000_000));
        assertTrue(e.getMessage().contains("busy, adaptive or sleepy"), e.getMessage());
    }

    @Test
    void backOffSpinsThenYieldsThenParksWithinItsBound() {
        BackoffIdleStrategy idle = new BackoffIdleStrategy(50_000, 50_000, 1_000, 2_000_000);
        long start = System.nanoTime();
        while (!idle.parking() && System.nanoTime() - start < Duration.ofSeconds(5).toNanos()) {
            idle.idle(0);
        }
        assertTrue(idle.parking(), "parks after spinning and yielding");
        assertTrue(System.nanoTime() - start >= 100_000, "spun and yielded first");
        long before = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            idle.idle(0);
        }
        long twenty = System.nanoTime() - before;
        assertTrue(twenty < Duration.ofMillis(20 * 2 + 200).toNanos(), "pauses stay within the bound: " + twenty);
        idle.idle(1);
        assertFalse(idle.parking(), "work resets it");
    }

    @Test
    void sleepyParksAtOnceAndBusyNever() {
        SleepingIdleStrategy sleepy = new SleepingIdleStrategy(1_000_000);
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            sleepy.idle();
        }
        assertTrue(System.nanoTime() - start >= 5 * 50_000, "sleepy parks");
        BusySpinIdleStrategy busy = new BusySpinIdleStrategy();
        start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            busy.idle();
        }
        assertTrue(System.nanoTime() - start < Duration.ofMillis(50).toNanos(), "busy never parks");
        assertEquals("busy", busy.alias());
    }

    @Test
    void badBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BackoffIdleStrategy(0, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new BackoffIdleStrategy(0, 0, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> new SleepingIdleStrategy(0));
    }
}
