package maestral.transport.uds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
import maestral.api.Maestral;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MaestralDispatcher;
import maestral.api.spi.RemoteMaestral;
import maestral.api.spi.TransportClient;
import maestral.transport.tck.ScriptedMaestral;
import maestral.transport.uds.internal.FrameDescriptor;
import maestral.transport.uds.internal.UdsServer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Attacks a live server with raw bytes: each bad connection must be closed, alone, and a
 * real client connected all along must still get its answers.
 */
class ServerFuzzTest {

    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private static Path dir;
    private static Path socket;
    private static UdsServer server;
    private static TransportClient client;
    private static Maestral remote;

    @BeforeContainer
    static void start() throws IOException {
        dir = Files.createTempDirectory("uds-fuzz");
        socket = dir.resolve("fuzz.sock");
        Endpoint endpoint = new Endpoint("fuzz", dir, socket);
        server = (UdsServer) new UdsTransportProvider().bind(endpoint, Handshake.server("uds", "fuzz"),
                new MaestralDispatcher(new ScriptedMaestral("fuzz")));
        client = new UdsTransportProvider().connect(endpoint, Handshake.client("uds"), DEADLINE);
        remote = RemoteMaestral.over(client, DEADLINE);
    }

    @AfterContainer
    static void stop() throws IOException {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ---- properties -----------------------------------------------------------------------

    @Property(tries = 60)
    void randomBytesCloseOnlyThatConnection(@ForAll @Size(max = 400) byte[] junk) throws Exception {
        try (RawPeer peer = RawPeer.connect(socket)) {
            peer.write(junk, DEADLINE);
            peer.shutdownOutput();
            assertTrue(peer.awaitClose(DEADLINE), "not closed after " + junk.length + " random bytes");
        }
        assertServesOn();
    }

    @Property(tries = 40)
    void randomBytesAfterAValidHandshakeCloseOnlyThatConnection(
            @ForAll @Size(min = 1, max = 400) byte[] junk) throws Exception {
        try (RawPeer peer = handshaken()) {
            peer.write(junk, DEADLINE);
            peer.shutdownOutput();
            assertTrue(peer.awaitClose(DEADLINE), "not closed after the handshake and junk");
        }
        assertServesOn();
    }

    @Property(tries = 40)
    void truncatedFramesCloseOnlyThatConnection(@ForAll @IntRange(min = 0, max = 10_000) int cutAt,
                                                @ForAll boolean afterHandshake) throws Exception {
        byte[] whole = afterHandshake ? callFrame(new byte[] {0, 0}) : RawPeer.helloFrame();
        byte[] cut = Arrays.copyOf(whole, cutAt % whole.length);
        try (RawPeer peer = afterHandshake ? handshaken() : RawPeer.connect(socket)) {
            peer.write(cut, DEADLINE);
            peer.shutdownOutput();
            assertTrue(peer.awaitClose(DEADLINE), "not closed after " + cut.length + " of " + whole.length);
        }
        assertServesOn();
    }

    @Property(tries = 40)
    void badLengthPrefixesCloseAtOnce(@ForAll("badLengths") int length,
                                      @ForAll boolean afterHandshake) throws Exception {
        try (RawPeer peer = afterHandshake ? handshaken() : RawPeer.connect(socket)) {
            peer.write(ByteBuffer.allocate(32).putInt(length).array(), DEADLINE);
            assertTrue(peer.awaitClose(DEADLINE),
                    "kept a connection announcing " + Integer.toUnsignedString(length) + " bytes");
        }
        assertServesOn();
    }

    @Property(tries = 30)
    void unknownFrameTypesCloseAtOnce(@ForAll("unknownTypes") byte type,
                                      @ForAll boolean afterHandshake) throws Exception {
        try (RawPeer peer = afterHandshake ? handshaken() : RawPeer.connect(socket)) {
            peer.write(RawPeer.frame(type, 1, new byte[] {0, 0}), DEADLINE);
            assertTrue(peer.awaitClose(DEADLINE), "kept a connection that sent type " + (type & 0xff));
        }
        assertServesOn();
    }

    @Property(tries = 30)
    void unknownKryoClassIdsCloseAtOnce(@ForAll("unregisteredIds") int classId) throws Exception {
        // A CALL of method 0 with one argument of an unregistered class id.
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.write(0);
        payload.write(1);
        writeVarInt(payload, classId + 2);
        payload.write(new byte[8], 0, 8);
        try (RawPeer peer = handshaken()) {
            peer.write(callFrame(payload.toByteArray()), DEADLINE);
            assertTrue(peer.awaitClose(DEADLINE), "kept a connection that sent class id " + classId);
        }
        assertServesOn();
    }

    @Property(tries = 20)
    void aHandshakeOfUnknownClassIdsClosesAtOnce(@ForAll @Size(min = 1, max = 64) byte[] payload)
            throws Exception {
        try (RawPeer peer = RawPeer.connect(socket)) {
            peer.write(RawPeer.frame(FrameDescriptor.HELLO, 0, payload), DEADLINE);
            assertTrue(peer.awaitClose(DEADLINE), "kept a connection with a garbage handshake");
        }
        assertServesOn();
    }

    // ---- single cases -----------------------------------------------------------------------

    @Example
    void framesOutOfOrderCloseTheConnection() throws Exception {
        for (byte type : new byte[] {FrameDescriptor.CALL, FrameDescriptor.RESULT, FrameDescriptor.HELLO_REPLY}) {
            try (RawPeer peer = RawPeer.connect(socket)) {
                peer.write(RawPeer.frame(type, 1, new byte[] {0, 0}), DEADLINE);
                assertTrue(peer.awaitClose(DEADLINE), "a " + type + " before HELLO was accepted");
            }
        }
        try (RawPeer peer = handshaken()) {
            peer.write(RawPeer.helloFrame(), DEADLINE);
            assertTrue(peer.awaitClose(DEADLINE), "a second HELLO was accepted");
        }
        assertServesOn();
    }

    @Example
    void nonZeroReservedBytesCloseTheConnection() throws Exception {
        byte[] frame = RawPeer.helloFrame();
        frame[FrameDescriptor.RESERVED_OFFSET + 1] = 7;
        try (RawPeer peer = RawPeer.connect(socket)) {
            peer.write(frame, DEADLINE);
            assertTrue(peer.awaitClose(DEADLINE));
        }
        assertServesOn();
    }

    @Example
    void classNamesOnTheWireAreRefused() throws Exception {
        // Class id 1 on the wire means "a class name follows": never accepted.
        byte[] name = "java.util.concurrent.ConcurrentSkipListSet".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.write(0);
        payload.write(1);
        payload.write(1);
        payload.write(1);
        writeVarInt(payload, name.length + 1);
        payload.write(name, 0, name.length);
        try (RawPeer peer = handshaken()) {
            peer.write(callFrame(payload.toByteArray()), DEADLINE);
            assertTrue(peer.awaitClose(DEADLINE));
        }
        assertServesOn();
    }

    @Example
    void hugeCountsInAPayloadCloseTheConnection() throws Exception {
        // An argument count of 2^31-1, then a list and a string claiming 2^31-1 entries and bytes.
        for (byte[] payload : new byte[][] {
            {0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07},
            {0, 1, (byte) (20 + 2), (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07},
            {0, 1, 3, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 'a'},
        }) {
            try (RawPeer peer = handshaken()) {
                peer.write(callFrame(payload), DEADLINE);
                assertTrue(peer.awaitClose(DEADLINE), Arrays.toString(payload));
            }
        }
        assertServesOn();
    }

    @Example
    void deeplyNestedListsCloseTheConnection() throws Exception {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        payload.write(0);
        payload.write(1);
        for (int i = 0; i < 100_000; i++) {
            payload.write(20 + 2);
            payload.write(1);
        }
        payload.write(0);
        try (RawPeer peer = handshaken()) {
            peer.write(callFrame(payload.toByteArray()), DEADLINE);
            assertTrue(peer.awaitClose(DEADLINE));
        }
        assertServesOn();
    }

    @Example
    void aSilentClientIsNotAProblemForOthers() throws Exception {
        try (RawPeer silent = RawPeer.connect(socket)) {
            assertTrue(silent.write(new byte[] {0}, DEADLINE), "a peer that says almost nothing");
            assertEquals("Up to date", remote.status());
            TransportClient second = new UdsTransportProvider().connect(
                    new Endpoint("fuzz", dir, socket), Handshake.client("uds"), DEADLINE);
            try {
                assertEquals("Up to date", RemoteMaestral.over(second, DEADLINE).status());
                assertEquals(3, server.connectionCount(), "the silent peer, the second client and ours");
            } finally {
                second.close();
            }
        } finally {
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (server.connectionCount() > 1 && System.nanoTime() < end) {
                Thread.sleep(2);
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------

    @Provide
    Arbitrary<Integer> badLengths() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(Integer.MIN_VALUE, FrameDescriptor.MIN_FRAME_LENGTH - 1),
                Arbitraries.integers().between(FrameDescriptor.DEFAULT_MAX_FRAME_BYTES - 3, Integer.MAX_VALUE),
                Arbitraries.of(-1, 0, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x7FFF_FFF0,
                        FrameDescriptor.DEFAULT_MAX_FRAME_BYTES));
    }

    @Provide
    Arbitrary<Byte> unknownTypes() {
        return Arbitraries.bytes().filter(b -> !FrameDescriptor.isKnownType(b));
    }

    @Provide
    Arbitrary<Integer> unregisteredIds() {
        return Arbitraries.oneOf(Arbitraries.integers().between(10, 19),
                Arbitraries.integers().between(34, 1_000_000));
    }

    private static RawPeer handshaken() throws IOException {
        RawPeer peer = RawPeer.connect(socket);
        try {
            if (!peer.write(RawPeer.helloFrame(), DEADLINE)) {
                throw new AssertionError("could not send the handshake");
            }
            byte[] reply = peer.readFrame(DEADLINE);
            assertEquals(FrameDescriptor.HELLO_REPLY, reply[FrameDescriptor.TYPE_OFFSET]);
            return peer;
        } catch (IOException | RuntimeException | Error e) {
            peer.close();
            throw e;
        } catch (InterruptedException e) {
            peer.close();
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static byte[] callFrame(byte[] payload) {
        return RawPeer.frame(FrameDescriptor.CALL, 42, payload);
    }

    private static void writeVarInt(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    private static void assertServesOn() throws InterruptedException {
        assertEquals("Up to date", remote.status());
        assertEquals("echo:/still", remote.excludedStatus("/still"));
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (server.connectionCount() > 1 && System.nanoTime() < end) {
            Thread.sleep(2);
        }
        assertEquals(1, server.connectionCount(), "a bad connection was left open");
    }
}
