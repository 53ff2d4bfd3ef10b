package maestral.transport.shm.internal;

import static maestral.transport.shm.internal.ShmDescriptor.*;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import net.openhft.chronicle.bytes.Bytes;

/**
 * Writes and reads the frames of {@link ShmDescriptor} on Chronicle {@code Bytes}: a compact,
 * hand-written, tag-per-value codec. Decoding only ever builds the types listed there; a
 * frame that does not follow the layout raises {@link MalformedFrameException}.
 *
 * <p><b>Not thread-safe: it keeps scratch buffers; each lock domain (an appender's lock, the
 * reader role) uses its own instance.</b>
 */
public final class FrameCodec {

    private static final int KEEP_SCRATCH = 64 << 10;

    private byte[] scratch = new byte[256];
    private char[] chars = new char[256];

    /** Creates a codec with small scratch buffers. */
    public FrameCodec() {
    }

    // ---- headers ---------------------------------------------------------------------

    /**
     * Writes a frame header; the body follows.
     *
     * @param out where to write
     * @param type the frame type
     * @param sessionId the session
     * @param correlationId the call, or 0
     */
    public static void writeHeader(Bytes<?> out, int type, long sessionId, long correlationId) {
        out.writeInt(FRAME_MAGIC);
        out.writeInt(type);
        out.writeLong(sessionId);
        out.writeLong(correlationId);
    }

    /**
     * Reads a frame header and leaves the read position at the body.
     *
     * @param in the frame, read position at its start
     * @return the header
     * @throws MalformedFrameException when it is too short or has a bad magic
     */
    public static Header readHeader(Bytes<?> in) {
        long start = in.readPosition();
        if (in.readRemaining() < BODY_OFFSET) {
            throw new MalformedFrameException("frame of " + in.readRemaining() + " bytes is too short");
        }
        int magic = in.readInt(start + MAGIC_OFFSET);
        if (magic != FRAME_MAGIC) {
            throw new MalformedFrameException("bad frame magic " + Integer.toHexString(magic));
        }
        Header header = new Header(in.readInt(start + TYPE_OFFSET), in.readLong(start + SESSION_OFFSET),
                in.readLong(start + CORRELATION_OFFSET));
        in.readPosition(start + BODY_OFFSET);
        return header;
    }

    /**
     * A frame's header.
     *
     * @param type the frame type
     * @param sessionId the session
     * @param correlationId the call, or 0
     */
    public record Header(int type, long sessionId, long correlationId) {
    }

    // ---- bodies ----------------------------------------------------------------------

    /**
     * Writes the body of a frame of a type.
     *
     * @param out where to write
     * @param type the frame type
     * @param body a {@code MethodCall} for CALL, a {@code CallResult} for REPLY, a
     *     {@code Handshake} for HELLO and WELCOME, a {@code String} for REFUSED and GOODBYE,
     *     {@code null} for the others
     * @throws UnsupportedValueException when a value cannot be carried
     */
    public void writeBody(Bytes<?> out, int type, Object body) {
        switch (type) {
            case CALL -> writeCall(out, (MethodCall) body);
            case REPLY -> writeResult(out, (CallResult) body);
            case HELLO, WELCOME -> writeHandshake(out, (Handshake) body);
            case REFUSED, GOODBYE -> writeString(out, (String) body);
            default -> {
                // no body
            }
        }
    }

    /**
     * Writes a handshake (the body of HELLO and WELCOME).
     *
     * @param out where to write
     * @param hello the handshake
     */
    public void writeHandshake(Bytes<?> out, Handshake hello) {
        out.writeStopBit(hello.protocolVersion());
        writeString(out, hello.fingerprint());
        writeString(out, hello.libraryVersion());
        writeString(out, hello.transportId());
        out.writeLong(hello.pid());
        writeString(out, hello.instanceId());
    }

    /**
     * {@return a handshake}
     *
     * @param in the body
     */
    public Handshake readHandshake(Bytes<?> in) {
        try {
            return new Handshake(toInt(in.readStopBit()), readString(in), readString(in),
                    readString(in), readLongChecked(in), readString(in));
        } catch (MalformedFrameException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MalformedFrameException("bad handshake: " + e, e);
        }
    }

    /**
     * Writes a call's body.
     *
     * @param out where to write
     * @param call the call
     * @throws UnsupportedValueException when an argument has a type the transport does not carry
     */
    public void writeCall(Bytes<?> out, MethodCall call) {
        out.writeStopBit(call.methodId());
        Object[] args = call.args();
        out.writeStopBit(args.length);
        for (Object arg : args) {
            writeValue(out, arg);
        }
    }

