package maestral.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The layout of the raw shared-memory ping-pong file, mapped by both JVMs:
 *
 * <pre>
 *   0                   64                  128                 192                 256
 *   +-------------------+-------------------+-------------------+-------------------+
 *   | request sequence  | reply sequence    | request message   | reply message     |
 *   | (long, own line)  | (long, own line)  | (64 bytes)        | (64 bytes)        |
 *   +-------------------+-------------------+-------------------+-------------------+
 * </pre>
 *
 * The caller writes its message, then publishes sequence {@code n} with a release store to
 * the request sequence; the echo side sees it with an acquire load, copies the message and
 * publishes {@code n} the same way to the reply sequence. Each sequence has a cache line of
 * its own so that the two writers never share one.
 */
public final class ShmPingPongDescriptor {

    /** Offset of the request sequence. */
    public static final long REQUEST_SEQUENCE = 0;
    /** Offset of the reply sequence. */
    public static final long REPLY_SEQUENCE = 64;
    /** Offset of the request message. */
    public static final long REQUEST_MESSAGE = 128;
    /** Offset of the reply message. */
    public static final long REPLY_MESSAGE = 192;
    /** The message size, in bytes. */
    public static final int MESSAGE = 64;
    /** The mapped size: one page. */
    public static final long SIZE = 4096;

    /** Acquire/release access to a sequence: coordinates (segment, offset). */
    public static final VarHandle SEQUENCE = ValueLayout.JAVA_LONG.varHandle();

    private ShmPingPongDescriptor() {
    }

    /**
     * Maps the file (creating it at its full size) for the lifetime of an arena.
     *
     * @param file the file
     * @param arena the arena that unmaps it when closed
     * @return the mapped segment
     * @throws IOException when it cannot be mapped
     */
    public static MemorySegment map(Path file, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() < SIZE) {
                ch.truncate(SIZE);
                ch.write(java.nio.ByteBuffer.allocate(1), SIZE - 1);
            }
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE, arena);
        }
    }

    /**
     * {@return a sequence read with acquire semantics}
     *
     * @param segment the mapping
     * @param offset {@link #REQUEST_SEQUENCE} or {@link #REPLY_SEQUENCE}
     */
    public static long getAcquire(MemorySegment segment, long offset) {
        return (long) SEQUENCE.getAcquire(segment, offset);
    }

    /**
     * Publishes a sequence with release semantics.
     *
     * @param segment the mapping
     * @param offset {@link #REQUEST_SEQUENCE} or {@link #REPLY_SEQUENCE}
     * @param value the new sequence
     */
    public static void setRelease(MemorySegment segment, long offset, long value) {
        SEQUENCE.setRelease(segment, offset, value);
    }
}
