package maestral.transport.uds.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import maestral.api.MaestralApiError;
import maestral.api.spi.CallResult;
import maestral.api.spi.Handshake;
import maestral.api.spi.MethodCall;
import maestral.api.spi.RemoteError;

/**
 * Encodes and decodes whole frames (see {@link FrameDescriptor}) with pooled Kryo instances
 * of the {@link WireRegistry}.
 *
 * <p><b>Safe for use by many threads at once</b>: each encode or decode borrows its own Kryo
 * and buffers from a pool.
 */
public final class WireCodec {

    private static final int INITIAL_BUFFER = 4096;
    /** Buffers that grew past this are dropped when they go back to the pool. */
    private static final int KEEP_BUFFER = 1 << 20;

    /** One Kryo with its reusable buffers. */
    private static final class Lease {
        final Kryo kryo = WireRegistry.newKryo();
        final Output output = new Output(INITIAL_BUFFER, -1);
        final Input input = new Input();
        byte[] inputBuffer = new byte[INITIAL_BUFFER];
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
            if (lease.inputBuffer.length > KEEP_BUFFER) {
                lease.inputBuffer = new byte[INITIAL_BUFFER];
            }
            lease.input.setBuffer(lease.inputBuffer, 0, 0);
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

    /** Thrown when a value cannot be encoded within the frame limit or is of no wire type. */
    public static final class EncodeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EncodeException(String message, Throwable cause) {
            super(message, cause);
        }
    }

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
            Output out = start(lease, maxFrameBytes);
            lease.kryo.writeObject(out, hello);
            return finish(alloc, lease, FrameDescriptor.HELLO, 0L);
        } catch (KryoException | IllegalArgumentException e) {
            throw new EncodeException("cannot encode the handshake: " + e.getMessage(), e);
        } finally {
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
            Output out = start(lease, maxFrameBytes);
            lease.kryo.writeObject(out, hello);
            WireRegistry.writeString(out, refusal);
            return finish(alloc, lease, FrameDescriptor.HELLO_REPLY, 0L);
        } catch (KryoException | IllegalArgumentException e) {
            throw new EncodeException("cannot encode the handshake reply: " + e.getMessage(), e);
        } finally {
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
     * @throws EncodeException when an argument is of no wire type or the frame is too large
     */
    public static ByteBuf encodeCall(ByteBufAllocator alloc, long correlationId, MethodCall call,
                                     int maxFrameBytes) {
        Lease lease = POOL.obtain();
        try {
            Output out = start(lease, maxFrameBytes);
            lease.kryo.writeObject(out, call);
            return finish(alloc, lease, FrameDescriptor.CALL, correlationId);
        } catch (KryoException | IllegalArgumentException e) {
            throw new EncodeException(problem(e, maxFrameBytes), e);
        } finally {
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
            Output out = start(lease, maxFrameBytes);
            try {
                lease.kryo.writeClassAndObject(out, result);
            } catch (RuntimeException | StackOverflowError e) {
                String what = result instanceof CallResult.Returned(Object value) && value != null
                        ? "a " + value.getClass().getName() : "the result";
                RemoteError error = new RemoteError(MaestralApiError.class.getName(),
                        "Cannot send the result",
                        "The daemon cannot send " + what + ": " + problem(e, maxFrameBytes),
                        null, null, null, null, "");
                out = start(lease, maxFrameBytes);
                lease.kryo.writeClassAndObject(out, new CallResult.Threw(error));
            }
            return finish(alloc, lease, FrameDescriptor.RESULT, correlationId);
        } finally {
            POOL.free(lease);
        }
    }

    private static String problem(Throwable e, int maxFrameBytes) {
        if (e instanceof com.esotericsoftware.kryo.io.KryoBufferOverflowException) {
            return "it does not fit in a frame of at most " + maxFrameBytes + " bytes ("
                    + UdsSettings.MAX_FRAME_BYTES + ")";
        }
        return e.getMessage();
    }

    private static Output start(Lease lease, int maxFrameBytes) {
        Output out = lease.output;
        int maxPayload = maxFrameBytes - FrameDescriptor.HEADER_LENGTH;
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
        } catch (KryoException | IllegalArgumentException e) {
            throw new EncodeException("cannot encode the handshake: " + e.getMessage(), e);
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
     * @throws EncodeException when an argument is of no wire type or the frame is too large
     */
    public static java.nio.ByteBuffer encodeCall(long correlationId, MethodCall call, int maxFrameBytes) {
        Lease lease = POOL.obtain();
        try {
            Output out = start(lease, maxFrameBytes);
            lease.kryo.writeObject(out, call);
            return finish(lease, FrameDescriptor.CALL, correlationId);
        } catch (KryoException | IllegalArgumentException e) {
            throw new EncodeException(problem(e, maxFrameBytes), e);
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

    private static ByteBuf finish(ByteBufAllocator alloc, Lease lease, byte type, long correlationId) {
        Output out = lease.output;
        int payload = out.position();
        ByteBuf frame = alloc.directBuffer(FrameDescriptor.HEADER_LENGTH + payload);
        frame.writeInt(FrameDescriptor.MIN_FRAME_LENGTH + payload);
        frame.writeByte(type);
        frame.writeMedium(0);
        frame.writeLong(correlationId);
        frame.writeBytes(out.getBuffer(), 0, payload);
        return frame;
    }

    // ---- decoding -----------------------------------------------------------------------

    /**
     * {@return the handshake in a HELLO frame}
     *
     * @param frame a whole frame
     * @throws KryoException when the payload is not a handshake
     */
    public static Handshake decodeHello(ByteBuf frame) {
        Lease lease = POOL.obtain();
        try {
            Input in = open(lease, frame);
            Handshake hello = lease.kryo.readObject(in, Handshake.class);
            end(in);
            return hello;
        } finally {
            POOL.free(lease);
        }
    }

    /**
     * {@return the server's answer in a HELLO_REPLY frame}
     *
     * @param frame a whole frame
     * @throws KryoException when the payload is not a handshake reply
     */
    public static HelloReply decodeHelloReply(ByteBuf frame) {
        Lease lease = POOL.obtain();
        try {
            return readHelloReply(lease, open(lease, frame));
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
     * @throws KryoException when the payload is not a handshake reply
     */
    public static HelloReply decodeHelloReply(byte[] frame, int offset, int length) {
        Lease lease = POOL.obtain();
        try {
            return readHelloReply(lease, open(lease, frame, offset, length));
        } finally {
            POOL.free(lease);
        }
    }

    private static HelloReply readHelloReply(Lease lease, Input in) {
        Handshake hello = lease.kryo.readObject(in, Handshake.class);
        String refusal = WireRegistry.readString(in);
        end(in);
        return new HelloReply(hello, refusal);
    }

    /**
     * {@return the call in a CALL frame}
     *
     * @param frame a whole frame
     * @throws KryoException when the payload is not a call
     */
    public static MethodCall decodeCall(ByteBuf frame) {
        Lease lease = POOL.obtain();
        try {
            Input in = open(lease, frame);
            MethodCall call = lease.kryo.readObject(in, MethodCall.class);
            end(in);
            return call;
        } finally {
            POOL.free(lease);
        }
    }

    /**
     * {@return the result in a RESULT frame}
     *
     * @param frame a whole frame
     * @throws KryoException when the payload is not a result
     */
    public static CallResult decodeResult(ByteBuf frame) {
        Lease lease = POOL.obtain();
        try {
            return readResult(lease, open(lease, frame));
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
     * @throws KryoException when the payload is not a result
     */
    public static CallResult decodeResult(byte[] frame, int offset, int length) {
        Lease lease = POOL.obtain();
        try {
            return readResult(lease, open(lease, frame, offset, length));
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
        throw new KryoException("a RESULT frame holds a "
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
            throw new KryoException("frame shorter than its header");
        }
        if (frame.hasArray()) {
            lease.input.setBuffer(frame.array(), frame.arrayOffset() + start, length);
        } else {
            if (lease.inputBuffer.length < length) {
                lease.inputBuffer = new byte[Math.max(length,
                        Math.min(lease.inputBuffer.length * 2, KEEP_BUFFER))];
            }
            frame.getBytes(start, lease.inputBuffer, 0, length);
            lease.input.setBuffer(lease.inputBuffer, 0, length);
        }
        return lease.input;
    }

    private static Input open(Lease lease, byte[] frame, int offset, int length) {
        int payload = length - FrameDescriptor.PAYLOAD_OFFSET;
        if (payload < 0) {
            throw new KryoException("frame shorter than its header");
        }
        lease.input.setBuffer(frame, offset + FrameDescriptor.PAYLOAD_OFFSET, payload);
        return lease.input;
    }

    private static void end(Input in) {
        if (in.position() != in.limit()) {
            throw new KryoException((in.limit() - in.position()) + " bytes left after the payload");
        }
    }
}
