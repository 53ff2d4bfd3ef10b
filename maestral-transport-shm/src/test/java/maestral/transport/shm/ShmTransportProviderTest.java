package maestral.transport.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import maestral.api.CommunicationError;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.TransportProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShmTransportProviderTest {

    @TempDir
    Path runtimeDir;

    @Test
    void itIsFoundAsAServiceWithItsIdAndPreference() {
        List<TransportProvider> found = ServiceLoader.load(TransportProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.id().equals("shm")).toList();
        assertEquals(1, found.size());
        assertEquals(200, found.getFirst().preference());
        assertTrue(found.getFirst().availability().supported(), found.getFirst().availability().reason());
    }

    @Test
    void creatingItAllocatesNothing() throws Exception {
        Set<String> before = threadNames();
        for (int i = 0; i < 100; i++) {
            TransportProvider p = new ShmTransportProvider();
            p.id();
            p.preference();
            p.availability();
            p.jvmOptions();
        }
        assertEquals(before, threadNames(), "no thread started");
        try (var files = Files.list(runtimeDir)) {
            assertEquals(0, files.count(), "no file created");
        }
    }

    @Test
    void itsJvmOptionsServeTheClassPathAndTheModulePath() {
        List<String> options = new ShmTransportProvider().jvmOptions();
        assertTrue(options.contains("-Dchronicle.analytics.disable=true"));
        assertTrue(options.contains("--add-opens=java.base/java.lang.reflect=chronicle.core,ALL-UNNAMED"));
        assertTrue(options.contains("--add-exports=java.base/sun.nio.ch=chronicle.core,ALL-UNNAMED"));
        assertTrue(options.contains("--add-exports=java.base/jdk.internal.ref=chronicle.core,ALL-UNNAMED"));
        assertTrue(options.contains("--sun-misc-unsafe-memory-access=allow"));
        assertTrue(options.stream().noneMatch(o -> o.contains("ALL-MODULE-PATH") || o.contains("org.slf4j")),
                "the daemon adds the module-path modules itself, and org.slf4j does not exist on the class path");
    }

    @Test
    void connectingWithNothingServingFailsAtOnce() {
        long start = System.nanoTime();
        CommunicationError e = assertThrows(CommunicationError.class, () -> new ShmTransportProvider()
                .connect(new Endpoint("none", runtimeDir, runtimeDir.resolve("none.sock")),
                        Handshake.client("shm"), Duration.ofSeconds(5)));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos());
        assertTrue(e.getMessage().contains("'none'"), e.getMessage());
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("maestral-shm") || n.contains("chronicle") || n.contains("~"))
                .collect(Collectors.toSet());
    }
}
