package maestral.transport.shm.internal;

import static maestral.transport.shm.internal.ShmDescriptor.*;

import java.nio.BufferOverflowException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Appends frames to a queue: a frame that fits one document is encoded straight into it; a
 * larger one (the write overflows Chronicle's limit of a quarter block) is rolled back,
 * encoded aside and appended as FRAGMENTs ({@link ShmDescriptor}).
 *
 * <p><b>Not thread-safe: the caller holds the lock of the appender it writes to.</b>
 */
final class FrameWriter {

    private static final int KEEP_ASIDE = 1 << 20;

    private final FrameCodec codec = new FrameCodec();
    private Bytes<byte[]> aside;

    /** {@return the codec it encodes with} */
    FrameCodec codec() {
        return codec;
    }

    /**
     * Appends one frame.
     *
     * @param appender the queue's appender
     * @param type the frame type
     * @param sessionId the session
     * @param correlationId the call, or 0
     * @param body the body, as {@link FrameCodec#writeBody} takes it
     * @throws UnsupportedValueException when the body cannot be carried; nothing was appended
     */
    void write(ExcerptAppender appender, int type, long sessionId, long correlationId, Object body) {
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> out = dc.wire().bytes();
            try {
                FrameCodec.writeHeader(out, type, sessionId, correlationId);
                codec.writeBody(out, type, body);
                return;
            } catch (BufferOverflowException e) {
                dc.rollbackOnClose(); // too large for one document: fragments below
            } catch (RuntimeException e) {
                dc.rollbackOnClose();
                throw e;
            }
        }
        writeFragmented(appender, type, sessionId, correlationId, body);
    }

    private void writeFragmented(ExcerptAppender appender, int type, long sessionId,
                                 long correlationId, Object body) {
        if (aside == null) {
            aside = Bytes.allocateElasticOnHeap(256 << 10);
        }
        Bytes<byte[]> b = aside;
        try {
            b.clear();
            codec.writeBody(b, type, body);
            long length = b.readRemaining();
            if (length > MAX_FRAME) {
                throw new UnsupportedValueException("a frame of " + length + " bytes is over the shm transport's limit of "
                        + (MAX_FRAME >> 20) + " MiB", null);
            }
            int count = (int) ((length + FRAGMENT_PAYLOAD - 1) / FRAGMENT_PAYLOAD);
            long start = b.readPosition();
            for (int i = 0; i < count; i++) {
                long offset = start + (long) i * FRAGMENT_PAYLOAD;
                long n = Math.min(FRAGMENT_PAYLOAD, start + length - offset);
                try (DocumentContext dc = appender.writingDocument()) {
                    Bytes<?> out = dc.wire().bytes();
                    FrameCodec.writeHeader(out, FRAGMENT, sessionId, correlationId);
                    out.writeInt(type);
                    out.writeInt(i);
                    out.writeInt(count);
                    out.write(b, offset, n);
                }
            }
        } finally {
            if (b.realCapacity() > KEEP_ASIDE) {
                aside.releaseLast();
                aside = null;
            } else {
                b.clear();
            }
        }
    }
}
