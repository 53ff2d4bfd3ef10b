package maestral.daemon.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import maestral.api.spi.CallDispatcher;
import maestral.api.spi.CallResult;
import maestral.api.spi.MaestralMethods;
import maestral.api.spi.MethodCall;
import org.junit.jupiter.api.Test;

/** The daemon's dispatcher counts calls in flight and keeps the served object's promise of quick getters. */
class CountingDispatcherTest {

    @Test
    void countsACallWhileItRunsAndPassesOnWhichCallsAnswerAtOnce() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger seenInFlight = new AtomicInteger(-1);
        CallDispatcher target = new CallDispatcher() {
            @Override
            public CallResult dispatch(MethodCall call) {
                seenInFlight.set(inFlight.get());
                return new CallResult.Returned("ok");
            }

            @Override
            public boolean answersAtOnce(MethodCall call) {
                return call.methodId() == MaestralMethods.id("status");
            }
        };
        var counting = new DaemonRunner.CountingDispatcher(target, inFlight);
        assertEquals(new CallResult.Returned("ok"), counting.dispatch(new MethodCall(0, null)));
        assertEquals(1, seenInFlight.get());
        assertEquals(0, inFlight.get());
        assertTrue(counting.answersAtOnce(new MethodCall(MaestralMethods.id("status"), null)));
        assertFalse(counting.answersAtOnce(new MethodCall(MaestralMethods.id("statusChangeLongpoll"), null)));
    }
}
