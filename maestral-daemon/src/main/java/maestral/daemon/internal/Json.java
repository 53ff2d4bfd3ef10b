package maestral.daemon.internal;

import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and writer for config and state values: {@code null}, {@code Boolean},
 * numbers, {@code String}, {@code List} and {@code Map<String, ?>}. Integral numbers read back
 * as {@code Integer} when they fit, else {@code Long}; others as {@code Double}.
 */
public final class Json {

    private final String text;
    private int pos;

    private Json(String text) {
        this.text = text;
    }

    /**
     * Checks that a value can be persisted and sent.
     *
     * @param value a config or state value
     * @throws IllegalArgumentException naming the offending type
     */
    public static void requireSupported(Object value) {
        switch (value) {
            case null -> { }
            case Boolean b -> { }
            case Integer i -> { }
            case Long l -> { }
            case Double d -> {
                if (d.isNaN() || d.isInfinite()) {
                    throw new IllegalArgumentException("a config value cannot be " + d);
                }
            }
            case String s -> { }
            case List<?> list -> list.forEach(Json::requireSupported);
            case Map<?, ?> map -> map.forEach((k, v) -> {
                if (!(k instanceof String)) {
                    throw new IllegalArgumentException("map keys must be strings, got " + k
                        + (k == null ? "" : " (" + k.getClass().getName() + ")"));
                }
                requireSupported(v);
            });
            default -> throw new IllegalArgumentException("unsupported config value type "
                    + value.getClass().getName() + ": use null, Boolean, Integer, Long, Double, "
                    + "String, List or Map<String, ?>");
        }
    }

    /**
     * {@return its JSON text, indented}
     *
     * @param value a supported value
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out, "", Long.MAX_VALUE);
        return out.append('\n').toString();
    }

    /**
     * {@return the UTF-8 bytes of its JSON text, as {@link #write(Object)} writes it}
     *
     * <p>Each character of the text takes a byte at least, so writing stops as soon as the text
     * has more than {@code maxBytes} characters: a giant value is refused without being encoded.
     *
     * @param value a supported value
     * @param maxBytes the most bytes allowed
     * @throws TooLargeException when the text takes more than {@code maxBytes}
     */
    public static byte[] writeUtf8(Object value, long maxBytes) {
        StringBuilder out = new StringBuilder();
        write(value, out, "", maxBytes);
        byte[] utf8 = out.append('\n').toString().getBytes(StandardCharsets.UTF_8);
        if (utf8.length > maxBytes) {
            throw new TooLargeException(utf8.length);
        }
        return utf8;
    }

    /** A JSON text would take more bytes than allowed. */
    public static final class TooLargeException extends IllegalArgumentException {
        @Serial
        private static final long serialVersionUID = 1L;

        /** A lower bound of the text's UTF-8 size. */
        private final long atLeast;

        private TooLargeException(long atLeast) {
            super("the JSON text takes at least " + atLeast + " bytes");
            this.atLeast = atLeast;
        }

        /** {@return a lower bound of the text's UTF-8 size, over the limit: the exact size when known} */
        public long atLeast() {
            return atLeast;
        }
    }

    /** Appends the text of {@code value}; throws once {@code out} has more than {@code max} characters. */
    private static void write(Object value, StringBuilder out, String indent, long max) {
        if (out.length() > max) {
            throw new TooLargeException(out.length());
        }
        switch (value) {
            case null -> out.append("null");
            case String s -> quote(s, out, max);
            case Double d -> out.append(d.toString());
            case Number n -> out.append(n.toString());
            case Boolean b -> out.append(b);
            case List<?> list -> {
                if (list.isEmpty()) {
                    out.append("[]");
                    return;
                }
                out.append("[\n");
                for (int i = 0; i < list.size(); i++) {
                    out.append(indent).append("  ");
                    write(list.get(i), out, indent + "  ", max);
                    out.append(i + 1 < list.size() ? ",\n" : "\n");
                }
                out.append(indent).append(']');
            }
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    out.append(indent).append("  ");
                    quote(String.valueOf(e.getKey()), out, max);
                    out.append(": ");
                    write(e.getValue(), out, indent + "  ", max);
                    out.append(++i < map.size() ? ",\n" : "\n");
                }
                out.append(indent).append('}');
            }
            default -> throw new IllegalArgumentException("cannot write " + value.getClass().getName());
        }
    }

    private static void quote(String s, StringBuilder out, long max) {
        long atLeast = out.length() + 2L + s.length(); // the quotes, and a byte at least per character
        if (atLeast > max) {
            throw new TooLargeException(atLeast);
        }
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            if (out.length() > max) { // escapes made it longer
                throw new TooLargeException(out.length());
            }
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i)); // a valid pair: one code point
                    } else if (c < 0x20 || Character.isSurrogate(c)) {
                        // a lone surrogate has no UTF-8 encoding: escape it, or the file loses it
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * {@return the value it holds}
     *
     * @param text JSON text
     * @throws IllegalArgumentException with the position when the text is not valid JSON
     */
    public static Object read(String text) {
        Json p = new Json(text);
        Object value = p.value();
        p.space();
        if (p.pos != text.length()) {
            throw p.error("trailing text");
        }
        return value;
    }

    private Object value() {
        space();
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object() {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        space();
        if (peek('}')) {
            pos++;
            return map;
        }
        while (true) {
            space();
            if (!peek('"')) {
                throw error("expected a key");
            }
            String key = string();
            space();
            expect(':');
            map.put(key, value());
            space();
            if (peek(',')) {
                pos++;
            } else {
                expect('}');
                return map;
            }
        }
    }

    private List<Object> array() {
        List<Object> list = new ArrayList<>();
        pos++;
        space();
        if (peek(']')) {
            pos++;
            return list;
        }
        while (true) {
            list.add(value());
            space();
            if (peek(',')) {
                pos++;
            } else {
                expect(']');
                return list;
            }
        }
    }

    private String string() {
        StringBuilder out = new StringBuilder();
        pos++;
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= text.length()) {
                break;
            }
            char e = text.charAt(pos++);
            switch (e) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = pos + i < text.length() ? Character.digit(text.charAt(pos + i), 16) : -1;
                        if (digit < 0) {
                            throw error("bad \\u escape");
                        }
                        code = code * 16 + digit;
                    }
                    out.append((char) code);
                    pos += 4;
                }
                default -> out.append(e);
            }
        }
        throw error("unterminated string");
    }

    private Object number() {
        int start = pos;
        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        String n = text.substring(start, pos);
        if (n.isEmpty()) {
            throw error("unexpected character '" + text.charAt(pos) + "'");
        }
        try {
            if (n.contains(".") || n.contains("e") || n.contains("E")) {
                return Double.parseDouble(n);
            }
            long l = Long.parseLong(n);
            return l == (int) l ? (Object) (int) l : (Object) l;
        } catch (NumberFormatException e) {
            throw error("bad number " + n);
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("expected " + word);
        }
        pos += word.length();
        return value;
    }

    private void space() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid JSON at character " + pos + ": " + what);
    }
}
