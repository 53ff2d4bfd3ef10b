package maestral.transport.uds.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import java.util.List;

/**
 * Cuts the byte stream into whole frames (see {@link FrameDescriptor}) and checks each header.
 * The length is checked as soon as its four bytes have arrived, before anything is buffered
 * for the frame; a bad length, an unknown type or non-zero reserved bytes raise a
 * {@link CorruptedFrameException}, after which the connection is closed and nothing more is
 * decoded.
 *
 * <p><b>One instance per channel, used on its event loop only.</b>
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private final int maxFrameBytes;
    private boolean failed;

    /**
     * Creates a decoder.
     *
     * @param maxFrameBytes the largest frame accepted, header included
     */
    public FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= FrameDescriptor.LENGTH_FIELD_LENGTH) {
            int start = in.readerIndex();
            int length = in.getInt(start + FrameDescriptor.LENGTH_OFFSET);
            if (length < FrameDescriptor.MIN_FRAME_LENGTH
                    || FrameDescriptor.totalSize(length) > maxFrameBytes) {
                throw fail("bad frame length " + Integer.toUnsignedString(length)
                        + " (signed " + length + "); allowed " + FrameDescriptor.MIN_FRAME_LENGTH
                        + " to " + (maxFrameBytes - FrameDescriptor.LENGTH_FIELD_LENGTH));
            }
            int total = length + FrameDescriptor.LENGTH_FIELD_LENGTH;
            if (in.readableBytes() < total) {
                return;
            }
            byte type = in.getByte(start + FrameDescriptor.TYPE_OFFSET);
            if (!FrameDescriptor.isKnownType(type)) {
                throw fail("unknown frame type " + (type & 0xff));
            }
            int reserved = in.getUnsignedMedium(start + FrameDescriptor.RESERVED_OFFSET);
            if (reserved != 0) {
                throw fail("reserved header bytes are not zero: 0x" + Integer.toHexString(reserved));
            }
            out.add(in.retainedSlice(start, total));
            in.skipBytes(total);
        }
    }

    private CorruptedFrameException fail(String why) {
        failed = true;
        return new CorruptedFrameException(why);
    }
}
