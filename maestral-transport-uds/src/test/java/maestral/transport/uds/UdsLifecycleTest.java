package maestral.transport.uds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import maestral.api.BadInputError;
import maestral.api.CommunicationError;
import maestral.api.Maestral;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MaestralDispatcher;
import maestral.api.spi.RemoteMaestral;
import maestral.api.spi.TransportClient;
import maestral.api.spi.TransportServer;
import maestral.transport.tck.ScriptedMaestral;
import maestral.transport.uds.internal.UdsSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Binding, permissions, limits and clean-up of the uds server and client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdsLifecycleTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
        System.clearProperty(maestral.api.spi.FrameLimit.PROPERTY);
        waitUntil(() -> transportThreads().isEmpty(), "transport threads still alive: ");
    }

    private Endpoint endpoint() {
        return new Endpoint("life", dir, dir.resolve("life.sock"));
    }

    private TransportServer bind() throws IOException {
        TransportServer s = new UdsTransportProvider().bind(endpoint(), Handshake.server("uds", "life"),
                new MaestralDispatcher(new ScriptedMaestral("life")));
        opened.add(s);
        return s;
    }

    private TransportClient connect() {
        TransportClient c = new UdsTransportProvider().connect(endpoint(), Handshake.client("uds"), DEADLINE);
        opened.add(c);
        return c;
    }

    private static List<String> transportThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).filter(n -> n.startsWith("maestral-uds-")).toList();
    }

    private static void waitUntil(java.util.function.BooleanSupplier ok, String message) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(message + transportThreads());
            }
            Thread.sleep(10);
        }
    }

    @Test
    void creatingTheProviderStartsNothing() {
        List<String> before = transportThreads();
        UdsTransportProvider provider = new UdsTransportProvider();
        assertEquals("uds", provider.id());
        assertEquals(100, provider.preference());
        assertTrue(provider.availability().supported(), provider.availability().reason());
        assertEquals(before, transportThreads());
        assertFalse(Files.exists(endpoint().socketPath()));
    }

    @Test
    void theSocketIsPrivateAndListedAndRemoved() throws Exception {
        TransportServer server = bind();
        Path socket = endpoint().socketPath();
        assertEquals(List.of(socket), server.files());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        assertTrue(server.address().contains(socket.toString()));
        server.close();
        assertFalse(Files.exists(socket));
    }

    @Test
    void bindingALivePathFailsClearlyAndLeavesTheLiveServerAlone() throws Exception {
        bind();
        IOException e = assertThrows(IOException.class, this::bind);
        assertTrue(e.getMessage().contains("live"), e.getMessage());
        assertEquals("Up to date", RemoteMaestral.over(connect(), DEADLINE).status());
    }

    @Test
    void bindingOverAStaleFileFailsClearly() throws Exception {
        Files.writeString(endpoint().socketPath(), "stale");
        IOException e = assertThrows(IOException.class, this::bind);
        assertTrue(e.getMessage().contains("in the way"), e.getMessage());
        assertTrue(Files.exists(endpoint().socketPath()), "bind removed a file it does not own");
    }

    @Test
    void aTooLongSocketPathFailsClearly() {
        Path deep = dir.resolve("x".repeat(120) + ".sock");
        IOException e = assertThrows(IOException.class, () -> new UdsTransportProvider().bind(
                new Endpoint("long", dir, deep), Handshake.server("uds", "x"), call -> null));
        assertTrue(e.getMessage().contains("bytes"), e.getMessage());
    }

    @Test
    void closingLeavesASocketFileThatIsNoLongerItsOwn() throws Exception {
        TransportServer server = bind();
        Path socket = endpoint().socketPath();
        Files.delete(socket); // what a successor does before it binds the same path
        Files.writeString(socket, "a successor's socket");
        server.close();
        assertEquals("a successor's socket", Files.readString(socket));
    }

    @Test
    void aClientStartsNoThreadAndCallsAfterCloseFail() throws Exception {
        bind();
        List<String> before = transportThreads();
        TransportClient client = connect();
        assertEquals("Up to date", RemoteMaestral.over(client, DEADLINE).status());
        assertEquals(before, transportThreads(), "a client started threads of its own");
        client.close();
        assertFalse(client.isOpen());
        CommunicationError e = assertThrows(CommunicationError.class,
                () -> RemoteMaestral.over(client, DEADLINE).status());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
}
