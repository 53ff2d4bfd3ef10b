package maestral.api.spi;

/**
 * What {@link WireFormat} reads from: the counterpart of {@link WireOutput}. Every read past
 * the end throws {@link WireFormatException}; {@link #remaining()} lets the format check a
 * length before it allocates anything for it.
 *
 * <p><b>Not thread-safe.</b>
 */
public interface WireInput {

    /** {@return the bytes left to read} */
    long remaining();

    /** {@return one byte, {@code 0} to {@code 255}} */
    int readByte();

    /**
     * Reads bytes.
     *
     * @param dst where to put them
     * @param offset the first place
     * @param length how many
     */
    void readBytes(byte[] dst, int offset, int length);

    /**
     * {@return the next {@code length} bytes as a Latin-1 string}; the default reads them into
     * a temporary array, a buffer backed by an array of its own builds the string from it at
     * once
     *
     * @param length how many bytes, at most {@link #remaining()}
     */
    default String readLatin1(int length) {
        byte[] b = new byte[length];
        readBytes(b, 0, length);
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** {@return 8 bytes, little-endian} */
    long readLongLE();

    /** {@return 4 bytes, little-endian} */
    int readIntLE();

    /**
     * {@return an unsigned LEB128 number, as {@link WireOutput#writeVarLong} writes it}
     *
     * @throws WireFormatException when it runs past 10 bytes or the end
     */
    default long readVarLong() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new WireFormatException("a variable-length number longer than 10 bytes");
    }
}
