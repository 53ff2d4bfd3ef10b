package maestral.daemon.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import maestral.api.CommunicationError;
import maestral.api.spi.TransportProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Transports}: discovery with the uds plugin on the class path, and the choice of transport. */
class TransportsTest {

    @BeforeEach
    void noTransportRequestedByTheEnvironment() {
        assumeTrue(System.getenv("MAESTRAL_TRANSPORT") == null, "MAESTRAL_TRANSPORT is set");
    }

    @AfterEach
    void clearProperties() {
        System.clearProperty("maestral.transport");
        System.clearProperty("maestral.transports");
    }

    @Test
    void findsTheUdsPlugin() {
        Map<String, TransportProvider> all = Transports.all();
        assertTrue(all.containsKey("uds"), all.toString());
        assertEquals("uds", all.get("uds").id());
        assertTrue(Transports.origin(all.get("uds")).contains("maestral-transport-uds")
                || Transports.origin(all.get("uds")).contains("module"), Transports.origin(all.get("uds")));
        assertThrows(UnsupportedOperationException.class, () -> all.remove("uds"));
        List<Integer> preferences = all.values().stream().map(TransportProvider::preference).toList();
        assertEquals(preferences.stream().sorted((a, b) -> b - a).toList(), preferences, "highest first");
    }

    @Test
    void requestedByClient() {
        assertNull(Transports.requestedByClient());
        System.setProperty("maestral.transport", "  ");
        assertNull(Transports.requestedByClient());
        System.setProperty("maestral.transport", " uds ");
        assertEquals("uds", Transports.requestedByClient());
    }

    @Test
    void forDaemonNarrowedToAnUnknownTransportNamesIt() {
        System.setProperty("maestral.transports", "uds, nosuch");
        IllegalStateException e = assertThrows(IllegalStateException.class, Transports::forDaemon);
        assertTrue(e.getMessage().contains("nosuch"), e.getMessage());
    }

    @Test
    void forClientChoosesACommonTransport() {
        assumeTrue(Transports.all().get("uds").availability().supported(), "uds is not supported here");
        String best = Transports.all().values().stream().filter(p -> p.availability().supported())
                .filter(p -> List.of("shm", "uds").contains(p.id())).findFirst().orElseThrow().id();
        assertEquals(best, Transports.forClient(List.of("shm", "uds")).id(), "the highest preference wins");
        assertEquals("uds", Transports.forClient(List.of("uds")).id());
        System.setProperty(Transports.PREFER_PROPERTY, "uds");
        try {
            assertEquals("uds", Transports.forClient(List.of("shm", "uds")).id(), "a preferred one comes first");
            assertEquals(best, Transports.forClient(List.of(best)).id(), "unless it is not served");
        } finally {
            System.clearProperty(Transports.PREFER_PROPERTY);
        }
        CommunicationError none = assertThrows(CommunicationError.class, () -> Transports.forClient(List.of("x")));
        assertTrue(none.getMessage().contains("[x]"), none.getMessage());
    }

    @Test
    void forClientHonoursTheRequestedTransport() {
        System.setProperty("maestral.transport", "uds");
        assertEquals("uds", Transports.forClient(List.of("uds")).id());
        CommunicationError notServed = assertThrows(CommunicationError.class,
                () -> Transports.forClient(List.of("shm")));
        assertTrue(notServed.getMessage().contains("uds"), notServed.getMessage());
        System.setProperty("maestral.transport", "carrier-pigeon");
        CommunicationError missing = assertThrows(CommunicationError.class,
                () -> Transports.forClient(List.of("carrier-pigeon")));
        assertTrue(missing.getMessage().contains("carrier-pigeon"), missing.getMessage());
    }
}
