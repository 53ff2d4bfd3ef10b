package maestral.transport.shm.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

@ResourceLock("system-properties")
class ShmSettingsTest {

    @AfterEach
    void clear() {
        System.clearProperty(ShmSettings.IDLE_PROPERTY);
        System.clearProperty(ShmSettings.MAX_PARK_PROPERTY);
    }

    @Test
    void defaultsAreAdaptiveWithTenMillisecondPauses() {
        ShmSettings s = ShmSettings.fromSystemProperties();
        assertEquals("adaptive", s.idleStrategy());
        assertEquals(10_000_000L, s.maxParkNanos());
        assertEquals("adaptive", s.newIdleStrategy().alias());
    }

    @Test
    void propertiesAreRead() {
        System.setProperty(ShmSettings.IDLE_PROPERTY, "Sleepy");
        System.setProperty(ShmSettings.MAX_PARK_PROPERTY, "2500");
        ShmSettings s = ShmSettings.fromSystemProperties();
        assertEquals("sleepy", s.idleStrategy());
        assertEquals(2_500_000L, s.maxParkNanos());
    }

    @Test
    void aBadValueNamesItsProperty() {
        System.setProperty(ShmSettings.IDLE_PROPERTY, "snooze");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ShmSettings::fromSystemProperties);
        assertTrue(e.getMessage().contains("maestral.shm.idle"), e.getMessage());
        System.setProperty(ShmSettings.IDLE_PROPERTY, "busy");
        for (String bad : new String[] {"ten", "0", "-5", "99999999"}) {
            System.setProperty(ShmSettings.MAX_PARK_PROPERTY, bad);
            e = assertThrows(IllegalArgumentException.class, ShmSettings::fromSystemProperties);
            assertTrue(e.getMessage().contains("maestral.shm.maxParkMicros"), e.getMessage());
        }
    }
}
