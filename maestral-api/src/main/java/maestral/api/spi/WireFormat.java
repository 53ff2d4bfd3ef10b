package maestral.api.spi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
import maestral.api.spi.WireModel.Field;
import maestral.api.spi.WireModel.Kind;
import maestral.api.spi.WireModel.RecordType;

/**
 * The codec every transport shares: writes and reads the values, calls, results and
 * handshakes of a {@link WireModel} on any {@link WireOutput} / {@link WireInput}. A transport
 * adds only its framing (lengths, ids, fragments).
 *
 * <h2>Encoding</h2>
 * <pre>
 *  value      tag byte ({@link WireModel.Kind} or record tag), then:
 *               NULL FALSE TRUE: nothing   INT LONG SHORT: zigzag varint   BYTE: 1 byte
 *               CHAR: varint   DOUBLE: 8 bytes LE   FLOAT: 4 bytes LE   STRING: str
 *               INSTANT: zigzag varint seconds, varint nanos
 *               LIST: varint n, n values   MAP: varint n, n (key value)
 *               record: its fields in order
 *  field      BOOLEAN 1 byte 0/1; INT, LONG zigzag varint; DOUBLE 8 bytes LE; STRING str;
 *             INSTANT 1 byte 0 (null) or 1 then seconds and nanos as above
 *  str        varint h: 0 for null, else h - 1 = length &lt;&lt; 1 | form, then
 *               form 0: length bytes, Latin-1 (every char below 256)
 *               form 1: length UTF-16 code units, little-endian (any other string)
 *  call       varint method id, varint n, n values
 *  result     byte 0 then a value (returned), or byte 1 then a RemoteError's fields (threw)
 *  handshake  a Handshake's fields
 * </pre>
 * Varints are unsigned LEB128 ({@link WireOutput#writeVarLong}). Every Java {@code String}
 * round-trips exactly, lone surrogates and NUL included; both forms are copied with the JDK's
 * intrinsic array paths, never char by char.
 *
 * <h2>Limits</h2>
 * Encoding counts the bytes it writes and throws {@link UnsendableException} as soon as a
 * frame would pass its limit, before it copies a large string, so that a huge value never
 * costs its size again in memory. Decoding checks every length and count against
 * {@link WireInput#remaining()} before it allocates, refuses nesting deeper than
 * {@link #MAX_DEPTH} and any tag outside the model with {@link WireFormatException}.
 *
 * <p><b>Not thread-safe: it keeps scratch buffers; use one per thread or per lock.</b>
 */
public final class WireFormat {

    /** The string rule, part of the {@link WireModel#fingerprint()}. */
    static final String STRING_RULE = "varint(length<<1|form)+1; form 0 latin-1, form 1 utf-16le";

    /** The deepest nesting of lists and maps that is encoded or decoded. */
    public static final int MAX_DEPTH = 64;

    private static final int STRING_TAG = Kind.STRING.tag();
    private static final int RETURNED = 0;
    private static final int THREW = 1;
    private static final int KEEP_SCRATCH = 1 << 16;
    /** The shortest list of strings that is classified as one run. */
    private static final int STRING_RUN = 4;
    /** The most chars of a list of strings classified in one run. */
    private static final int STRING_RUN_CHARS = 1 << 15;
    /** The most strings classified in one run. */
    private static final int STRING_RUN_MAX = 1024;
    /** The most a string's tag and header take: 1 byte and a varint of up to 5. */
    private static final int MAX_STRING_HEAD = 6;

    private final WireModel model;
    private final RecordType handshakeType;
    private final RecordType errorType;
    private final CharsetEncoder latin1 = StandardCharsets.ISO_8859_1.newEncoder();
    private char[] chars = new char[256];
    private byte[] bytes = new byte[512];
    private CharBuffer charView = CharBuffer.wrap(chars);
    private ByteBuffer byteView = ByteBuffer.wrap(bytes);
    private int[] lengthScratch = new int[64];
    private int[] startScratch = new int[64];
    private long room = Long.MAX_VALUE;
    private long limit = Long.MAX_VALUE;
    private long frameLimit = Long.MAX_VALUE;

