package maestral.transport.shm.internal;

import static maestral.transport.shm.internal.ShmDescriptor.*;

import maestral.api.spi.UnsendableException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Appends frames to a queue. A frame is encoded straight into its document, limited to what
 * one document holds ({@link ShmDescriptor#FRAGMENT_PAYLOAD}). One that does not fit, or holds
 * a value of no wire type, is not rolled back (a rolled-back first document of a cycle keeps
 * Chronicle's tailers from finding the next cycle): its document becomes a VOID that readers
 * skip, and the frame is encoded aside, then appended as FRAGMENTs ({@link ShmDescriptor}), or
 * refused with the error of the frame limit.
 *
 * <p><b>Not thread-safe: the caller holds the lock of the appender it writes to.</b>
 */
final class FrameWriter {

    private static final int KEEP_ASIDE = 1 << 20;
    /**
     * The free space below which nothing is appended: a few queue blocks. Chronicle maps its
     * files sparse, and a page that a full tmpfs cannot back kills the process with SIGBUS
     * when first touched, so a nearly full folder must be refused before it is full.
     */
    static final long MIN_FREE_BYTES = 2 * ShmSettings.BLOCK_SIZE + (1 << 20);
    /** How often the free space is read again (a {@code statfs}, about a microsecond). */
    private static final long SPACE_CHECK_NANOS = 50_000_000L;

    private final FrameCodec codec = new FrameCodec();
    private Bytes<byte[]> aside = newAside();
    private java.nio.file.FileStore store;
    private java.nio.file.Path folder;
    private long spaceCheckedAt;
    private long usableBytes = Long.MAX_VALUE;

    /** {@return whether the frame went into one document}; else that document is a VOID */
    private boolean writeInPlace(ExcerptAppender appender, int type, long sessionId, long correlationId,
                                 Object body) {
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> out = dc.wire().bytes();
            long start = out.writePosition();
            FrameCodec.writeHeader(out, type, sessionId, correlationId);
            try {
                codec.writeBody(out, type, body, BODY_OFFSET + FRAGMENT_PAYLOAD);
                return true;
            } catch (UnsendableException e) {
                out.writePosition(start + BODY_OFFSET);
                out.writeInt(start + TYPE_OFFSET, VOID);
                return false;
            }
        }
    }

    private static Bytes<byte[]> newAside() {
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(4096);
        b.singleThreadedCheckDisabled(true); // used by one thread at a time, under a lock
        return b;
    }

    /**
     * Appends one frame.
     *
     * @param appender the queue's appender
     * @param type the frame type
     * @param sessionId the session
     * @param correlationId the call, or 0
     * @param body the body, as {@link FrameCodec#writeBody} takes it
     * @throws UnsendableException when the body cannot be carried (no wire type, or over the
     *     frame limit); nothing was appended
     * @throws java.io.UncheckedIOException when the queue file cannot grow (a full folder: the
     *     JVM reports the fault on the mapped page as an {@link InternalError})
     */
    void write(ExcerptAppender appender, int type, long sessionId, long correlationId, Object body) {
        requireSpace(appender, false);
        try {
            writeFrame(appender, type, sessionId, correlationId, body);
        } catch (InternalError e) {
            throw new java.io.UncheckedIOException(new java.io.IOException("cannot append to the shm queue: "
                    + "its folder is full or its file cannot grow (" + e.getMessage() + ")", e));
        }
    }

    /**
     * Refuses to append when the queue's folder is nearly full (see {@link #MIN_FREE_BYTES}).
     *
     * @param appender the queue's appender
     * @param fresh read the free space now, not up to 50 ms ago (before starting a cycle file)
     * @throws java.io.UncheckedIOException naming the folder and its free space
     */
    void requireSpace(ExcerptAppender appender, boolean fresh) {
        long now = System.nanoTime();
        if (fresh || store == null || now - spaceCheckedAt > SPACE_CHECK_NANOS) {
            try {
                if (store == null) {
                    folder = appender.queue().file().toPath();
                    store = java.nio.file.Files.getFileStore(folder);
                }
                usableBytes = store.getUsableSpace();
            } catch (java.io.IOException e) {
                usableBytes = Long.MAX_VALUE; // cannot tell: let the write itself report
            }
            spaceCheckedAt = now;
        }
        if (usableBytes < MIN_FREE_BYTES) {
            spaceCheckedAt = 0; // look again next time: space may have been freed
            throw new java.io.UncheckedIOException(new java.io.IOException("cannot append to the shm queue in "
                    + folder + ": its file system has " + usableBytes + " bytes free, below the "
                    + MIN_FREE_BYTES + " the transport keeps (a full folder would crash the process)"));
        }
    }

    private void writeFrame(ExcerptAppender appender, int type, long sessionId, long correlationId, Object body) {
        if (writeInPlace(appender, type, sessionId, correlationId, body)) {
            return;
        }
        Bytes<byte[]> b = aside;
        b.clear();
        try {
            codec.writeBody(b, type, body);
            long length = b.readRemaining();
            if (length <= FRAGMENT_PAYLOAD) {
                try (DocumentContext dc = appender.writingDocument()) {
                    Bytes<?> out = dc.wire().bytes();
                    FrameCodec.writeHeader(out, type, sessionId, correlationId);
                    out.write(b, b.readPosition(), length);
                }
                return;
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
                b.releaseLast();
                aside = newAside();
            } else {
                b.clear();
            }
        }
    }
}
