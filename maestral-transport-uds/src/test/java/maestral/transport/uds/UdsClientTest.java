package maestral.transport.uds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import maestral.api.CallTimeoutError;
import maestral.api.CommunicationError;
import maestral.api.Maestral;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MaestralDispatcher;
import maestral.api.spi.RemoteMaestral;
import maestral.api.spi.TransportClient;
import maestral.transport.tck.ScriptedMaestral;
import maestral.transport.uds.internal.FrameDescriptor;
import maestral.transport.uds.internal.WireCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's own duties: taking turns at reading the socket, and surviving a daemon that
 * misbehaves (answers garbage, stops reading, never answers), each against a real socket.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdsClientTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    private Endpoint endpoint() {
        return new Endpoint("client", dir, dir.resolve("client.sock"));
    }

    private TransportClient connect(Duration timeout) {
        TransportClient c = new UdsTransportProvider().connect(endpoint(), Handshake.client("uds"), timeout);
        opened.add(c);
        return c;
    }

    @Test
    void whenTheReadingCallerLeavesAWaitingCallerTakesOverAndGetsItsAnswer() throws Exception {
        opened.add(new UdsTransportProvider().bind(endpoint(), Handshake.server("uds", "client"),
                new MaestralDispatcher(new ScriptedMaestral("client"))));
        TransportClient client = connect(Duration.ofSeconds(5));
        Maestral shortWait = RemoteMaestral.over(client, Duration.ofSeconds(10));
        // The second caller's deadline is far shorter than the test's: if nobody read for it
        // after the first caller left, it would fail with CallTimeoutError.
        Maestral longWait = RemoteMaestral.over(client, Duration.ofSeconds(4));
        try (ExecutorService callers = Executors.newFixedThreadPool(2)) {
            Future<String> first = callers.submit(() -> shortWait.getFileStatus("/block/300"));
            Thread.sleep(100); // the first caller is reading by now
            Future<String> second = callers.submit(() -> longWait.getFileStatus("/block/1000"));
            assertEquals("up to date", first.get(10, TimeUnit.SECONDS));
            assertEquals("up to date", second.get(10, TimeUnit.SECONDS));
        }
        assertTrue(client.isOpen());
    }

    @Test
    void anAnswerWithAnImpossibleLengthClosesTheConnectionAndFailsTheCall() throws Exception {
        try (FakeDaemon daemon = new FakeDaemon(endpoint().socketPath())) {
            CompletableFuture<Void> script = daemon.run(peer -> {
                greet(peer);
                readFrame(peer);
                peer.write(ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH).putInt(Integer.MAX_VALUE)
                        .put(FrameDescriptor.RESULT).flip());
            });
            TransportClient client = connect(Duration.ofSeconds(5));
            CommunicationError e = assertThrows(CommunicationError.class,
                    () -> RemoteMaestral.over(client, Duration.ofSeconds(10)).status());
            assertTrue(e.getMessage().contains("broke the protocol"), e.getMessage());
            assertTrue(e.getMessage().contains("bad frame length"), e.getMessage());
            assertFalse(client.isOpen());
            script.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDaemonThatStopsReadingCannotHoldACallPastItsDeadline() throws Exception {
        try (FakeDaemon daemon = new FakeDaemon(endpoint().socketPath())) {
            CompletableFuture<Void> script = daemon.run(peer -> {
                greet(peer);
                Thread.sleep(5_000); // reads nothing more while the client writes
            });
            TransportClient client = connect(Duration.ofSeconds(5));
            String huge = "x".repeat(16 << 20); // far more than a socket buffer holds
            long start = System.nanoTime();
            assertThrows(CallTimeoutError.class,
                    () -> RemoteMaestral.over(client, Duration.ofMillis(500)).excludedStatus("/" + huge));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMillis < 4_000, "the call took " + tookMillis + " ms for a 500 ms deadline");
            assertFalse(client.isOpen(), "half a frame was written: the connection cannot be used again");
            daemon.stop();
            script.handle((v, t) -> null).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDaemonThatNeverAnswersTheHandshakeFailsTheConnectWithinItsDeadline() throws Exception {
        try (FakeDaemon daemon = new FakeDaemon(endpoint().socketPath())) {
            CompletableFuture<Void> script = daemon.run(peer -> Thread.sleep(5_000));
            long start = System.nanoTime();
            CommunicationError e = assertThrows(CommunicationError.class, () -> connect(Duration.ofMillis(300)));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(e.getMessage().contains("did not answer the handshake"), e.getMessage());
            assertTrue(tookMillis < 4_000, "connect took " + tookMillis + " ms for a 300 ms deadline");
            daemon.stop();
            script.handle((v, t) -> null).get(10, TimeUnit.SECONDS);
        }
    }

    private static void greet(SocketChannel peer) throws IOException {
        readFrame(peer);
        ByteBuf reply = WireCodec.encodeHelloReply(UnpooledByteBufAllocator.DEFAULT,
                Handshake.server("uds", "client"), null, FrameDescriptor.DEFAULT_MAX_FRAME_BYTES);
        try {
            peer.write(reply.nioBuffer());
        } finally {
            reply.release();
        }
    }

    private static void readFrame(SocketChannel peer) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(FrameDescriptor.LENGTH_FIELD_LENGTH);
        readFully(peer, length);
        readFully(peer, ByteBuffer.allocate(length.flip().getInt()));
    }

    private static void readFully(SocketChannel peer, ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (peer.read(into) < 0) {
                throw new IOException("the client hung up");
            }
        }
    }

    /** What a fake daemon does with the one connection it accepts. */
    @FunctionalInterface
    interface Script {
        void play(SocketChannel peer) throws Exception;
    }

    /** A socket that accepts one client and plays a script on it, on a thread of its own. */
    private static final class FakeDaemon implements AutoCloseable {
        private final ServerSocketChannel server;
        private final Path path;
        private volatile SocketChannel peer;
        private volatile Thread player;

        FakeDaemon(Path path) throws IOException {
            this.path = path;
            this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
        }

        CompletableFuture<Void> run(Script script) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            player = Thread.ofPlatform().daemon().name("fake-daemon").start(() -> {
                try (SocketChannel accepted = server.accept()) {
                    peer = accepted;
                    script.play(accepted);
                    done.complete(null);
                } catch (Exception e) {
                    done.completeExceptionally(e);
                }
            });
            return done;
        }

        @Override
        public void close() throws IOException {
            stop();
        }

        /** Ends the script and the socket; idempotent. */
        void stop() throws IOException {
            Thread t = player;
            if (t != null) {
                t.interrupt(); // ends a script that sleeps or waits in I/O
            }
            SocketChannel p = peer;
            if (p != null) {
                p.close();
            }
            server.close();
            java.nio.file.Files.deleteIfExists(path);
        }
    }
}