    /** Creates a codec of the {@link WireModel#STANDARD standard model}. */
    public WireFormat() {
        this(WireModel.STANDARD);
    }

    /**
     * Creates a codec of a model.
     *
     * @param model the model; it must carry {@link Handshake} and {@link RemoteError}
     */
    public WireFormat(WireModel model) {
        this.model = model;
        this.handshakeType = require(model, Handshake.class);
        this.errorType = require(model, RemoteError.class);
    }

    private static RecordType require(WireModel model, Class<?> type) {
        RecordType t = model.record(type);
        if (t == null) {
            throw new IllegalArgumentException("the wire model has no " + type.getSimpleName());
        }
        return t;
    }

    /** {@return the model} */
    public WireModel model() {
        return model;
    }

    // ---- limits ---------------------------------------------------------------------------

    /**
     * Sets the frame limit and starts a frame: each top-level write ({@link #writeCall},
     * {@link #writeResult}, {@link #writeHandshake}) then starts a frame itself, whose body may
     * take up to {@code maxFrameBytes - headerBytes}.
     *
     * @param maxFrameBytes the frame limit, {@link FrameLimit#maxFrameBytes()} when bound
     * @param headerBytes what the transport's own framing takes of it
     * @return this codec
     */
    public WireFormat limit(long maxFrameBytes, int headerBytes) {
        if (maxFrameBytes - headerBytes <= 0) {
            throw new IllegalArgumentException("a frame limit of " + maxFrameBytes
                    + " bytes leaves no room after a " + headerBytes + "-byte header");
        }
        this.frameLimit = maxFrameBytes;
        this.limit = maxFrameBytes - headerBytes;
        this.room = limit;
        return this;
    }

    /**
     * Sets the frame limit of a transport without a header of its own.
     *
     * @param maxFrameBytes the frame limit
     * @return this codec
     */
    public WireFormat limit(long maxFrameBytes) {
        return limit(maxFrameBytes, 0);
    }

    private void spend(long n) {
        room -= n;
        if (room < 0) {
            room = limit; // the next frame starts afresh
            throw UnsendableException.tooLarge(frameLimit);
        }
    }

    // ---- frames ---------------------------------------------------------------------------

    /**
     * Writes a call.
     *
     * @param out where to write
     * @param call the call
     * @throws UnsendableException when an argument has no wire type or the call is over the limit
     */
    public void writeCall(WireOutput out, MethodCall call) {
        room = limit;
        Object[] args = call.args();
        varint(out, call.methodId() & 0xFFFFFFFFL);
        varint(out, args.length);
        for (Object arg : args) {
            writeValue(out, arg, 0);
        }
    }

    /**
     * {@return a call}
     *
     * @param in the bytes
     * @throws WireFormatException when they do not hold a call
     */
    public MethodCall readCall(WireInput in) {
        int methodId = (int) in.readVarLong();
        int n = count(in);
        Object[] args = new Object[n];
        for (int i = 0; i < n; i++) {
            args[i] = readValue(in, 0);
        }
        return new MethodCall(methodId, args);
    }

    /**
     * Writes a result.
     *
     * @param out where to write
     * @param result the result
     * @throws UnsendableException when the value has no wire type or is over the limit
     */
    public void writeResult(WireOutput out, CallResult result) {
        room = limit;
        switch (result) {
            case CallResult.Returned(Object value) -> {
                byte1(out, RETURNED);
                writeValue(out, value, 0);
            }
            case CallResult.Threw(RemoteError error) -> {
                byte1(out, THREW);
                writeFields(out, errorType, error);
            }
        }
    }

    /**
     * {@return a result}
     *
     * @param in the bytes
     * @throws WireFormatException when they do not hold a result
     */
    public CallResult readResult(WireInput in) {
        int outcome = in.readByte();
        return switch (outcome) {
            case RETURNED -> new CallResult.Returned(readValue(in, 0));
            case THREW -> new CallResult.Threw((RemoteError) readFields(in, errorType));
            default -> throw new WireFormatException("bad result outcome " + outcome);
        };
    }

