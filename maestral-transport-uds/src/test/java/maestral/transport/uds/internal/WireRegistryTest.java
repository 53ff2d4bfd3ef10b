package maestral.transport.uds.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import maestral.api.AccountInfo;
import maestral.api.ErrorInfo;
import maestral.api.FileMetadata;
import maestral.api.MaestralApiError;
import maestral.api.NotFoundError;
import maestral.api.SpaceUsage;
import maestral.api.SyncErrorInfo;
import maestral.api.SyncEvent;
import maestral.api.spi.CallResult;
import maestral.api.spi.Handshake;
import maestral.api.spi.MethodCall;
import maestral.api.spi.FrameLimit;
import maestral.api.spi.RemoteError;
import maestral.api.spi.UnsendableException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The wire types round-trip, and nothing else is decoded. */
class WireRegistryTest {

    private static final int MAX = FrameDescriptor.DEFAULT_MAX_FRAME_BYTES;

    private static Object roundTrip(Object value) {
        ByteBuf frame = WireCodec.encodeResult(UnpooledByteBufAllocator.DEFAULT, 7,
                new CallResult.Returned(value), MAX);
        try {
            assertEquals(7, WireCodec.correlationId(frame));
            assertEquals(FrameDescriptor.RESULT, WireCodec.type(frame));
            assertEquals(frame.readableBytes() - FrameDescriptor.LENGTH_FIELD_LENGTH, frame.getInt(0));
            return WireCodec.decodeResult(frame).valueOrThrow();
        } finally {
            frame.release();
        }
    }

    @Test
    void everyJdkListDecodesAsAnEqualList() {
        List<Object> withNull = new ArrayList<>(List.of("a", 1));
        withNull.add(null);
        LinkedList<Object> linked = new LinkedList<>(List.of(1L, 2.5, true));
        List<List<?>> lists = List.of(List.of(), List.of("x"), List.of("a", "b"), List.of(1, 2, 3, 4),
                List.copyOf(withNull.subList(0, 2)), withNull, linked, linked.reversed(),
                Collections.unmodifiableList(withNull), Collections.unmodifiableList(linked),
                Arrays.asList("p", null, "q"), Collections.emptyList(), Collections.singletonList(9),
                withNull.reversed(), List.of(1, 2, 3).reversed(), withNull.subList(1, 3),
                Collections.synchronizedList(new ArrayList<>(List.of('c', (short) 3, (byte) 4, 1.5f))),
                new CopyOnWriteArrayList<>(List.of("cow")), Stream.of("s", "t").toList(),
                Stream.of("u").collect(Collectors.toList()), Collections.nCopies(3, "n"),
                List.of(List.of(List.of("deep")), Map.of("k", List.of())));
        for (List<?> list : lists) {
            Object back = roundTrip(list);
            assertInstanceOf(List.class, back, list.getClass().getName());
            assertEquals(list, back, list.getClass().getName());
        }
    }

    @Test
    void everyJdkMapDecodesAsAnEqualMapWithNullValues() {
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("n", null);
        withNull.put("i", 3);
        LinkedHashMap<String, Object> ordered = new LinkedHashMap<>();
        ordered.put("z", List.of(1L));
        ordered.put("a", Map.of());
        ordered.put(null, "null key");
        List<Map<?, ?>> maps = List.of(Map.of(), Map.of("a", 1), Map.of("a", 1, "b", 2, "c", 3),
                withNull, ordered, Collections.unmodifiableMap(withNull), Collections.emptyMap(),
                Collections.singletonMap("s", null), new TreeMap<>(Map.of("t", "u")),
                Map.copyOf(Map.of("x", "y")), ordered.sequencedKeySet().stream()
                        .filter(k -> k != null).collect(Collectors.toMap(k -> k, k -> k)));
        for (Map<?, ?> map : maps) {
            Object back = roundTrip(map);
            assertInstanceOf(Map.class, back, map.getClass().getName());
            assertEquals(map, back, map.getClass().getName());
        }
        Map<?, ?> back = (Map<?, ?>) roundTrip(ordered);
        assertEquals(Arrays.asList("z", "a", null), new ArrayList<>(back.keySet()), "order is kept");
    }

    @Test
    void recordsAndScalarsRoundTrip() {
        Instant t = Instant.ofEpochSecond(-5_000_000_000L, 999_999_999);
        List<Object> values = Arrays.asList(null, true, false, 0, -1, Integer.MIN_VALUE, Long.MAX_VALUE,
                -0.0, Double.NaN, 1.25f, 'ü', (short) -2, (byte) 7, "", "grüße \uD83D\uDE00", t,
                Instant.MAX, Instant.MIN,
                new AccountInfo("id", "", "Name", "basic"), new AccountInfo(null, null, null, null),
                new ErrorInfo("T", "t", "m", "tb"), new SpaceUsage(1, -1, "team"),
                new FileMetadata("n", "/n", "/N", true, 0, null, null, null),
                new FileMetadata("n", "/n", "/N", false, Long.MIN_VALUE, t, "r", "h"),
                new SyncErrorInfo("a", "b", "c", null, "e", null, "g"),
                new SyncEvent(1, "up", "file", "added", "done", "/a", null, "/l", null, 3, 2, t, null),
                new SyncEvent(-1, null, null, null, null, null, "/f", null, "/lf", 0, 0, null, t));
        for (Object v : values) {
            assertEquals(v, roundTrip(v), String.valueOf(v));
        }
        assertEquals(values, roundTrip(values));
    }

