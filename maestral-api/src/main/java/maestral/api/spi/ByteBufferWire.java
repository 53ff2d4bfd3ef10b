package maestral.api.spi;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link WireOutput} and {@link WireInput} over a {@link ByteBuffer}, for a transport that has
 * no buffer type of its own: encode with {@link #forWriting(int)} and send
 * {@link #flip()}'s bytes; decode a received frame with {@link #forReading(ByteBuffer)}.
 *
 * <p><b>Not thread-safe.</b>
 */
public final class ByteBufferWire implements WireOutput, WireInput {

    private ByteBuffer buffer;

    private ByteBufferWire(ByteBuffer buffer) {
        this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * {@return a wire that writes into a heap buffer, growing it as needed}
     *
     * @param initialCapacity the first buffer's size
     */
    public static ByteBufferWire forWriting(int initialCapacity) {
        return new ByteBufferWire(ByteBuffer.allocate(Math.max(16, initialCapacity)));
    }

    /**
     * {@return a wire that reads a buffer's remaining bytes}; it reads the buffer itself, not
     * a copy
     *
     * @param bytes the bytes, from their position to their limit
     */
    public static ByteBufferWire forReading(ByteBuffer bytes) {
        return new ByteBufferWire(bytes.slice());
    }

    /** {@return the bytes written so far, ready to read: position 0, limit the end} */
    public ByteBuffer flip() {
        return buffer.duplicate().flip();
    }

    private ByteBuffer room(int n) {
        if (buffer.remaining() < n) {
            long needed = (long) buffer.position() + n;
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8,
                    Math.max(needed, 2L * buffer.capacity()));
            if (capacity < needed) {
                throw new UnsendableException("a frame past 2 GiB");
            }
            ByteBuffer grown = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
            grown.put(buffer.flip());
            buffer = grown;
        }
        return buffer;
    }

    @Override
    public void writeByte(int b) {
        room(1).put((byte) b);
    }

    @Override
    public void writeBytes(byte[] src, int offset, int length) {
        room(length).put(src, offset, length);
    }

    @Override
    public void writeLongLE(long v) {
        room(8).putLong(v);
    }

    @Override
    public void writeIntLE(int v) {
        room(4).putInt(v);
    }

    @Override
    public long remaining() {
        return buffer.remaining();
    }

    @Override
    public int readByte() {
        try {
            return buffer.get() & 0xFF;
        } catch (BufferUnderflowException e) {
            throw ended(1);
        }
    }

    @Override
    public long readVarLong() {
        if (buffer.hasRemaining()) {
            byte b = buffer.get(buffer.position());
            if (b >= 0) {
                buffer.position(buffer.position() + 1);
                return b;
            }
        }
        return WireInput.super.readVarLong();
    }

    @Override
    public void readBytes(byte[] dst, int offset, int length) {
        try {
            buffer.get(dst, offset, length);
        } catch (BufferUnderflowException e) {
            throw ended(length);
        }
    }

    @Override
    public String readLatin1(int length) {
        if (!buffer.hasArray() || buffer.remaining() < length) {
            return WireInput.super.readLatin1(length);
        }
        int at = buffer.position();
        String s = new String(buffer.array(), buffer.arrayOffset() + at, length,
                java.nio.charset.StandardCharsets.ISO_8859_1);
        buffer.position(at + length);
        return s;
    }

    @Override
    public long readLongLE() {
        try {
            return buffer.getLong();
        } catch (BufferUnderflowException e) {
            throw ended(8);
        }
    }

    @Override
    public int readIntLE() {
        try {
            return buffer.getInt();
        } catch (BufferUnderflowException e) {
            throw ended(4);
        }
    }

    private WireFormatException ended(int needed) {
        return new WireFormatException("the frame ends early: " + needed + " bytes needed, "
                + buffer.remaining() + " left");
    }
}