    /**
     * Writes a handshake.
     *
     * @param out where to write
     * @param hello the handshake
     */
    public void writeHandshake(WireOutput out, Handshake hello) {
        room = limit;
        writeFields(out, handshakeType, hello);
    }

    /**
     * {@return a handshake}
     *
     * @param in the bytes
     * @throws WireFormatException when they do not hold one
     */
    public Handshake readHandshake(WireInput in) {
        return (Handshake) readFields(in, handshakeType);
    }

    // ---- values ---------------------------------------------------------------------------

    /**
     * Writes one value with its tag.
     *
     * @param out where to write
     * @param value the value
     * @throws UnsendableException when it has no wire type or the frame is over the limit
     */
    public void writeValue(WireOutput out, Object value) {
        writeValue(out, value, 0);
    }

    private void writeValue(WireOutput out, Object value, int depth) {
        switch (value) {
            case null -> byte1(out, Kind.NULL.tag());
            case String s -> {
                byte1(out, Kind.STRING.tag());
                writeString(out, s);
            }
            case Boolean b -> byte1(out, b ? Kind.TRUE.tag() : Kind.FALSE.tag());
            case Integer i -> {
                byte1(out, Kind.INT.tag());
                zigzag(out, i);
            }
            case Long l -> {
                byte1(out, Kind.LONG.tag());
                zigzag(out, l);
            }
            case Double d -> {
                byte1(out, Kind.DOUBLE.tag());
                spend(8);
                out.writeLongLE(Double.doubleToRawLongBits(d));
            }
            case Instant t -> {
                byte1(out, Kind.INSTANT.tag());
                instant(out, t);
            }
            case List<?> list -> {
                nest(depth);
                byte1(out, Kind.LIST.tag());
                int size = list.size();
                varint(out, size);
                if (list instanceof RandomAccess && size >= STRING_RUN && allStrings(list, size)) {
                    writeStrings(out, list, size);
                    return;
                }
                int written = 0;
                for (Object element : list) {
                    writeValue(out, element, depth + 1);
                    written++;
                }
                if (written != size) {
                    throw new UnsendableException("the list changed while it was written");
                }
            }
            case Map<?, ?> map -> {
                nest(depth);
                byte1(out, Kind.MAP.tag());
                int size = map.size();
                varint(out, size);
                int written = 0;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    writeValue(out, e.getKey(), depth + 1);
                    writeValue(out, e.getValue(), depth + 1);
                    written++;
                }
                if (written != size) {
                    throw new UnsendableException("the map changed while it was written");
                }
            }
            case Byte b -> {
                byte1(out, Kind.BYTE.tag());
                byte1(out, b);
            }
            case Short s -> {
                byte1(out, Kind.SHORT.tag());
                zigzag(out, s);
            }
            case Character c -> {
                byte1(out, Kind.CHAR.tag());
                varint(out, c);
            }
            case Float f -> {
                byte1(out, Kind.FLOAT.tag());
                spend(4);
                out.writeIntLE(Float.floatToRawIntBits(f));
            }
            case Record r -> {
                RecordType type = model.record(r.getClass());
                if (type == null || type == handshakeType || type == errorType) {
                    throw UnsendableException.noWireType(r.getClass());
                }
                byte1(out, type.tag());
                writeFields(out, type, r);
            }
            default -> throw UnsendableException.noWireType(value.getClass());
        }
    }

    private static void nest(int depth) {
        if (depth >= MAX_DEPTH) {
            throw new UnsendableException("lists and maps nested deeper than " + MAX_DEPTH);
        }
    }

    /**
     * {@return one value}
     *
     * @param in the bytes, at a tag
     * @throws WireFormatException when they do not hold a value of the model
     */
    public Object readValue(WireInput in) {
        return readValue(in, 0);
    }

    private Object readValue(WireInput in, int depth) {
        return readTagged(in, in.readByte(), depth);
    }

    private Object readTagged(WireInput in, int tag, int depth) {
        switch (tag) {
            case 0: return null;
            case 1: return Boolean.FALSE;
            case 2: return Boolean.TRUE;
            case 3: return toInt(unzigzag(in.readVarLong()), "int");
            case 4: return unzigzag(in.readVarLong());
            case 5: return Double.longBitsToDouble(in.readLongLE());
            case 6: return readString(in);
            case 7: return readInstant(in);
            case 8: {
                readNest(depth);
                int n = count(in);
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    int element = in.readByte();
                    list.add(element == STRING_TAG ? readString(in) : readTagged(in, element, depth + 1));
                }
                return list;
            }
            case 9: {
                readNest(depth);
                int n = count(in);
                Map<Object, Object> map = LinkedHashMap.newLinkedHashMap(n);
                for (int i = 0; i < n; i++) {
                    Object key = readValue(in, depth + 1);
                    map.put(key, readValue(in, depth + 1));
                }
                return map;
            }
            case 10: return (byte) in.readByte();
            case 11: {
                int v = toInt(unzigzag(in.readVarLong()), "short");
                if (v != (short) v) {
                    throw new WireFormatException("short out of range: " + v);
                }
                return (short) v;
            }
            case 12: {
                long v = in.readVarLong();
                if (v != (char) v) {
                    throw new WireFormatException("char out of range: " + v);
                }
                return (char) v;
            }
            case 13: return Float.intBitsToFloat(in.readIntLE());
            default: {
                RecordType type = model.record(tag);
                if (type == null || type == handshakeType || type == errorType) {
                    throw new WireFormatException("unknown value tag " + tag);
                }
                return readFields(in, type);
            }
        }
    }

    private static void readNest(int depth) {
        if (depth >= MAX_DEPTH) {
            throw new WireFormatException("values nested deeper than " + MAX_DEPTH);
        }
    }

    // ---- records --------------------------------------------------------------------------

    private void writeFields(WireOutput out, RecordType type, Record r) {
        for (Field f : type.fields()) {
            Object v = f.get(r);
            switch (f.kind()) {
                case BOOLEAN -> byte1(out, (Boolean) v ? 1 : 0);
                case INT -> zigzag(out, (Integer) v);
                case LONG -> zigzag(out, (Long) v);
                case DOUBLE -> {
                    spend(8);
                    out.writeLongLE(Double.doubleToRawLongBits((Double) v));
                }
                case STRING -> writeString(out, (String) v);
                case INSTANT -> {
                    if (v == null) {
                        byte1(out, 0);
                    } else {
                        byte1(out, 1);
                        instant(out, (Instant) v);
                    }
                }
            }
        }
    }

    private Record readFields(WireInput in, RecordType type) {
        List<Field> fields = type.fields();
        Object[] values = new Object[fields.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (fields.get(i).kind()) {
                case BOOLEAN -> switch (in.readByte()) {
                    case 0 -> Boolean.FALSE;
                    case 1 -> Boolean.TRUE;
                    default -> throw new WireFormatException("bad boolean in "
                            + type.type().getSimpleName());
                };
                case INT -> toInt(unzigzag(in.readVarLong()), "int");
                case LONG -> unzigzag(in.readVarLong());
                case DOUBLE -> Double.longBitsToDouble(in.readLongLE());
                case STRING -> readString(in);
                case INSTANT -> switch (in.readByte()) {
                    case 0 -> null;
                    case 1 -> readInstant(in);
                    default -> throw new WireFormatException("bad instant presence in "
                            + type.type().getSimpleName());
                };
            };
        }
        try {
            return type.create(values);
        } catch (IllegalArgumentException e) {
            throw new WireFormatException(e.getMessage(), e);
        }
    }

    // ---- strings --------------------------------------------------------------------------

    private static boolean allStrings(List<?> list, int size) {
        for (int i = 0; i < size; i++) {
            if (!(list.get(i) instanceof String)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes the elements of a list of strings, each with its tag, exactly as
     * {@link #writeValue} would one by one, but a run of them at once: each string's tag and
     * Latin-1 header (all below 256) and then its chars are laid one after another into one
     * char buffer, which one call of the JDK's Latin-1 encoder turns into the bytes of the
     * whole run, and one write sends. A string with a char outside Latin-1 stops the encoder
     * there; it goes out in the UTF-16 form and the run goes on after it. Per string that is
     * one {@code getChars} and nothing else: the encoder's fixed cost and a buffer's fixed
     * cost per write are paid once a run, not once a string.
     */
    private void writeStrings(WireOutput out, List<?> list, int size) {
        int i = 0;
        while (i < size) {
            int[] lengths = lengths(Math.min(size - i, STRING_RUN_MAX));
            int[] starts = starts(lengths.length);
            char[] c = chars;
            int at = 0;
            int count = 0;
            while (i + count < size && count < lengths.length) {
                String s = (String) list.get(i + count);
                int n = s.length();
                if (count > 0 && at + n > STRING_RUN_CHARS) {
                    break;
                }
                if (n > room) {
                    spend(n); // throws before anything of the string is copied
                }
                if (c.length - at < n + MAX_STRING_HEAD) {
                    c = growChars(at + n + MAX_STRING_HEAD, at);
                }
                starts[count] = at;
                lengths[count++] = n;
                c[at++] = (char) STRING_TAG;
                long h = ((long) n << 1) + 1;
                while ((h & ~0x7FL) != 0) {
                    c[at++] = (char) ((h & 0x7F) | 0x80);
                    h >>>= 7;
                }
                c[at++] = (char) h;
                s.getChars(0, n, c, at);
                at += n;
            }
            byte[] b = bytes(at);
            CharBuffer from = charView.limit(at).position(0);
            ByteBuffer to = byteView.limit(at).position(0);
            int sent = 0;
            int k = 0;
            while (from.hasRemaining() && latin1.encode(from, to, true).isError()) {
                int stop = from.position(); // a char outside Latin-1: its string goes as UTF-16
                while (k + 1 < count && starts[k + 1] <= stop) {
                    k++;
                }
                spend(starts[k] - sent);
                out.writeBytes(b, sent, starts[k] - sent);
                int n = lengths[k];
                byte1(out, STRING_TAG);
                writeUtf16(out, c, starts[k] + 1 + varintSize(((long) n << 1) + 1), n);
                sent = k + 1 < count ? starts[k + 1] : at;
                k++;
                from.position(sent);
                to.position(sent);
            }
            spend(at - sent);
            out.writeBytes(b, sent, at - sent);
            i += count;
        }
        trim();
    }

    private int[] lengths(int n) {
        if (lengthScratch.length < n) {
            lengthScratch = new int[n];
        }
        return lengthScratch;
    }

    private int[] starts(int n) {
        if (startScratch.length < n) {
            startScratch = new int[n];
        }
        return startScratch;
    }

    private void writeUtf16(WireOutput out, char[] c, int offset, int n) {
        varint(out, ((long) n << 1 | 1) + 1);
        spend(2L * n);
        byte[] wideBytes = new byte[2 * n];
        ByteBuffer.wrap(wideBytes).order(ByteOrder.LITTLE_ENDIAN).asCharBuffer().put(c, offset, n);
        out.writeBytes(wideBytes, 0, 2 * n);
    }

    /**
     * Writes a string, or {@code null}, by the string rule above.
     *
     * @param out where to write
     * @param s the string, or {@code null}
     * @throws UnsendableException when it would pass the frame limit (checked before any copy)
     */
    public void writeString(WireOutput out, String s) {
        if (s == null) {
            byte1(out, 0);
            return;
        }
        int n = s.length();
        if (n > room) {
            spend(n); // throws before anything of the string is copied
        }
        char[] c = chars(n);
        s.getChars(0, n, c, 0);
        byte[] b = bytes(n);
        CharBuffer from = charView.limit(n).position(0);
        ByteBuffer to = byteView.limit(n).position(0);
        CoderResult r = latin1.encode(from, to, true);
        if (!r.isError() && !from.hasRemaining()) {
            varint(out, ((long) n << 1) + 1);
            spend(n);
            out.writeBytes(b, 0, n);
        } else {
            writeUtf16(out, c, 0, n);
        }
        trim();
    }

    /**
     * {@return a string written by {@link #writeString}, or {@code null}}
     *
     * @param in the bytes
     * @throws WireFormatException when the length runs past the end
     */
    public String readString(WireInput in) {
        long h = in.readVarLong();
        if (h == 0) {
            return null;
        }
        long v = h - 1;
        long n = v >>> 1;
        boolean utf16 = (v & 1) != 0;
        long size = utf16 ? 2 * n : n;
        if (n < 0 || n > Integer.MAX_VALUE / 2 || size > in.remaining()) {
            throw new WireFormatException("a string of " + size + " bytes with "
                    + in.remaining() + " left");
        }
        int len = (int) n;
        if (!utf16) {
            return in.readLatin1(len);
        }
        byte[] b = bytes(size);
        in.readBytes(b, 0, (int) size);
        char[] c = chars(len);
        ByteBuffer.wrap(b, 0, 2 * len).order(ByteOrder.LITTLE_ENDIAN).asCharBuffer().get(c, 0, len);
        String s = new String(c, 0, len);
        trim();
        return s;
    }

    /** Grows the char scratch buffer to at least {@code n}, keeping its first {@code keep} chars. */
    private char[] growChars(int n, int keep) {
        char[] grown = new char[Math.max(n, chars.length * 2)];
        System.arraycopy(chars, 0, grown, 0, keep);
        chars = grown;
        charView = CharBuffer.wrap(chars);
        return chars;
    }

    private char[] chars(int n) {
        return chars.length < n ? growChars(n, 0) : chars;
    }

    private byte[] bytes(long n) {
        if (bytes.length < n) {
            bytes = new byte[(int) Math.max(n, bytes.length * 2L)];
            byteView = ByteBuffer.wrap(bytes);
        }
        return bytes;
    }

    /** Drops scratch buffers that one large string grew, so a codec does not keep them. */
    private void trim() {
        if (chars.length > KEEP_SCRATCH) {
            chars = new char[256];
            charView = CharBuffer.wrap(chars);
        }
        if (bytes.length > 2 * KEEP_SCRATCH) {
            bytes = new byte[512];
            byteView = ByteBuffer.wrap(bytes);
        }
    }

    // ---- numbers --------------------------------------------------------------------------

    private void byte1(WireOutput out, int b) {
        spend(1);
        out.writeByte(b);
    }

    private void varint(WireOutput out, long v) {
        spend(varintSize(v));
        out.writeVarLong(v);
    }

    private static int varintSize(long v) {
        return v >>> 7 == 0 ? 1 : (64 - Long.numberOfLeadingZeros(v) + 6) / 7;
    }

    private void zigzag(WireOutput out, long v) {
        varint(out, (v << 1) ^ (v >> 63));
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private void instant(WireOutput out, Instant t) {
        zigzag(out, t.getEpochSecond());
        varint(out, t.getNano());
    }

    private static Instant readInstant(WireInput in) {
        long seconds = unzigzag(in.readVarLong());
        long nanos = in.readVarLong();
        try {
            return Instant.ofEpochSecond(seconds, nanos);
        } catch (DateTimeException | ArithmeticException e) {
            throw new WireFormatException("bad instant " + seconds + "s " + nanos + "ns", e);
        }
    }

    private static int count(WireInput in) {
        long n = in.readVarLong();
        if (n < 0 || n > in.remaining()) {
            throw new WireFormatException("count " + n + " with " + in.remaining() + " bytes left");
        }
        return (int) n;
    }

    private static int toInt(long v, String what) {
        if (v != (int) v) {
            throw new WireFormatException(what + " out of range: " + v);
        }
        return (int) v;
    }
}
