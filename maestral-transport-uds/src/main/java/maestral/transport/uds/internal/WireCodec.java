package maestral.transport.uds.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.ByteBufferInput;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import maestral.api.spi.CallResult;
import maestral.api.spi.FrameLimit;
import maestral.api.spi.Handshake;
import maestral.api.spi.MethodCall;
import maestral.api.spi.UnsendableException;
import maestral.api.spi.WireFormat;
import maestral.api.spi.WireFormatException;

/**
 * Encodes and decodes whole frames (see {@link FrameDescriptor}) with pooled Kryo instances
 * of the {@link WireRegistry}, whose serializers write the shared {@link WireFormat}. A frame
 * in direct memory is decoded where it lies (a {@link ByteBufferInput} over it), not copied
 * to the heap first.
 *
 * <p><b>Safe for use by many threads at once</b>: each encode or decode borrows its own Kryo
 * and buffers from a pool.
 */
public final class WireCodec {

    private static final int INITIAL_BUFFER = 4096;
    /** The smallest first buffer of a frame encoded in direct memory. */
    private static final int MIN_FIRST_BUFFER = 256;
    /** Buffers that grew past this are dropped when they go back to the pool. */
    private static final int KEEP_BUFFER = 1 << 20;

    /** One Kryo with its reusable buffers. */
    private static final class Lease {
        final WireFormat format = new WireFormat();
        final KryoWire wire = new KryoWire();
        final Kryo kryo = WireRegistry.newKryo(format, wire);
        final Output output = new Output(INITIAL_BUFFER, -1);
        final Input input = new Input();
        final ByteBufferInput directInput = new ByteBufferInput();
        final ByteBufOutput direct = new ByteBufOutput();
        /** The size of the last frame this lease encoded in direct memory: the next one's first guess. */
        int lastFrameBytes = MIN_FIRST_BUFFER;
    }

    private static final Pool<Lease> POOL = new Pool<>(true, false, 64) {
        @Override
        protected Lease create() {
            return new Lease();
        }

        @Override
        protected void reset(Lease lease) {
            if (lease.output.getBuffer().length > KEEP_BUFFER) {
                lease.output.setBuffer(new byte[INITIAL_BUFFER], -1);
            }
            lease.input.setBuffer(EMPTY, 0, 0);
            lease.directInput.setBuffer(EMPTY_DIRECT);
        }
    };

    /**
     * The server's answer to a handshake.
     *
     * @param server the server's handshake
     * @param refusal why the client is refused, or {@code null} when it is accepted
     */
    public record HelloReply(Handshake server, String refusal) {
    }

    private static final byte[] EMPTY = {};
    private static final java.nio.ByteBuffer EMPTY_DIRECT = java.nio.ByteBuffer.allocateDirect(0);

    private WireCodec() {
    }

    // ---- encoding -----------------------------------------------------------------------

    /**
     * {@return the client's HELLO frame}
     *
     * @param alloc where to allocate the frame
     * @param hello the client's handshake
     * @param maxFrameBytes the largest frame
     */
    public static ByteBuf encodeHello(ByteBufAllocator alloc, Handshake hello, int maxFrameBytes) {
        Lease lease = POOL.obtain();
        try {
            lease.kryo.writeObject(startDirect(lease, alloc, maxFrameBytes), hello);
            return finishDirect(lease, FrameDescriptor.HELLO, 0L);
        } finally {
            abandon(lease);
            POOL.free(lease);
        }
    }

    /**
     * {@return the server's HELLO_REPLY frame}
     *
     * @param alloc where to allocate the frame
     * @param hello the server's handshake
     * @param refusal why the client is refused, or {@code null} when it is accepted
     * @param maxFrameBytes the largest frame
     */
    public static ByteBuf encodeHelloReply(ByteBufAllocator alloc, Handshake hello, String refusal,
                                           int maxFrameBytes) {
        Lease lease = POOL.obtain();
        try {
            lease.kryo.writeObject(startDirect(lease, alloc, maxFrameBytes), hello);
            lease.format.writeString(lease.wire, refusal);
            return finishDirect(lease, FrameDescriptor.HELLO_REPLY, 0L);
        } finally {
            abandon(lease);
            POOL.free(lease);
        }
    }

