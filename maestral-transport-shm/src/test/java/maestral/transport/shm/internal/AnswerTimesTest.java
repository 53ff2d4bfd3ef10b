package maestral.transport.shm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AnswerTimesTest {

    private static ShmSettings settings(String idle) {
        return new ShmSettings(idle, 10_000_000L, ShmSettings.BLOCK_SIZE, Duration.ofMillis(100), Duration.ofMillis(2));
    }

    @Test
    void adaptiveSpinsTwiceTheTypicalAnswerWithinItsBounds() {
        AnswerTimes t = new AnswerTimes();
        ShmSettings adaptive = settings("adaptive");
        assertEquals(AnswerTimes.MIN_SPIN_NANOS, t.spinNanos(adaptive), "before any answer");
        t.observe(3_000);
        assertEquals(AnswerTimes.MIN_SPIN_NANOS, t.spinNanos(adaptive), "fast answers: the minimum");
        for (int i = 0; i < 100; i++) {
            t.observe(60_000);
        }
        assertEquals(120_000, t.spinNanos(adaptive), 2_000);
        for (int i = 0; i < 100; i++) {
            t.observe(150_000);
        }
        assertEquals(AnswerTimes.MIN_SPIN_NANOS, t.spinNanos(adaptive), "slow answers are not spun for");
    }

    @Test
    void oneLongPollDoesNotStopTheSpinningForLong() {
        AnswerTimes t = new AnswerTimes();
        ShmSettings adaptive = settings("adaptive");
        for (int i = 0; i < 50; i++) {
            t.observe(50_000);
        }
        t.observe(Duration.ofSeconds(30).toNanos());
        assertEquals(AnswerTimes.MIN_SPIN_NANOS, t.spinNanos(adaptive));
        int calls = 0;
        while (t.spinNanos(adaptive) == AnswerTimes.MIN_SPIN_NANOS && calls < 1_000) {
            t.observe(50_000);
            calls++;
        }
        assertEquals(true, calls < 25, "spinning again after " + calls + " answers");
    }

    @Test
    void busyAndSleepyIgnoreTheAnswerTimes() {
        AnswerTimes t = new AnswerTimes();
        t.observe(60_000);
        assertEquals(Long.MAX_VALUE, t.spinNanos(settings("busy")));
        assertEquals(0, t.spinNanos(settings("sleepy")));
    }
}
