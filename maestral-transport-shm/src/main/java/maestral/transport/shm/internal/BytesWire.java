package maestral.transport.shm.internal;

import maestral.api.spi.WireOutput;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The shared {@link maestral.api.spi.WireFormat} written onto Chronicle {@link Bytes}, at the
 * write position: straight into a queue document, or aside for a frame sent as FRAGMENTs.
 * Chronicle's numbers are in native order, little-endian on every platform this transport runs
 * on. (Reading goes through one heap copy of a body, see {@link FrameCodec}.)
 *
 * <p><b>Not thread-safe: one per {@link FrameCodec}.</b>
 */
final class BytesWire implements WireOutput {

    Bytes<?> bytes;

    @Override
    public void writeByte(int b) {
        bytes.writeByte((byte) b);
    }

    @Override
    public void writeBytes(byte[] src, int offset, int length) {
        bytes.write(src, offset, length);
    }

    @Override
    public void writeLongLE(long v) {
        bytes.writeLong(v);
    }

    @Override
    public void writeIntLE(int v) {
        bytes.writeInt(v);
    }

    @Override
    public void writeVarLong(long v) {
        if (v >= 0) {
            bytes.writeStopBit(v); // Chronicle's stop-bit form of a non-negative number is LEB128
        } else {
            WireOutput.super.writeVarLong(v);
        }
    }
}
