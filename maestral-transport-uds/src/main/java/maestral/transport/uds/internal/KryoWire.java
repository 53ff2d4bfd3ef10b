package maestral.transport.uds.internal;

import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import maestral.api.spi.WireFormatException;
import maestral.api.spi.WireInput;
import maestral.api.spi.WireOutput;

/**
 * The shared {@link maestral.api.spi.WireFormat} on Kryo's buffers: a Kryo {@link Output} to
 * write, a Kryo {@link Input} (over an array or, for a frame in direct memory, a
 * {@link com.esotericsoftware.kryo.io.ByteBufferInput}) to read.
 *
 * <p><b>Not thread-safe: one per {@link WireCodec} lease.</b>
 */
final class KryoWire implements WireOutput, WireInput {

    Output output;
    Input input;

    @Override
    public void writeByte(int b) {
        output.writeByte(b);
    }

    @Override
    public void writeBytes(byte[] src, int offset, int length) {
        output.writeBytes(src, offset, length);
    }

    @Override
    public void writeLongLE(long v) {
        output.writeLong(v); // Kryo 5 writes little-endian
    }

    @Override
    public void writeIntLE(int v) {
        output.writeInt(v);
    }

    @Override
    public void writeVarLong(long v) {
        if (v >>> 31 == 0) {
            output.writeVarInt((int) v, true); // Kryo's 1-5 byte form is LEB128
        } else {
            WireOutput.super.writeVarLong(v);
        }
    }

    @Override
    public long remaining() {
        return input.limit() - input.position();
    }

    @Override
    public int readByte() {
        need(1);
        return input.readByte() & 0xFF;
    }

    @Override
    public void readBytes(byte[] dst, int offset, int length) {
        need(length);
        input.readBytes(dst, offset, length);
    }

    @Override
    public String readLatin1(int length) {
        need(length);
        if (input instanceof com.esotericsoftware.kryo.io.ByteBufferInput) {
            return WireInput.super.readLatin1(length);
        }
        int at = input.position();
        String s = new String(input.getBuffer(), at, length, java.nio.charset.StandardCharsets.ISO_8859_1);
        input.setPosition(at + length);
        return s;
    }

    @Override
    public long readLongLE() {
        need(8);
        return input.readLong();
    }

    @Override
    public int readIntLE() {
        need(4);
        return input.readInt();
    }

    private void need(int n) {
        if (input.limit() - input.position() < n) {
            throw new WireFormatException("the frame ends early: " + n + " bytes needed, "
                    + remaining() + " left");
        }
    }

    /** Kryo's own failures on a frame, as the shared format's. */
    static WireFormatException malformed(KryoException e) {
        return new WireFormatException(e.getMessage(), e);
    }
}
