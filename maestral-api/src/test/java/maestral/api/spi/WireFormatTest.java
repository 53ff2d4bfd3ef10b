package maestral.api.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import maestral.api.AccountInfo;
import maestral.api.ErrorInfo;
import maestral.api.FileMetadata;
import maestral.api.NotFoundError;
import maestral.api.SpaceUsage;
import maestral.api.SyncErrorInfo;
import maestral.api.SyncEvent;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The shared codec: exact round trips, the string rule, limits, and refusal of bad bytes. */
class WireFormatTest {

    private final WireFormat format = new WireFormat().limit(FrameLimit.DEFAULT);

    private byte[] encode(Object value) {
        ByteBufferWire out = ByteBufferWire.forWriting(64);
        format.writeResult(out, new CallResult.Returned(value));
        ByteBuffer b = out.flip();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    private Object decode(byte[] bytes) {
        ByteBufferWire in = ByteBufferWire.forReading(ByteBuffer.wrap(bytes));
        Object v = format.readResult(in).valueOrThrow();
        assertEquals(0, in.remaining(), "every byte read");
        return v;
    }

    private Object roundTrip(Object value) {
        return decode(encode(value));
    }

    @Test
    void everyKindAndRecordRoundTrips() {
        Instant t = Instant.ofEpochSecond(-5_000_000_000L, 999_999_999);
        List<Object> values = Arrays.asList(null, true, false, 0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE,
                Long.MIN_VALUE, Long.MAX_VALUE, -0.0, Double.NaN, Double.MAX_VALUE, 1.25f, Float.MIN_VALUE,
                'ü', '\uD800', (short) -2, Short.MAX_VALUE, (byte) -128, "", t, Instant.MAX, Instant.MIN,
                new AccountInfo("id", "", "Name", "basic"), new AccountInfo(null, null, null, null),
                new ErrorInfo("T", "t", "m", "tb"), new SpaceUsage(1, -1, "team"),
                new FileMetadata("n", "/n", "/N", true, 0, null, null, null),
                new FileMetadata("n", "/n", "/N", false, Long.MIN_VALUE, t, "r", "h"),
                new SyncErrorInfo("a", "b", "c", null, "e", null, "g"),
                new SyncEvent(1, "up", "file", "added", "done", "/a", null, "/l", null, 3, 2, t, null),
                List.of(), Map.of());
        for (Object v : values) {
            Object back = roundTrip(v);
            assertEquals(v, back, String.valueOf(v));
            if (v != null && !(v instanceof List<?>) && !(v instanceof Map<?, ?>)) {
                assertEquals(v.getClass(), back.getClass(), "arrives as its own class: " + v);
            }
        }
        assertEquals(values, roundTrip(values));
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(null, List.of(1L));
        map.put("k", null);
        map.put(3, Map.of("x", "y"));
        assertEquals(map, roundTrip(map));
        assertEquals(new ArrayList<>(map.keySet()), new ArrayList<>(((Map<?, ?>) roundTrip(map)).keySet()));
    }

    @Test
    void everyStringRoundTripsExactlyLoneSurrogatesAndNulIncluded() {
        List<String> samples = List.of("\u0000", "a\u0000b", "\uD800", "\uDFFF", "x\uDC00\uD800y",
                "\uD83D\uDE00", "\uD83D", "ÿ", "\u0100", "\uFFFF", "grüße \u2603", "é".repeat(100_000) + "\uD801");
        for (String s : samples) {
            assertEquals(s, roundTrip(s));
        }
        assertEquals(samples, roundTrip(samples), "the same strings in a run");
    }

    @Test
    void theStringRuleHasTwoForms() {
        ByteBufferWire out = ByteBufferWire.forWriting(16);
        format.writeString(out, "é");
        format.writeString(out, "\u2603");
        format.writeString(out, null);
        ByteBuffer b = out.flip();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        assertArrayEquals(new byte[] {3, (byte) 0xE9, 4, 0x03, 0x26, 0}, bytes,
                "Latin-1: (1 << 1) + 1 then the byte; UTF-16: (1 << 1 | 1) + 1 then LE units; null: 0");
    }

    @Property(tries = 300)
    void aListOfStringsEncodesAsItsElementsWouldOneByOne(@ForAll("strings") List<String> strings) {
        byte[] run = encode(strings);
        ByteBufferWire one = ByteBufferWire.forWriting(64);
        WireFormat f = new WireFormat().limit(FrameLimit.DEFAULT);
        one.writeByte(0); // RETURNED
        one.writeByte(WireModel.Kind.LIST.tag());
        one.writeVarLong(strings.size());
        for (String s : strings) {
            f.writeValue(one, s);
        }
        ByteBuffer b = one.flip();
        byte[] each = new byte[b.remaining()];
        b.get(each);
        assertArrayEquals(each, run);
        assertEquals(strings, decode(run));
    }

    @Provide
    Arbitrary<List<String>> strings() {
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(70);
        Arbitrary<String> latin = Arbitraries.strings().withCharRange('\u0000', '\u00FF').ofMaxLength(70);
        Arbitrary<String> surrogates = Arbitraries.strings().withCharRange('\uD7F0', '\uE010').ofMaxLength(5);
        return Arbitraries.oneOf(latin, latin, any, surrogates).list().ofMaxSize(40);
    }

    @Property(tries = 200)
    void anyStringRoundTrips(@ForAll String s) {
        assertEquals(s, roundTrip(s));
    }

    @Test
    void callsErrorsAndHandshakesRoundTrip() {
        MethodCall call = new MethodCall(3, new Object[] {"a", List.of(1), null, 2.0});
        ByteBufferWire out = ByteBufferWire.forWriting(16);
        format.writeCall(out, call);
        assertEquals(call, format.readCall(ByteBufferWire.forReading(out.flip())));

        RemoteError error = RemoteError.of(new NotFoundError("Gone", "It is gone", "/d", null, "/l", null));
        out = ByteBufferWire.forWriting(16);
        format.writeResult(out, new CallResult.Threw(error));
        CallResult back = format.readResult(ByteBufferWire.forReading(out.flip()));
        assertEquals(error, ((CallResult.Threw) back).error());
        NotFoundError e = assertThrows(NotFoundError.class, back::valueOrThrow);
        assertEquals("/d", e.dbxPath());
        assertTrue(e.getCause().getMessage().contains("WireFormatTest.callsErrorsAndHandshakesRoundTrip"),
                e.getCause().getMessage());

        Handshake hello = Handshake.server("x", "inst");
        out = ByteBufferWire.forWriting(16);
        format.writeHandshake(out, hello);
        assertEquals(hello, format.readHandshake(ByteBufferWire.forReading(out.flip())));
    }

    @Test
    void aFrameOverTheLimitIsRefusedBeforeItsStringIsCopied() {
        WireFormat small = new WireFormat().limit(FrameLimit.MIN, 16);
        ByteBufferWire out = ByteBufferWire.forWriting(16);
        String huge = "h".repeat(200_000_000);
        UnsendableException e = assertThrows(UnsendableException.class,
                () -> small.writeCall(out, new MethodCall(1, new Object[] {huge})));
        assertTrue(e.getMessage().contains("64 KiB") && e.getMessage().contains(FrameLimit.PROPERTY), e.getMessage());
        assertTrue(out.flip().remaining() < 16, "nothing of the string was written");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            many.add("/item/" + i + "/" + "y".repeat(40));
        }
        assertThrows(UnsendableException.class, () -> small.writeResult(ByteBufferWire.forWriting(16),
                new CallResult.Returned(many)));
        ByteBufferWire ok = ByteBufferWire.forWriting(16);
        small.writeCall(ok, new MethodCall(1, new Object[] {"fits"}));
        assertEquals("fits", small.readCall(ByteBufferWire.forReading(ok.flip())).args()[0],
                "the codec serves on after a refusal");
    }

