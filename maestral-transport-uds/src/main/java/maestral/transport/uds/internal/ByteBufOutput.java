package maestral.transport.uds.internal;

import com.esotericsoftware.kryo.io.ByteBufferOutput;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import io.netty.buffer.ByteBuf;
import java.nio.ByteOrder;

/**
 * A Kryo output that writes straight into a Netty {@link ByteBuf} (direct memory, where the
 * socket write takes it from), growing the buffer itself when a frame needs more: no heap
 * array in between, no copy at the end.
 *
 * <p><b>Not thread-safe: one per {@link WireCodec} lease.</b>
 */
final class ByteBufOutput extends ByteBufferOutput {

    private ByteBuf buf;

    /**
     * Points this output at a buffer.
     *
     * @param target where to write, from index 0; its capacity may grow
     * @param start the first index written (after a frame header)
     * @param maxBytes the most the frame may take, header included
     */
    void start(ByteBuf target, int start, int maxBytes) {
        this.buf = target;
        setBuffer(target.nioBuffer(0, target.capacity()).order(ByteOrder.LITTLE_ENDIAN), maxBytes);
        setPosition(start);
    }

    /** {@return the buffer, its writer index at the end of what was written}; detaches it */
    ByteBuf finish() {
        ByteBuf done = buf.writerIndex(position);
        buf = null;
        return done;
    }

    /** {@return the buffer being written, for releasing it when the frame is given up} */
    ByteBuf target() {
        return buf;
    }

    @Override
    protected boolean require(int required) {
        if (capacity - position >= required) {
            return false;
        }
        if (required > maxCapacity - position) {
            throw new KryoBufferOverflowException("Buffer overflow. Max capacity: " + maxCapacity
                    + ", required: " + required);
        }
        int grown = (int) Math.min(maxCapacity, Math.max((long) position + required, 2L * capacity));
        buf.capacity(grown); // Netty moves what was written to the larger memory
        byteBuffer = buf.nioBuffer(0, grown).order(ByteOrder.LITTLE_ENDIAN);
        byteBuffer.position(position);
        capacity = grown;
        return true;
    }
}