    /**
     * {@return a call}
     *
     * @param in the body
     */
    public MethodCall readCall(Bytes<?> in) {
        try {
            int methodId = toInt(in.readStopBit());
            int n = readCount(in);
            Object[] args = new Object[n];
            for (int i = 0; i < n; i++) {
                args[i] = readValue(in, 0);
            }
            return new MethodCall(methodId, args);
        } catch (MalformedFrameException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MalformedFrameException("bad call: " + e, e);
        }
    }

    /**
     * Writes a reply's body.
     *
     * @param out where to write
     * @param result the result
     * @throws UnsupportedValueException when the value has a type the transport does not carry
     */
    public void writeResult(Bytes<?> out, CallResult result) {
        switch (result) {
            case CallResult.Returned(Object value) -> {
                out.writeByte(RETURNED);
                writeValue(out, value);
            }
            case CallResult.Threw(RemoteError e) -> {
                out.writeByte(THREW);
                writeString(out, e.className());
                writeString(out, e.title());
                writeString(out, e.message());
                writeString(out, e.dbxPath());
                writeString(out, e.dbxPathDst());
                writeString(out, e.localPath());
                writeString(out, e.localPathDst());
                writeString(out, e.stackTrace());
            }
        }
    }

    /**
     * {@return a reply's result}
     *
     * @param in the body
     */
    public CallResult readResult(Bytes<?> in) {
        try {
            byte outcome = readByteChecked(in);
            return switch (outcome) {
                case RETURNED -> new CallResult.Returned(readValue(in, 0));
                case THREW -> new CallResult.Threw(new RemoteError(readString(in), readString(in),
                        readString(in), readString(in), readString(in), readString(in), readString(in),
                        readString(in)));
                default -> throw new MalformedFrameException("bad reply outcome " + outcome);
            };
        } catch (MalformedFrameException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MalformedFrameException("bad reply: " + e, e);
        }
    }

    // ---- values ----------------------------------------------------------------------

    /**
     * Writes one value with its tag.
     *
     * @param out where to write
     * @param value the value
     * @throws UnsupportedValueException when it has a type the transport does not carry
     */
    public void writeValue(Bytes<?> out, Object value) {
        switch (value) {
            case null -> out.writeByte(T_NULL);
            case String s -> {
                out.writeByte(T_STRING);
                writeString(out, s);
            }
            case Boolean b -> out.writeByte(b ? T_TRUE : T_FALSE);
            case Integer i -> out.writeByte(T_INT).writeStopBit((long) i.intValue());
            case Long l -> out.writeByte(T_LONG).writeStopBit(l.longValue());
            case Double d -> out.writeByte(T_DOUBLE).writeDouble(d);
            case Instant t -> {
                out.writeByte(T_INSTANT);
                writeInstant(out, t);
            }
            case List<?> list -> {
                out.writeByte(T_LIST).writeStopBit(list.size());
                for (Object o : list) {
                    writeValue(out, o);
                }
            }
            case Map<?, ?> map -> {
                out.writeByte(T_MAP).writeStopBit(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    writeValue(out, e.getKey());
                    writeValue(out, e.getValue());
                }
            }
            case FileMetadata m -> {
                out.writeByte(T_FILE_METADATA);
                writeString(out, m.name());
                writeString(out, m.pathLower());
                writeString(out, m.pathDisplay());
                out.writeByte((byte) (m.folder() ? 1 : 0));
                out.writeStopBit(m.size());
                writeNullableInstant(out, m.modified());
                writeString(out, m.rev());
                writeString(out, m.contentHash());
            }
            case SyncEvent e -> {
                out.writeByte(T_SYNC_EVENT);
                out.writeStopBit(e.id());
                writeString(out, e.direction());
                writeString(out, e.itemType());
                writeString(out, e.changeType());
                writeString(out, e.status());
                writeString(out, e.dbxPath());
                writeString(out, e.dbxPathFrom());
                writeString(out, e.localPath());
                writeString(out, e.localPathFrom());
                out.writeStopBit(e.size());
                out.writeStopBit(e.completed());
                writeNullableInstant(out, e.changeTime());
                writeNullableInstant(out, e.syncTime());
            }
            case SyncErrorInfo e -> {
                out.writeByte(T_SYNC_ERROR_INFO);
                writeString(out, e.type());
                writeString(out, e.title());
                writeString(out, e.message());
                writeString(out, e.dbxPath());
                writeString(out, e.dbxPathDst());
                writeString(out, e.localPath());
                writeString(out, e.localPathDst());
            }
            case ErrorInfo e -> {
                out.writeByte(T_ERROR_INFO);
                writeString(out, e.type());
                writeString(out, e.title());
                writeString(out, e.message());
                writeString(out, e.traceback());
            }
            case AccountInfo a -> {
                out.writeByte(T_ACCOUNT_INFO);
                writeString(out, a.accountId());
                writeString(out, a.email());
                writeString(out, a.displayName());
                writeString(out, a.accountType());
            }
            case SpaceUsage u -> {
                out.writeByte(T_SPACE_USAGE);
                out.writeStopBit(u.used());
                out.writeStopBit(u.allocated());
                writeString(out, u.allocationType());
            }
            case Byte b -> out.writeByte(T_BYTE).writeByte(b);
            case Short s -> out.writeByte(T_SHORT).writeStopBit((long) s.shortValue());
            case Character c -> out.writeByte(T_CHAR).writeStopBit((long) c.charValue());
            case Float f -> out.writeByte(T_FLOAT).writeFloat(f);
            default -> throw new UnsupportedValueException(value.getClass());
        }
    }