    @Test
    void aValueOfNoWireTypeIsRefused() {
        for (Object v : List.of(new Object(), java.util.Set.of(1), new int[] {1}, new StringBuilder("x"),
                java.nio.file.Path.of("/"), Handshake.client("x"))) {
            UnsendableException e = assertThrows(UnsendableException.class, () -> encode(v));
            assertTrue(e.getMessage().contains("no wire type"), e.getMessage());
        }
    }

    @Property(tries = 2000)
    void randomBytesDecodeToAValueOrFailAsMalformed(@ForAll @Size(max = 64) byte[] junk) {
        try {
            format.readResult(ByteBufferWire.forReading(ByteBuffer.wrap(junk)));
        } catch (WireFormatException expected) {
            // refused, as a transport would
        }
    }

    @Test
    void hugeCountsDeepNestingAndUnknownTagsAreMalformed() {
        assertThrows(WireFormatException.class, () -> decode(new byte[] {0, 8, (byte) 0xFF, (byte) 0xFF, 0x7F}));
        assertThrows(WireFormatException.class, () -> decode(new byte[] {0, 6, (byte) 0xFF, (byte) 0xFF, 0x7F}));
        assertThrows(WireFormatException.class, () -> decode(new byte[] {0, 14}));
        assertThrows(WireFormatException.class, () -> decode(new byte[] {0, 48}), "a handshake is no value");
        assertThrows(WireFormatException.class, () -> decode(new byte[] {0, 99}));
        byte[] deep = new byte[1 + 2 * 100 + 1]; // RETURNED, then 100 lists of one, then null
        for (int i = 0; i < 100; i++) {
            deep[1 + 2 * i] = 8;
            deep[2 + 2 * i] = 1;
        }
        assertThrows(WireFormatException.class, () -> decode(deep));
    }
}
