package maestral.daemon.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link Json}: the reader and writer of config and state values. */
class JsonTest {

    private static final Pattern POSITION = Pattern.compile("invalid JSON at character (\\d+)");

    // ---- round trips ----

    /**
     * Every supported value survives writing, encoding as UTF-8 (as {@link JsonStore} does),
     * decoding and reading, except that a {@code Long} that fits an {@code Integer} comes back as
     * an {@code Integer}.
     */
    @Property(tries = 300)
    void everySupportedValueRoundTrips(@ForAll("values") Object value) {
        Json.requireSupported(value);
        String text = Json.write(value);
        String decoded = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertEquals(text, decoded, "the JSON text must be valid Unicode");
        assertEquals(normalized(value), Json.read(decoded));
    }

    /** Any string, including lone surrogates and control characters, round trips. */
    @Property(tries = 300)
    void everyStringRoundTrips(@ForAll("strings") String s) {
        String text = Json.write(s);
        assertEquals(s, Json.read(new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)));
    }

    /**
     * A bounded write gives the bytes of {@link Json#write} when they fit, and one byte less
     * refuses them with a true lower bound of their size, over the limit.
     */
    @Property(tries = 300)
    void aBoundedWriteGivesTheTextOrALowerBound(@ForAll("values") Object value) {
        byte[] utf8 = Json.write(value).getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(utf8, Json.writeUtf8(value, utf8.length));
        Json.TooLargeException e = assertThrows(Json.TooLargeException.class,
                () -> Json.writeUtf8(value, utf8.length - 1));
        assertTrue(e.atLeast() > utf8.length - 1 && e.atLeast() <= utf8.length, e.getMessage());
    }

    /** A string is refused by its length alone, before any of it is written. */
    @Test
    void aLongStringIsRefusedByItsLength() {
        String s = "\u0001".repeat(1000); // 6 bytes each when written
        Json.TooLargeException e = assertThrows(Json.TooLargeException.class, () -> Json.writeUtf8(s, 999));
        assertEquals(1002, e.atLeast(), "the quotes and a byte per character");
        assertTrue(assertThrows(Json.TooLargeException.class, () -> Json.writeUtf8(s, 1002)).atLeast() > 1002,
                "escapes that go over the limit are caught while writing");
        assertEquals(6003, Json.writeUtf8(s, 6003).length);
    }

    @Provide
    Arbitrary<Object> values() {
        return value(3);
    }

    @Provide
    Arbitrary<String> strings() {
        return Arbitraries.oneOf(List.of(
                Arbitraries.strings().all().ofMaxLength(12),
                Arbitraries.strings().withCharRange('\0', '\u0080').ofMaxLength(12),
                Arbitraries.strings().withCharRange('\uD7F0', '\uE010').ofMaxLength(6),
                Arbitraries.of("", "\"", "\\", "\\\"", "\\u0041", "\ud83d\ude00", "\ud83d", "\ude00x", "x\ud83d",
                        "\u2028\u2029", "\u007f", "\0")));
    }

    private Arbitrary<Object> value(int depth) {
        Arbitrary<Object> leaf = Arbitraries.oneOf(List.<Arbitrary<?>>of(
                Arbitraries.of(Boolean.TRUE, Boolean.FALSE),
                Arbitraries.integers(),
                Arbitraries.longs(),
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, (long) Integer.MAX_VALUE + 1,
                        (long) Integer.MIN_VALUE - 1, 0L),
                Arbitraries.longs().map(Double::longBitsToDouble).filter(Double::isFinite),
                Arbitraries.of(0.0, -0.0, 1.0, 1e10, 1e-10, Double.MAX_VALUE, Double.MIN_VALUE, 0.1),
                strings()).stream().map(a -> a.map(v -> (Object) v)).toList()).injectNull(0.1);
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Object> inner = value(depth - 1);
        Arbitrary<Object> list = inner.list().ofMaxSize(4).map(l -> (Object) l);
        Arbitrary<Object> map = Arbitraries.maps(strings(), inner).ofMaxSize(4).map(m -> (Object) m);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, leaf),
                net.jqwik.api.Tuple.of(1, list),
                net.jqwik.api.Tuple.of(1, map));
    }

    /** {@return the value as reading it back gives it: small longs become integers} */
    private static Object normalized(Object value) {
        return switch (value) {
            case null -> null;
            case Long l when l == l.intValue() -> l.intValue();
            case List<?> list -> {
                List<Object> out = new ArrayList<>();
                list.forEach(v -> out.add(normalized(v)));
                yield out;
            }
            case Map<?, ?> map -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(k, normalized(v)));
                yield out;
            }
            default -> value;
        };
    }

    @Test
    void roundTripsEachTypeWithItsOwnClass() {
        assertNull(Json.read(Json.write(null)));
        assertEquals(Boolean.TRUE, Json.read(Json.write(true)));
        assertEquals(Boolean.FALSE, Json.read(Json.write(false)));
        assertInstanceOf(Integer.class, Json.read(Json.write(42)));
        assertEquals(-7, Json.read(Json.write(-7)));
        assertEquals(Long.MAX_VALUE, Json.read(Json.write(Long.MAX_VALUE)));
        assertInstanceOf(Long.class, Json.read(Json.write(1L << 40)));
        assertInstanceOf(Double.class, Json.read(Json.write(3.0)));
        assertEquals(3.0, Json.read(Json.write(3.0)));
        assertEquals(-0.0, Json.read(Json.write(-0.0)));
        assertEquals(1.5e300, Json.read(Json.write(1.5e300)));
        String tricky = "quote \" backslash \\ newline \n tab \t cr \r bell \u0007 nul \0 é 😀 \u2028";
        assertEquals(tricky, Json.read(Json.write(tricky)));
    }

    @Test
    void roundTripsNestedCollectionsWithNulls() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("n", null);
        inner.put("list", Arrays.asList(1, null, "x", List.of(), Map.of()));
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("", inner);
        outer.put("k\"ey", List.of(List.of(List.of(true))));
        Object back = Json.read(Json.write(outer));
        assertEquals(outer, back);
        assertEquals(List.copyOf(outer.keySet()), List.copyOf(((Map<?, ?>) back).keySet()), "order is kept");
    }

    @Test
    void readsStandardEscapesAndWhitespace() {
        assertEquals("a/b\b\f\n\r\t\"\\é", Json.read(" \"a\\/b\\b\\f\\n\\r\\t\\\"\\\\\\u00e9\" "));
        assertEquals(Map.of("a", List.of(1, 2.5, -3)), Json.read("{ \"a\" :\n[ 1 , 2.5 ,-3 ] }"));
        assertEquals(1e5, Json.read("1E5"));
    }

    // ---- invalid JSON ----

    @Test
    void invalidJsonGivesItsPosition() {
        assertPosition("", 0);
        assertPosition("   ", 3);
        assertPosition("[1,]", 3);
        assertPosition("[1 2]", 3);
        assertPosition("{\"a\" 1}", 5);
        assertPosition("{\"a\":1,}", 7);
        assertPosition("{1:2}", 1);
        assertPosition("1 2", 2);
        assertPosition("tru", 0);
        assertPosition("nul", 0);
        assertPosition("\"abc", 4);
        assertPosition("-", 1);
        assertPosition("1e", 2);
        assertPosition("@", 0);
        assertPosition("[", 1);
        assertPosition("{", 1);
        assertPosition("\"\\u12\"", 3);
    }

    @Test
    void aBadUnicodeEscapeIsInvalidJsonWithAPosition() {
        for (String text : new String[] {"\"\\uzzzz\"", "\"\\u+123\"", "\"\\u-123\"", "\"\\u12 4\""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.read(text), text);
            assertTrue(POSITION.matcher(e.getMessage()).find(), text + ": " + e.getMessage());
        }
    }

    private static void assertPosition(String text, int position) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.read(text),
                "'" + text + "' is not JSON");
        Matcher m = POSITION.matcher(e.getMessage());
        assertTrue(m.find(), e.getMessage());
        assertEquals(position, Integer.parseInt(m.group(1)), "'" + text + "': " + e.getMessage());
    }

    // ---- supported types ----

    @Test
    void requireSupportedAcceptsTheSupportedTypes() {
        Map<String, Object> map = new HashMap<>();
        map.put("x", null);
        map.put("y", List.of(1, 2L, 3.5, "s", true, Map.of("z", List.of())));
        Json.requireSupported(map);
        Json.requireSupported(null);
    }

    @Test
    void requireSupportedRejectsOtherTypesNamingThem() {
        assertRejected(new Date(), "java.util.Date");
        assertRejected(1.5f, "java.lang.Float");
        assertRejected((short) 1, "java.lang.Short");
        assertRejected(new java.math.BigDecimal("1.5"), "java.math.BigDecimal");
        assertRejected(Set.of("a"), "Set");
        assertRejected(List.of("ok", new Date()), "java.util.Date");
        assertRejected(Map.of("k", List.of(new StringBuilder("x"))), "java.lang.StringBuilder");
        assertRejected(Map.of(1, "x"), "java.lang.Integer");
        assertRejected(Map.of("k", Map.of(new Date(0), "x")), "java.util.Date");
        assertRejected(Double.NaN, "NaN");
        assertRejected(Double.POSITIVE_INFINITY, "Infinity");
        assertRejected(List.of(Double.NEGATIVE_INFINITY), "Infinity");
    }

    @Test
    void aNullMapKeyIsRejected() {
        Map<String, Object> map = new HashMap<>();
        map.put(null, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.requireSupported(map));
        assertTrue(e.getMessage().contains("null"), e.getMessage());
    }

    private static void assertRejected(Object value, String named) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.requireSupported(value),
                String.valueOf(value));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }

    @Test
    void writeIndentsAndEndsWithANewline() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("a", Arrays.asList(1, null));
        map.put("b", Map.of());
        assertEquals("{\n  \"a\": [\n    1,\n    null\n  ],\n  \"b\": {}\n}\n", Json.write(map));
        assertEquals("[]\n", Json.write(List.of()));
    }
}
