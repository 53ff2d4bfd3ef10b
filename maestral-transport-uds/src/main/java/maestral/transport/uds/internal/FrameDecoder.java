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
            String bad = FrameDescriptor.lengthProblem(length, maxFrameBytes);
            if (bad != null) {
                throw fail(bad);
            }
            int total = length + FrameDescriptor.LENGTH_FIELD_LENGTH;
            if (in.readableBytes() < total) {
                return;
            }
            bad = FrameDescriptor.headerProblem(in.getByte(start + FrameDescriptor.TYPE_OFFSET),
                    in.getUnsignedMedium(start + FrameDescriptor.RESERVED_OFFSET));
            if (bad != null) {
                throw fail(bad);
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
