package maestral.transport.uds.internal;

/**
 * The layout of one frame on the socket. Every exchange, in both directions, is a sequence of
 * frames; all integers are big-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |        frame length: bytes after this field (int32)           |  0  LENGTH_OFFSET
 *  +---------------+-----------------------------------------------+
 *  |  frame type   |         reserved, always zero (3 bytes)       |  4  TYPE_OFFSET, RESERVED_OFFSET
 *  +---------------+-----------------------------------------------+
 *  |                                                               |  8  CORRELATION_OFFSET
 *  +              correlation id (int64)                           +
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        payload: Kryo + WireFormat, see WireRegistry          ...  16 PAYLOAD_OFFSET
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>{@link #HELLO}: client to server, first frame, payload a {@code Handshake};
 *       correlation id 0;</li>
 *   <li>{@link #HELLO_REPLY}: server to client, answer to it: the server's {@code Handshake}
 *       and a refusal text, {@code null} when the client is accepted;</li>
 *   <li>{@link #CALL}: client to server, a {@code MethodCall} under a correlation id the client
 *       chose;</li>
 *   <li>{@link #RESULT}: server to client, the {@code CallResult} of the call with that
 *       correlation id.</li>
 * </ul>
 *
 * <p>A frame length below {@link #MIN_FRAME_LENGTH} or above the configured maximum, an
 * unknown type, a non-zero reserved byte, a frame out of order or an undecodable payload makes
 * the receiver close that connection; the check of the length comes before anything is
 * allocated for the frame.
 */
public final class FrameDescriptor {

    /** Offset of the frame length, an int32 counting the bytes that follow it. */
    public static final int LENGTH_OFFSET = 0;
    /** Size of the frame length field. */
    public static final int LENGTH_FIELD_LENGTH = 4;
    /** Offset of the frame type, one byte. */
    public static final int TYPE_OFFSET = 4;
    /** Offset of the three reserved bytes, which are zero. */
    public static final int RESERVED_OFFSET = 5;
    /** Number of reserved bytes. */
    public static final int RESERVED_LENGTH = 3;
    /** Offset of the correlation id, an int64. */
    public static final int CORRELATION_OFFSET = 8;
    /** Offset of the payload; also the length of the header. */
    public static final int PAYLOAD_OFFSET = 16;
    /** Length of the header, up to the payload. */
    public static final int HEADER_LENGTH = PAYLOAD_OFFSET;
    /** The smallest valid frame length: a header with an empty payload, less the length field. */
    public static final int MIN_FRAME_LENGTH = HEADER_LENGTH - LENGTH_FIELD_LENGTH;

    /** Frame type: the client's handshake. */
    public static final byte HELLO = 1;
    /** Frame type: the server's answer to the handshake. */
    public static final byte HELLO_REPLY = 2;
    /** Frame type: a call. */
    public static final byte CALL = 3;
    /** Frame type: the result of a call. */
    public static final byte RESULT = 4;

    /** The default largest frame, header included: {@link maestral.api.spi.FrameLimit#DEFAULT}. */
    public static final int DEFAULT_MAX_FRAME_BYTES = maestral.api.spi.FrameLimit.DEFAULT;

    private FrameDescriptor() {
    }

    /**
     * {@return whether it is a known frame type}
     *
     * @param type a frame type byte
     */
    public static boolean isKnownType(byte type) {
        return type >= HELLO && type <= RESULT;
    }

    /**
     * {@return the name of a frame type, for messages}
     *
     * @param type a frame type byte
     */
    public static String typeName(byte type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case HELLO_REPLY -> "HELLO_REPLY";
            case CALL -> "CALL";
            case RESULT -> "RESULT";
            default -> "unknown type " + (type & 0xff);
        };
    }

    /**
     * {@return why a frame length is refused, or {@code null} when it is acceptable}; checked
     * before anything is allocated for the frame
     *
     * @param length the value of the length field
     * @param maxFrameBytes the largest frame, header included
     */
    public static String lengthProblem(int length, int maxFrameBytes) {
        if (length < MIN_FRAME_LENGTH || totalSize(length) > maxFrameBytes) {
            return "bad frame length " + Integer.toUnsignedString(length) + " (signed " + length
                    + "); allowed " + MIN_FRAME_LENGTH + " to " + (maxFrameBytes - LENGTH_FIELD_LENGTH);
        }
        return null;
    }

    /**
     * {@return why a frame's type and reserved bytes are refused, or {@code null} when they are acceptable}
     *
     * @param type the type byte
     * @param reserved the three reserved bytes as an unsigned number
     */
    public static String headerProblem(byte type, int reserved) {
        if (!isKnownType(type)) {
            return "unknown frame type " + (type & 0xff);
        }
        if (reserved != 0) {
            return "reserved header bytes are not zero: 0x" + Integer.toHexString(reserved);
        }
        return null;
    }

    /**
     * {@return the total size of a frame, length field included, for a frame length}
     *
     * @param frameLength the value of the length field
     */
    public static long totalSize(int frameLength) {
        return (long) frameLength + LENGTH_FIELD_LENGTH;
    }
}
