package maestral.api.spi;

/**
 * Where {@link WireFormat} writes: a transport's buffer (a Kryo {@code Output}, Chronicle
 * {@code Bytes}, a {@link java.nio.ByteBuffer} through {@link ByteBufferWire}). Only these
 * primitives are needed; the format above them is the {@link WireModel}'s.
 *
 * <p><b>Not thread-safe.</b>
 */
public interface WireOutput {

    /**
     * Writes one byte.
     *
     * @param b the byte, in the low 8 bits
     */
    void writeByte(int b);

    /**
     * Writes bytes.
     *
     * @param src where they are
     * @param offset the first one
     * @param length how many
     */
    void writeBytes(byte[] src, int offset, int length);

    /**
     * Writes 8 bytes, little-endian.
     *
     * @param v the value
     */
    void writeLongLE(long v);

    /**
     * Writes 4 bytes, little-endian.
     *
     * @param v the value
     */
    void writeIntLE(int v);

    /**
     * Writes an unsigned LEB128 number: 7 bits a byte, the low bits first, the high bit set on
     * every byte but the last. The default writes byte by byte; a buffer with its own LEB128
     * writer may use it.
     *
     * @param v the value, taken as unsigned
     */
    default void writeVarLong(long v) {
        while ((v & ~0x7FL) != 0) {
            writeByte((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        writeByte((int) v);
    }
}