    /**
     * {@return a CALL frame}
     *
     * @param alloc where to allocate the frame
     * @param correlationId the call's id on its connection
     * @param call the call
     * @param maxFrameBytes the largest frame
     * @throws UnsendableException when an argument is of no wire type or the frame is too large
     */
    public static ByteBuf encodeCall(ByteBufAllocator alloc, long correlationId, MethodCall call,
                                     int maxFrameBytes) {
        Lease lease = POOL.obtain();
        try {
            lease.kryo.writeObject(startDirect(lease, alloc, maxFrameBytes), call);
            return finishDirect(lease, FrameDescriptor.CALL, correlationId);
        } catch (KryoException e) {
            throw unsendable(e, maxFrameBytes);
        } finally {
            abandon(lease);
            POOL.free(lease);
        }
    }

    /**
     * {@return a RESULT frame; a result that cannot be encoded becomes an error result that says why}
     *
     * @param alloc where to allocate the frame
     * @param correlationId the call's id on its connection
     * @param result the result
     * @param maxFrameBytes the largest frame
     */
    public static ByteBuf encodeResult(ByteBufAllocator alloc, long correlationId,
                                       CallResult result, int maxFrameBytes) {
        Lease lease = POOL.obtain();
        try {
            try {
                lease.kryo.writeClassAndObject(startDirect(lease, alloc, maxFrameBytes), result);
            } catch (UnsendableException | KryoException e) {
                abandon(lease);
                lease.kryo.writeClassAndObject(startDirect(lease, alloc, maxFrameBytes), FrameLimit.cannotAnswer(
                        e instanceof UnsendableException u ? u : unsendable((KryoException) e, maxFrameBytes)));
            }
            return finishDirect(lease, FrameDescriptor.RESULT, correlationId);
        } finally {
            abandon(lease);
            POOL.free(lease);
        }
    }

    /** Kryo's own refusal (its buffer's limit is the frame limit's backstop) as the shared one. */
    private static UnsendableException unsendable(KryoException e, int maxFrameBytes) {
        return e instanceof com.esotericsoftware.kryo.io.KryoBufferOverflowException
                ? UnsendableException.tooLarge(maxFrameBytes) : new UnsendableException(e.getMessage());
    }

    private static Output start(Lease lease, int maxFrameBytes) {
        Output out = lease.output;
        int maxPayload = maxFrameBytes - FrameDescriptor.HEADER_LENGTH;
        lease.format.limit(maxFrameBytes, FrameDescriptor.HEADER_LENGTH + 1); // + Kryo's class id
        byte[] buffer = out.getBuffer();
        out.setBuffer(buffer.length <= maxPayload ? buffer : new byte[Math.min(INITIAL_BUFFER, maxPayload)],
                maxPayload);
        return out;
    }

    /**
     * {@return the client's HELLO frame in a heap buffer ready to write}
     *
     * @param hello the client's handshake
     * @param maxFrameBytes the largest frame
     */
    public static java.nio.ByteBuffer encodeHello(Handshake hello, int maxFrameBytes) {
        Lease lease = POOL.obtain();
        try {
            Output out = start(lease, maxFrameBytes);
            lease.kryo.writeObject(out, hello);
            return finish(lease, FrameDescriptor.HELLO, 0L);
        } finally {
            POOL.free(lease);
        }
    }

    /**
     * {@return a CALL frame in a heap buffer ready to write}
     *
     * @param correlationId the call's id on its connection
     * @param call the call
     * @param maxFrameBytes the largest frame
     * @throws UnsendableException when an argument is of no wire type or the frame is too large
     */
    public static java.nio.ByteBuffer encodeCall(long correlationId, MethodCall call, int maxFrameBytes) {
        Lease lease = POOL.obtain();
        try {
            Output out = start(lease, maxFrameBytes);
            lease.kryo.writeObject(out, call);
            return finish(lease, FrameDescriptor.CALL, correlationId);
        } catch (KryoException e) {
            throw unsendable(e, maxFrameBytes);
        } finally {
            POOL.free(lease);
        }
    }

