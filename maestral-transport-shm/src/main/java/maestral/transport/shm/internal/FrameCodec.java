package maestral.transport.shm.internal;

import static maestral.transport.shm.internal.ShmDescriptor.*;

import java.nio.ByteBuffer;
import java.util.function.Function;
import maestral.api.spi.ByteBufferWire;
import maestral.api.spi.CallResult;
import maestral.api.spi.FrameLimit;
import maestral.api.spi.Handshake;
import maestral.api.spi.MethodCall;
import maestral.api.spi.UnsendableException;
import maestral.api.spi.WireFormat;
import maestral.api.spi.WireFormatException;
import net.openhft.chronicle.bytes.Bytes;

/**
 * Writes and reads the frames of {@link ShmDescriptor} on Chronicle {@code Bytes}: the headers
 * here, the bodies with the shared {@link WireFormat} through a {@link BytesWire}. Decoding
 * only ever builds the types of the {@link maestral.api.spi.WireModel}; a frame that does not
 * follow the layout raises {@link MalformedFrameException}.
 *
 * <p><b>Not thread-safe: it keeps scratch buffers; each lock domain (an appender's lock, the
 * reader role) uses its own instance.</b>
 */
public final class FrameCodec {

    private final WireFormat format = new WireFormat();
    private final BytesWire wire = new BytesWire();
    private final int maxFrameBytes = FrameLimit.maxFrameBytes();
    private byte[] readCopy = new byte[4096];
    private static final int KEEP_READ_COPY = 1 << 20;

    /** Creates a codec whose frames may take up to {@link FrameLimit#maxFrameBytes()}, read now. */
    public FrameCodec() {
        format.limit(maxFrameBytes, BODY_OFFSET);
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
     * @throws UnsendableException when a value cannot be carried or the body is over the limit
     */
    public void writeBody(Bytes<?> out, int type, Object body) {
        writeBody(out, type, body, maxFrameBytes);
    }

    /**
     * Writes the body of a frame of a type, refusing it past a smaller limit: the most a
     * document holds, when it is written in place.
     *
     * @param out where to write
     * @param type the frame type
     * @param body as {@link #writeBody(Bytes, int, Object)} takes it
     * @param frameLimit the most the whole frame may take, header included
     * @throws UnsendableException when a value cannot be carried or the body is over the limit
     */
    public void writeBody(Bytes<?> out, int type, Object body, long frameLimit) {
        format.limit(Math.min(frameLimit, maxFrameBytes), BODY_OFFSET);
        wire.bytes = out;
        switch (type) {
            case CALL -> format.writeCall(wire, (MethodCall) body);
            case REPLY -> format.writeResult(wire, (CallResult) body);
            case HELLO, WELCOME -> format.writeHandshake(wire, (Handshake) body);
            case REFUSED, GOODBYE -> format.writeString(wire, (String) body);
            default -> {
                // no body
            }
        }
    }

    /**
     * {@return a handshake}
     *
     * @param in the body
     * @throws MalformedFrameException when it is not one
     */
    public Handshake readHandshake(Bytes<?> in) {
        return read(in, "handshake", format::readHandshake);
    }

    /**
     * {@return a call}
     *
     * @param in the body
     * @throws MalformedFrameException when it is not one
     */
    public MethodCall readCall(Bytes<?> in) {
        return read(in, "call", format::readCall);
    }

    /**
     * {@return a reply's result}
     *
     * @param in the body
     * @throws MalformedFrameException when it is not one
     */
    public CallResult readResult(Bytes<?> in) {
        return read(in, "reply", format::readResult);
    }

    /**
     * {@return a string, the body of REFUSED and GOODBYE}
     *
     * @param in the body
     * @throws MalformedFrameException when it is not one
     */
    public String readString(Bytes<?> in) {
        return read(in, "string", format::readString);
    }

    /**
     * Writes one value, as a call argument travels (for tests and fuzzers).
     *
     * @param out where to write
     * @param value the value
     * @throws UnsendableException when it cannot be carried
     */
    public void writeValue(Bytes<?> out, Object value) {
        wire.bytes = out;
        format.limit(maxFrameBytes, BODY_OFFSET);
        format.writeValue(wire, value);
    }

    /**
     * {@return one value, as {@link #writeValue} wrote it}
     *
     * @param in the bytes
     * @throws MalformedFrameException when they do not hold a value of the model
     */
    public Object readValue(Bytes<?> in) {
        return read(in, "value", format::readValue);
    }

    /**
     * Decodes what is left of a body from a heap copy of it: one bulk copy out of the mapped
     * queue costs less than Chronicle's checks on every small read of the format.
     */
    private <T> T read(Bytes<?> in, String what, Function<ByteBufferWire, T> reader) {
        long n = in.readRemaining();
        if (n > maxFrameBytes - BODY_OFFSET) {
            throw new MalformedFrameException("a " + what + " of " + n + " bytes, over the frame limit");
        }
        if (readCopy.length < n) {
            readCopy = new byte[(int) Math.max(n, 2L * readCopy.length)];
        }
        in.read(readCopy, 0, (int) n);
        try {
            return reader.apply(ByteBufferWire.forReading(ByteBuffer.wrap(readCopy, 0, (int) n)));
        } catch (WireFormatException e) {
            throw new MalformedFrameException("bad " + what + ": " + e.getMessage(), e);
        } catch (RuntimeException | StackOverflowError e) {
            throw new MalformedFrameException("bad " + what + ": " + e, e);
        } finally {
            if (readCopy.length > KEEP_READ_COPY) {
                readCopy = new byte[4096];
            }
        }
    }
}
