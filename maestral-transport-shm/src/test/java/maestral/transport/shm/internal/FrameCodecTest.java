package maestral.transport.shm.internal;

import maestral.api.spi.WireModel;
import maestral.api.spi.UnsendableException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import maestral.api.AccountInfo;
import maestral.api.ErrorInfo;
import maestral.api.FileMetadata;
import maestral.api.SpaceUsage;
import maestral.api.SyncErrorInfo;
import maestral.api.SyncEvent;
import maestral.api.spi.CallResult;
import maestral.api.spi.Handshake;
import maestral.api.spi.MethodCall;
import maestral.api.spi.RemoteError;
import maestral.transport.tck.ScriptedMaestral;
import net.openhft.chronicle.bytes.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    private final FrameCodec codec = new FrameCodec();
    private final Bytes<byte[]> bytes = Bytes.allocateElasticOnHeap(1024);

    @AfterEach
    void release() {
        bytes.releaseLast();
    }

    private Object roundTrip(Object value) {
        bytes.clear();
        codec.writeValue(bytes, value);
        Object back = codec.readValue(bytes);
        assertEquals(0, bytes.readRemaining(), "every byte read back for " + value);
        return back;
    }

    @Test
    void scalarsRoundTripAsTheirOwnTypes() {
        for (Object v : new Object[] {null, true, false, 0, -1, 42, Integer.MIN_VALUE, Integer.MAX_VALUE,
                0L, -1L, 1L << 40, Long.MIN_VALUE, Long.MAX_VALUE, 2.5, -0.0, Double.NaN,
                Double.NEGATIVE_INFINITY, Double.MIN_VALUE, (byte) -7, (short) -300, Short.MAX_VALUE,
                'x', '\uFFFF', 1.5f, Float.NaN, "", "plain", Instant.EPOCH,
                Instant.ofEpochSecond(-1_000_000_000L, 999_999_999), Instant.MAX, Instant.MIN}) {
            Object back = roundTrip(v);
            assertEquals(v, back, String.valueOf(v));
            if (v != null) {
                assertEquals(v.getClass(), back.getClass());
            }
        }
    }

    @Test
    void everyJavaStringSurvives() {
        String lone = "a\uD800b\uDC00c";
        for (String s : List.of("grüße \u2603 \uD83D\uDE00", lone, "\u0000nul", "x".repeat(100_000),
                "ü".repeat(70_000), "\uD83D\uDE00".repeat(20_000))) {
            assertEquals(s, roundTrip(s));
        }
        assertNull(roundTrip(null));
    }

    @Test
    void collectionsArriveAsListAndLinkedHashMapWithNulls() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("z", null);
        inner.put("a", List.of(1L, "two", 3.0));
        inner.put("m", Map.of());
        List<Object> list = new LinkedList<>(Arrays.asList("a", null, 1, 2.0, false, inner));
        Object back = roundTrip(list);
        assertInstanceOf(List.class, back);
        assertEquals(list, back);
        @SuppressWarnings("unchecked")
        Map<String, Object> backInner = (Map<String, Object>) ((List<Object>) back).get(5);
        assertInstanceOf(LinkedHashMap.class, backInner);
        assertEquals(List.of("z", "a", "m"), new ArrayList<>(backInner.keySet()), "order kept");
        Map<Object, Object> tree = new TreeMap<>(Map.of("b", 2, "a", 1));
        assertEquals(tree, roundTrip(tree));
        Map<Object, Object> nullKey = new HashMap<>();
        nullKey.put(null, "v");
        assertEquals(nullKey, roundTrip(nullKey));
    }

    @Test
    void everyRecordOfTheApiRoundTrips() {
        List<Object> records = new ArrayList<>();
        records.add(new AccountInfo("id", "e@x", "Name", "pro"));
        records.add(new AccountInfo("id", null, null, null));
        records.add(new SpaceUsage(1, -1, "team"));
        records.add(new ErrorInfo("T", "title", "msg", ""));
        records.add(new SyncErrorInfo("T", "t", "m", null, "/d", null, "/ld"));
        records.addAll(ScriptedMaestral.listing(25));
        records.addAll(ScriptedMaestral.events(25));
        records.add(new FileMetadata(null, null, null, false, Long.MIN_VALUE, null, null, null));
        records.add(new SyncEvent(-5, null, null, null, null, null, null, null, null, 0, 0,
                Instant.MAX, Instant.MIN));
        for (Object r : records) {
            assertEquals(r, roundTrip(r));
        }
        assertEquals(records, roundTrip(records));
    }

    @Test
    void callsResultsErrorsAndHandshakesRoundTrip() {
        MethodCall call = new MethodCall(7, new Object[] {"s", 1, null, List.of("x")});
        bytes.clear();
        codec.writeBody(bytes, ShmDescriptor.CALL, call);
        assertEquals(call, codec.readCall(bytes));

        RemoteError error = new RemoteError("maestral.api.NotFoundError", "t", "m", "/a", null, "/l",
                null, "trace\n\tat x");
        for (CallResult r : List.of(new CallResult.Returned(null), new CallResult.Returned(List.of(1, 2)),
                new CallResult.Threw(error))) {
            bytes.clear();
            codec.writeBody(bytes, ShmDescriptor.REPLY, r);
            assertEquals(r, codec.readResult(bytes));
        }

        Handshake hello = new Handshake(3, "fp", "1.0", "shm", 1234, "inst");
        bytes.clear();
        codec.writeBody(bytes, ShmDescriptor.HELLO, hello);
        assertEquals(hello, codec.readHandshake(bytes));
    }

    @Test
    void headersKeepTheirOffsets() {
        bytes.clear();
        FrameCodec.writeHeader(bytes, ShmDescriptor.CALL, 0x1122334455667788L, 99);
        assertEquals(ShmDescriptor.BODY_OFFSET, bytes.readRemaining());
        assertEquals(ShmDescriptor.FRAME_MAGIC, bytes.readInt(ShmDescriptor.MAGIC_OFFSET));
        assertEquals(ShmDescriptor.CALL, bytes.readInt(ShmDescriptor.TYPE_OFFSET));
        assertEquals(0x1122334455667788L, bytes.readLong(ShmDescriptor.SESSION_OFFSET));
        assertEquals(99, bytes.readLong(ShmDescriptor.CORRELATION_OFFSET));
        FrameCodec.Header h = FrameCodec.readHeader(bytes);
        assertEquals(new FrameCodec.Header(ShmDescriptor.CALL, 0x1122334455667788L, 99), h);
    }

    @Test
    void anUnknownTypeIsRefusedBeforeAnythingIsDecoded() {
        bytes.clear();
        assertThrows(UnsendableException.class, () -> codec.writeValue(bytes, new Object()));
        assertThrows(UnsendableException.class, () -> codec.writeValue(bytes, List.of(java.nio.file.Path.of("/"))));
        assertThrows(UnsendableException.class, () -> codec.writeValue(bytes, new int[] {1}));
    }

    @Test
    void garbageIsMalformedAndNeverAnythingElse() {
        Random random = new Random(20260101);
        byte[] junk = new byte[64];
        int decoded = 0;
        for (int i = 0; i < 20_000; i++) {
            random.nextBytes(junk);
            int len = random.nextInt(junk.length + 1);
            bytes.clear();
            bytes.write(junk, 0, len);
            try {
                Object v = switch (i % 3) {
                    case 0 -> codec.readValue(bytes);
                    case 1 -> codec.readResult(bytes);
                    default -> codec.readCall(bytes);
                };
                decoded++;
                assertKnown(v);
            } catch (MalformedFrameException expected) {
                // dropped, as a reader would
            }
        }
        assertEquals(true, decoded < 20_000);
    }

    @Test
    void deepNestingIsMalformed() {
        bytes.clear();
        for (int i = 0; i < 10_000; i++) {
            bytes.writeByte((byte) WireModel.Kind.LIST.tag()).writeStopBit(1);
        }
        bytes.writeByte((byte) WireModel.Kind.NULL.tag());
        assertThrows(MalformedFrameException.class, () -> codec.readValue(bytes));
    }

    @Test
    void aHugeCountIsMalformedWithoutAllocatingIt() {
        bytes.clear();
        bytes.writeByte((byte) WireModel.Kind.LIST.tag()).writeStopBit(Integer.MAX_VALUE);
        assertThrows(MalformedFrameException.class, () -> codec.readValue(bytes));
        bytes.clear();
        bytes.writeByte((byte) WireModel.Kind.STRING.tag()).writeStopBit(1L << 40);
        assertThrows(MalformedFrameException.class, () -> codec.readValue(bytes));
    }

    private static void assertKnown(Object v) {
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean
                || v instanceof Character || v instanceof Instant || v instanceof AccountInfo
                || v instanceof SpaceUsage || v instanceof FileMetadata || v instanceof SyncEvent
                || v instanceof SyncErrorInfo || v instanceof ErrorInfo) {
            return;
        }
        if (v instanceof List<?> l) {
            l.forEach(FrameCodecTest::assertKnown);
        } else if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> {
                assertKnown(k);
                assertKnown(x);
            });
        } else if (v instanceof MethodCall c) {
            Arrays.stream(c.args()).forEach(FrameCodecTest::assertKnown);
        } else if (v instanceof CallResult.Returned(Object x)) {
            assertKnown(x);
        } else if (!(v instanceof CallResult.Threw)) {
            throw new AssertionError("decoded an unexpected " + v.getClass());
        }
    }

    @Test
    void stringsFollowTheSharedRule() {
        bytes.clear();
        codec.writeBody(bytes, ShmDescriptor.REFUSED, "é");
        assertEquals((1 << 1) + 1, bytes.readStopBit(), "Latin-1 form, one char");
        assertEquals(0xE9, bytes.readUnsignedByte());
        bytes.clear();
        codec.writeBody(bytes, ShmDescriptor.REFUSED, "é\uD83D\uDE00");
        assertEquals((3 << 1 | 1) + 1, bytes.readStopBit(), "UTF-16 form, three code units");
        byte[] b = new byte[6];
        bytes.read(b);
        assertArrayEquals(new byte[] {(byte) 0xE9, 0, 0x3D, (byte) 0xD8, 0x00, (byte) 0xDE}, b);
    }
}