    private static java.nio.ByteBuffer finish(Lease lease, byte type, long correlationId) {
        Output out = lease.output;
        int payload = out.position();
        java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + payload);
        frame.putInt(FrameDescriptor.MIN_FRAME_LENGTH + payload);
        frame.put(type);
        frame.put((byte) 0).put((byte) 0).put((byte) 0);
        frame.putLong(correlationId);
        frame.put(out.getBuffer(), 0, payload);
        return frame.flip();
    }

    /**
     * {@return the lease's direct output, at the payload of a new frame buffer}: the payload is
     * encoded where the socket write will take it from
     */
    private static Output startDirect(Lease lease, ByteBufAllocator alloc, int maxFrameBytes) {
        lease.format.limit(maxFrameBytes, FrameDescriptor.HEADER_LENGTH + 1); // + Kryo's class id
        ByteBuf frame = alloc.directBuffer(Math.min(lease.lastFrameBytes, maxFrameBytes), maxFrameBytes);
        lease.direct.start(frame, FrameDescriptor.HEADER_LENGTH, maxFrameBytes);
        lease.wire.output = lease.direct;
        return lease.direct;
    }

    private static ByteBuf finishDirect(Lease lease, byte type, long correlationId) {
        ByteBuf frame = lease.direct.finish();
        int payload = frame.writerIndex() - FrameDescriptor.HEADER_LENGTH;
        frame.setInt(FrameDescriptor.LENGTH_OFFSET, FrameDescriptor.MIN_FRAME_LENGTH + payload);
        frame.setByte(FrameDescriptor.TYPE_OFFSET, type);
        frame.setMedium(FrameDescriptor.RESERVED_OFFSET, 0);
        frame.setLong(FrameDescriptor.CORRELATION_OFFSET, correlationId);
        lease.lastFrameBytes = Math.clamp(frame.writerIndex() + 64L, MIN_FIRST_BUFFER, KEEP_BUFFER);
        return frame;
    }

    /** Releases a frame buffer that was started and not finished (its encoding failed). */
    private static void abandon(Lease lease) {
        ByteBuf unfinished = lease.direct.target();
        if (unfinished != null) {
            lease.direct.finish();
            unfinished.release();
        }
    }

    // ---- decoding -----------------------------------------------------------------------

    /**
     * {@return the handshake in a HELLO frame}
     *
     * @param frame a whole frame
     * @throws WireFormatException when the payload is not a handshake
     */
    public static Handshake decodeHello(ByteBuf frame) {
        Lease lease = POOL.obtain();
        try {
            Input in = open(lease, frame);
            Handshake hello = lease.kryo.readObject(in, Handshake.class);
            end(in);
            return hello;
        } catch (KryoException e) {
            throw KryoWire.malformed(e);
        } finally {
            POOL.free(lease);
        }
    }

    /**
     * {@return the server's answer in a HELLO_REPLY frame}
     *
     * @param frame a whole frame
     * @throws WireFormatException when the payload is not a handshake reply
     */
    public static HelloReply decodeHelloReply(ByteBuf frame) {
        Lease lease = POOL.obtain();
        try {
            return readHelloReply(lease, open(lease, frame));
        } catch (KryoException e) {
            throw KryoWire.malformed(e);
        } finally {
            POOL.free(lease);
        }
    }

    /**
     * {@return the server's answer in a HELLO_REPLY frame held in an array}
     *
     * @param frame the array
     * @param offset where the frame starts in it
     * @param length the frame's total size, length field included
     * @throws WireFormatException when the payload is not a handshake reply
     */
    public static HelloReply decodeHelloReply(byte[] frame, int offset, int length) {
        Lease lease = POOL.obtain();
        try {
            return readHelloReply(lease, open(lease, frame, offset, length));
        } catch (KryoException e) {
            throw KryoWire.malformed(e);
        } finally {
            POOL.free(lease);
        }
    }

    private static HelloReply readHelloReply(Lease lease, Input in) {
        Handshake hello = lease.kryo.readObject(in, Handshake.class);
        String refusal = lease.format.readString(lease.wire);
        end(in);
        return new HelloReply(hello, refusal);
    }

    /**
     * {@return the call in a CALL frame}
     *
     * @param frame a whole frame
     * @throws WireFormatException when the payload is not a call
     */
    public static MethodCall decodeCall(ByteBuf frame) {
        Lease lease = POOL.obtain();
        try {
            Input in = open(lease, frame);
            MethodCall call = lease.kryo.readObject(in, MethodCall.class);
            end(in);
            return call;
        } catch (KryoException e) {
            throw KryoWire.malformed(e);
        } finally {
            POOL.free(lease);
        }
    }

    /**
     * {@return the result in a RESULT frame}
     *
     * @param frame a whole frame
     * @throws WireFormatException when the payload is not a result
     */
    public static CallResult decodeResult(ByteBuf frame) {
        Lease lease = POOL.obtain();
        try {
            return readResult(lease, open(lease, frame));
        } catch (KryoException e) {
            throw KryoWire.malformed(e);
        } finally {
            POOL.free(lease);
        }
    }

    /**
     * {@return the result in a RESULT frame held in an array}
     *
     * @param frame the array
     * @param offset where the frame starts in it
     * @param length the frame's total size, length field included
     * @throws WireFormatException when the payload is not a result
     */
    public static CallResult decodeResult(byte[] frame, int offset, int length) {
        Lease lease = POOL.obtain();
        try {
            return readResult(lease, open(lease, frame, offset, length));
        } catch (KryoException e) {
            throw KryoWire.malformed(e);
        } finally {
            POOL.free(lease);
        }
    }

    private static CallResult readResult(Lease lease, Input in) {
        Object result = lease.kryo.readClassAndObject(in);
        end(in);
        if (result instanceof CallResult r) {
            return r;
        }
        throw new WireFormatException("a RESULT frame holds a "
                + (result == null ? "null" : result.getClass().getName()));
    }

    /**
     * {@return the correlation id of a frame}
     *
     * @param frame a whole frame
     */
    public static long correlationId(ByteBuf frame) {
        return frame.getLong(frame.readerIndex() + FrameDescriptor.CORRELATION_OFFSET);
    }

    /**
     * {@return the type of a frame}
     *
     * @param frame a whole frame
     */
    public static byte type(ByteBuf frame) {
        return frame.getByte(frame.readerIndex() + FrameDescriptor.TYPE_OFFSET);
    }

    private static Input open(Lease lease, ByteBuf frame) {
        int start = frame.readerIndex() + FrameDescriptor.PAYLOAD_OFFSET;
        int length = frame.writerIndex() - start;
        if (length < 0) {
            throw new WireFormatException("frame shorter than its header");
        }
        Input in;
        if (frame.hasArray()) {
            in = lease.input;
            in.setBuffer(frame.array(), frame.arrayOffset() + start, length);
        } else {
            in = lease.directInput;
            lease.directInput.setBuffer(frame.nioBuffer(start, length));
        }
        lease.wire.input = in;
        return in;
    }

    private static Input open(Lease lease, byte[] frame, int offset, int length) {
        int payload = length - FrameDescriptor.PAYLOAD_OFFSET;
        if (payload < 0) {
            throw new WireFormatException("frame shorter than its header");
        }
        lease.input.setBuffer(frame, offset + FrameDescriptor.PAYLOAD_OFFSET, payload);
        lease.wire.input = lease.input;
        return lease.input;
    }

    private static void end(Input in) {
        if (in.position() != in.limit()) {
            throw new WireFormatException((in.limit() - in.position()) + " bytes left after the payload");
        }
    }
}
