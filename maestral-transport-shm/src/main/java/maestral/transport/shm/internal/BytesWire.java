package maestral.transport.shm.internal;

import maestral.api.spi.WireFormatException;
import maestral.api.spi.WireInput;
import maestral.api.spi.WireOutput;
import net.openhft.chronicle.bytes.Bytes;

/**
 * The shared {@link maestral.api.spi.WireFormat} on Chronicle {@link Bytes}: writes at the
 * write position, reads from the read position, checking every read against
 * {@code readRemaining()}. Chronicle's numbers are in native order, little-endian on every
 * platform this transport runs on.
 *
 * <p><b>Not thread-safe: one per {@link FrameCodec}.</b>
 */
final class BytesWire implements WireOutput, WireInput {

    Bytes<?> bytes;
    private byte[] scratch = new byte[256];

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

    @Override
    public long remaining() {
        return bytes.readRemaining();
    }

    @Override
    public int readByte() {
        need(1);
        return bytes.readUnsignedByte();
    }

    @Override
    public void readBytes(byte[] dst, int offset, int length) {
        need(length);
        bytes.read(dst, offset, length);
    }

    @Override
    public String readLatin1(int length) {
        need(length);
        byte[] b = length <= scratch.length ? scratch : new byte[length];
        bytes.read(b, 0, length);
        if (length <= 4096 && b != scratch) {
            scratch = b;
        }
        return new String(b, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Override
    public long readLongLE() {
        need(8);
        return bytes.readLong();
    }

    @Override
    public int readIntLE() {
        need(4);
        return bytes.readInt();
    }

    private void need(long n) {
        if (bytes.readRemaining() < n) {
            throw new WireFormatException("the frame ends early: " + n + " bytes needed, "
                    + bytes.readRemaining() + " left");
        }
    }
}