    /**
     * {@return one value}
     *
     * @param in the bytes, at a tag
     * @throws MalformedFrameException when the bytes do not hold a value of a known type
     */
    public Object readValue(Bytes<?> in) {
        try {
            return readValue(in, 0);
        } catch (MalformedFrameException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new MalformedFrameException("bad value: " + e, e);
        }
    }

    private Object readValue(Bytes<?> in, int depth) {
        if (depth > MAX_DEPTH) {
            throw new MalformedFrameException("values nested deeper than " + MAX_DEPTH);
        }
        byte tag = readByteChecked(in);
        return switch (tag) {
            case T_NULL -> null;
            case T_FALSE -> Boolean.FALSE;
            case T_TRUE -> Boolean.TRUE;
            case T_INT -> toInt(in.readStopBit());
            case T_LONG -> in.readStopBit();
            case T_DOUBLE -> {
                need(in, 8);
                yield in.readDouble();
            }
            case T_STRING -> readString(in);
            case T_INSTANT -> readInstant(in);
            case T_LIST -> {
                int n = readCount(in);
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(readValue(in, depth + 1));
                }
                yield list;
            }
            case T_MAP -> {
                int n = readCount(in);
                Map<Object, Object> map = LinkedHashMap.newLinkedHashMap(n);
                for (int i = 0; i < n; i++) {
                    Object key = readValue(in, depth + 1);
                    map.put(key, readValue(in, depth + 1));
                }
                yield map;
            }
            case T_FILE_METADATA -> new FileMetadata(readString(in), readString(in), readString(in),
                    readBoolean(in), in.readStopBit(), readNullableInstant(in), readString(in),
                    readString(in));
            case T_SYNC_EVENT -> new SyncEvent(in.readStopBit(), readString(in), readString(in),
                    readString(in), readString(in), readString(in), readString(in), readString(in),
                    readString(in), in.readStopBit(), in.readStopBit(), readNullableInstant(in),
                    readNullableInstant(in));
            case T_SYNC_ERROR_INFO -> new SyncErrorInfo(readString(in), readString(in),
                    readString(in), readString(in), readString(in), readString(in), readString(in));
            case T_ERROR_INFO -> new ErrorInfo(readString(in), readString(in), readString(in),
                    readString(in));
            case T_ACCOUNT_INFO -> new AccountInfo(readString(in), readString(in), readString(in),
                    readString(in));
            case T_SPACE_USAGE -> new SpaceUsage(in.readStopBit(), in.readStopBit(), readString(in));
            case T_BYTE -> readByteChecked(in);
            case T_SHORT -> {
                long v = in.readStopBit();
                if (v != (short) v) {
                    throw new MalformedFrameException("short out of range: " + v);
                }
                yield (short) v;
            }
            case T_CHAR -> {
                long v = in.readStopBit();
                if (v != (char) v) {
                    throw new MalformedFrameException("char out of range: " + v);
                }
                yield (char) v;
            }
            case T_FLOAT -> {
                need(in, 4);
                yield in.readFloat();
            }
            default -> throw new MalformedFrameException("unknown value tag " + tag);
        };
    }

    private static void writeInstant(Bytes<?> out, Instant t) {
        out.writeStopBit(t.getEpochSecond());
        out.writeStopBit(t.getNano());
    }

    private static Instant readInstant(Bytes<?> in) {
        long seconds = in.readStopBit();
        long nanos = in.readStopBit();
        try {
            return Instant.ofEpochSecond(seconds, nanos);
        } catch (DateTimeException | ArithmeticException e) {
            throw new MalformedFrameException("bad instant " + seconds + "s " + nanos + "ns", e);
        }
    }

    private static void writeNullableInstant(Bytes<?> out, Instant t) {
        if (t == null) {
            out.writeByte(T_NULL);
        } else {
            out.writeByte(T_INSTANT);
            writeInstant(out, t);
        }
    }

    private static Instant readNullableInstant(Bytes<?> in) {
        byte tag = readByteChecked(in);
        return switch (tag) {
            case T_NULL -> null;
            case T_INSTANT -> readInstant(in);
            default -> throw new MalformedFrameException("expected an instant, got tag " + tag);
        };
    }

    private static boolean readBoolean(Bytes<?> in) {
        byte b = readByteChecked(in);
        return switch (b) {
            case 0 -> false;
            case 1 -> true;
            default -> throw new MalformedFrameException("bad boolean " + b);
        };
    }

    // ---- strings ---------------------------------------------------------------------

    /**
     * Writes a string: its CESU-8 length plus one as a stop-bit number, then its bytes.
     *
     * @param out where to write
     * @param s the string, or {@code null}
     */
    public void writeString(Bytes<?> out, String s) {
        if (s == null) {
            out.writeStopBit(0);
            return;
        }
        int n = s.length();
        int len = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            len += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        out.writeStopBit(len + 1L);
        byte[] buf = scratch(len);
        if (len == n) {
            for (int i = 0; i < n; i++) {
                buf[i] = (byte) s.charAt(i);
            }
        } else {
            int p = 0;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    buf[p++] = (byte) c;
                } else if (c < 0x800) {
                    buf[p++] = (byte) (0xC0 | (c >> 6));
                    buf[p++] = (byte) (0x80 | (c & 0x3F));
                } else {
                    buf[p++] = (byte) (0xE0 | (c >> 12));
                    buf[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    buf[p++] = (byte) (0x80 | (c & 0x3F));
                }
            }
        }
        out.write(buf, 0, len);
        release();
    }

    /**
     * {@return a string written by {@link #writeString}}
     *
     * @param in the bytes
     */
    public String readString(Bytes<?> in) {
        if (in.readRemaining() < 1) {
            throw new MalformedFrameException("frame ends before a string");
        }
        long header = in.readStopBit();
        if (header == 0) {
            return null;
        }
        if (header < 0 || header - 1 > in.readRemaining()) {
            throw new MalformedFrameException("string of " + (header - 1) + " bytes, "
                    + in.readRemaining() + " left");
        }
        int len = (int) (header - 1);
        byte[] buf = scratch(len);
        in.read(buf, 0, len);
        boolean ascii = true;
        for (int i = 0; i < len; i++) {
            if (buf[i] < 0) {
                ascii = false;
                break;
            }
        }
        String s = ascii ? new String(buf, 0, len, StandardCharsets.ISO_8859_1) : decodeCesu(buf, len);
        release();
        return s;
    }

    private String decodeCesu(byte[] buf, int len) {
        if (chars.length < len) {
            chars = new char[len];
        }
        char[] out = chars;
        int n = 0;
        int i = 0;
        while (i < len) {
            int b = buf[i] & 0xFF;
            if (b < 0x80) {
                out[n++] = (char) b;
                i += 1;
            } else if ((b & 0xE0) == 0xC0 && i + 1 < len && (buf[i + 1] & 0xC0) == 0x80) {
                out[n++] = (char) (((b & 0x1F) << 6) | (buf[i + 1] & 0x3F));
                i += 2;
            } else if ((b & 0xF0) == 0xE0 && i + 2 < len && (buf[i + 1] & 0xC0) == 0x80
                    && (buf[i + 2] & 0xC0) == 0x80) {
                out[n++] = (char) (((b & 0x0F) << 12) | ((buf[i + 1] & 0x3F) << 6) | (buf[i + 2] & 0x3F));
                i += 3;
            } else {
                throw new MalformedFrameException("bad string byte 0x" + Integer.toHexString(b)
                        + " at " + i);
            }
        }
        String s = new String(out, 0, n);
        if (chars.length > KEEP_SCRATCH) {
            chars = new char[256];
        }
        return s;
    }

    private byte[] scratch(int len) {
        if (scratch.length < len) {
            scratch = new byte[Math.max(len, scratch.length * 2)];
        }
        return scratch;
    }

    private void release() {
        if (scratch.length > KEEP_SCRATCH) {
            scratch = new byte[256];
        }
    }

    // ---- checks ----------------------------------------------------------------------

    private static byte readByteChecked(Bytes<?> in) {
        need(in, 1);
        return in.readByte();
    }

    private static long readLongChecked(Bytes<?> in) {
        need(in, 8);
        return in.readLong();
    }

    private static void need(Bytes<?> in, int n) {
        if (in.readRemaining() < n) {
            throw new MalformedFrameException("frame ends early: " + n + " bytes needed, "
                    + in.readRemaining() + " left");
        }
    }

    private static int readCount(Bytes<?> in) {
        long n = in.readStopBit();
        if (n < 0 || n > in.readRemaining()) {
            throw new MalformedFrameException("count " + n + " with " + in.readRemaining()
                    + " bytes left");
        }
        return (int) n;
    }

    private static int toInt(long v) {
        if (v != (int) v) {
            throw new MalformedFrameException("int out of range: " + v);
        }
        return (int) v;
    }
}