    @Property(tries = 200)
    void stringsRoundTrip(@ForAll String s) {
        assertEquals(s, roundTrip(s));
    }

    @Property(tries = 100)
    void nestedValuesRoundTrip(@ForAll("values") Object v) {
        assertEquals(v, roundTrip(v));
    }

    @Provide
    Arbitrary<Object> values() {
        Arbitrary<Object> leaf = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(20).map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i), Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.doubles().map(d -> (Object) d), Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just(null));
        return Arbitraries.recursive(() -> leaf, inner -> Arbitraries.oneOf(
                inner.list().ofMaxSize(4).map(l -> (Object) l),
                Arbitraries.maps(Arbitraries.strings().ofMaxLength(5), inner).ofMaxSize(4).map(m -> (Object) m)),
                0, 4);
    }

    @Test
    void protocolRecordsRoundTrip() {
        Handshake hello = Handshake.server("uds", "inst");
        ByteBuf f = WireCodec.encodeHelloReply(UnpooledByteBufAllocator.DEFAULT, hello, "no", MAX);
        try {
            WireCodec.HelloReply reply = WireCodec.decodeHelloReply(f);
            assertEquals(hello, reply.server());
            assertEquals("no", reply.refusal());
        } finally {
            f.release();
        }
        MethodCall call = new MethodCall(3, new Object[] {"a", List.of(1), null, 2.0});
        ByteBuf c = WireCodec.encodeCall(UnpooledByteBufAllocator.DEFAULT, 99, call, MAX);
        try {
            assertEquals(call, WireCodec.decodeCall(c));
            assertEquals(99, WireCodec.correlationId(c));
        } finally {
            c.release();
        }
        RemoteError error = RemoteError.of(new NotFoundError("Gone", "It is gone", "/d", null, "/l", null));
        ByteBuf r = WireCodec.encodeResult(UnpooledByteBufAllocator.DEFAULT, 1, new CallResult.Threw(error), MAX);
        try {
            CallResult back = WireCodec.decodeResult(r);
            assertEquals(error, ((CallResult.Threw) back).error());
            NotFoundError e = assertThrows(NotFoundError.class, back::valueOrThrow);
            assertEquals("/d", e.dbxPath());
        } finally {
            r.release();
        }
    }

    @Test
    void aValueOfNoWireTypeBecomesAnErrorResultOnTheServer() {
        Object back = assertThrows(MaestralApiError.class,
                () -> roundTrip(new java.util.HashSet<>(List.of(1)))).getMessage();
        assertTrue(back.toString().contains("java.util.HashSet"), back.toString());
        assertThrows(MaestralApiError.class, () -> roundTrip(new StringBuilder("x")));
    }

    @Test
    void aCallOfNoWireTypeCannotBeEncoded() {
        assertThrows(UnsendableException.class, () -> WireCodec.encodeCall(
                UnpooledByteBufAllocator.DEFAULT, 1, new MethodCall(0, new Object[] {new Object()}), MAX));
        UnsendableException tooLarge = assertThrows(UnsendableException.class, () -> WireCodec.encodeCall(
                UnpooledByteBufAllocator.DEFAULT, 1, new MethodCall(0, new Object[] {"x".repeat(10_000)}), 4096));
        assertTrue(tooLarge.getMessage().contains(FrameLimit.PROPERTY), tooLarge.getMessage());
    }

    @Test
    void theRegistryIsStable() {
        var kryo = WireRegistry.newKryo();
        assertSame(Handshake.class, kryo.getRegistration(WireRegistry.HANDSHAKE_ID).getType());
        assertSame(MethodCall.class, kryo.getRegistration(WireRegistry.CALL_ID).getType());
        assertEquals(18, kryo.getRegistration(CallResult.Returned.class).getId());
        assertEquals(19, kryo.getRegistration(CallResult.Threw.class).getId());
        for (int id = 10; id < 16; id++) {
            assertNull(kryo.getClassResolver().getRegistration(id), "id " + id);
        }
        assertNull(kryo.getClassResolver().getRegistration(20));
        assertThrows(IllegalArgumentException.class, () -> kryo.getRegistration(Object.class));
        assertThrows(IllegalArgumentException.class, () -> kryo.getRegistration(LinkedList.class),
                "values travel inside the shared format, never as Kryo classes");
    }

    @Test
    void peersOfOtherUidsAreRefused() {
        assertNull(UdsServer.refusal(1000, 1000, false));
        assertNull(UdsServer.refusal(0, 0, false), "root serves root");
        assertTrue(UdsServer.refusal(1000, 1001, true).contains("1001"));
        assertTrue(UdsServer.refusal(0, 1000, true).contains("1000"), "root never serves others");
        assertTrue(UdsServer.refusal(1000, 0, false).contains(UdsSettings.ALLOW_ROOT));
        assertNull(UdsServer.refusal(1000, 0, true));
    }
}
