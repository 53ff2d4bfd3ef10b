package maestral.transport.uds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.RemoteMaestral;
import maestral.api.spi.TransportClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server in a child JVM with a small heap survives length prefixes of gibibytes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChildServerTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    private Path dir;
    private ChildJvm child;

    @BeforeEach
    void makeFolder() throws IOException {
        dir = Files.createTempDirectory("uds-child");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (child != null) {
            child.close();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void aSmallHeapServerSurvivesGibibyteLengthPrefixesAndServesOn() throws Exception {
        Path socket = dir.resolve("child.sock");
        child = ChildJvm.startMain(List.of("-Xmx64m", "-XX:+ExitOnOutOfMemoryError"),
                ServerMain.class, socket.toString());
        child.awaitLine("READY", Duration.ofSeconds(30));

        for (int length : new int[] {0x7FFF_FFF0, Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 2_000_000_000}) {
            try (RawPeer attacker = RawPeer.connect(socket)) {
                ByteBuffer prefix = ByteBuffer.allocate(64).putInt(length).put(new byte[60]);
                attacker.write(prefix.array(), DEADLINE);
                assertTrue(attacker.awaitClose(DEADLINE), "the server kept a connection announcing "
                        + Integer.toUnsignedString(length) + " bytes");
            }
        }

        try (TransportClient client = new UdsTransportProvider().connect(
                new Endpoint("child", dir, socket), Handshake.client("uds"), DEADLINE)) {
            assertEquals("Up to date", RemoteMaestral.over(client, DEADLINE).status());
            assertEquals(40_000, RemoteMaestral.over(client, DEADLINE).listFolder("/big/40000", false).size(),
                    "a 4 MiB answer still fits the small heap");
        }
        assertTrue(child.process().isAlive(), "the child died:\n" + child.transcript());
        assertFalse(child.transcript().contains("OutOfMemoryError"), child.transcript());
    }
}
