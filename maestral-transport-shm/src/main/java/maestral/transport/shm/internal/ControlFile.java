package maestral.transport.shm.internal;

import static maestral.transport.shm.internal.ShmDescriptor.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The mapped control file {@code server.ctl} of {@link ShmDescriptor}: the server writes it
 * once, before any client can find it, and flips its state when it closes; every client maps
 * it and reads the state before each call, so a closed server is seen at once even before
 * its files are gone.
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class ControlFile implements AutoCloseable {

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_AT = LONG.varHandle();

    private final Arena arena;
    private final MemorySegment segment;
    private final Path path;

    private ControlFile(Arena arena, MemorySegment segment, Path path) {
        this.arena = arena;
        this.segment = segment;
        this.path = path;
    }

    /**
     * Writes a new control file in the running state and maps it. It is written aside and
     * moved into place, so that a client never sees half of it.
     *
     * @param path where it goes
     * @param pid the server's pid
     * @param startMillis the server process's start instant in epoch ms, 0 when unknown
     * @param nonce the server instance's random nonce
     * @return the mapped file
     * @throws IOException when it cannot be written
     */
    public static ControlFile publish(Path path, long pid, long startMillis, long nonce) throws IOException {
        Path aside = path.resolveSibling(path.getFileName() + ".new");
        try (FileChannel ch = FileChannel.open(aside, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(CONTROL_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(CONTROL_MAGIC_OFFSET, CONTROL_MAGIC);
            b.putLong(CONTROL_STATE_OFFSET, STATE_RUNNING);
            b.putLong(CONTROL_PID_OFFSET, pid);
            b.putLong(CONTROL_START_OFFSET, startMillis);
            b.putLong(CONTROL_NONCE_OFFSET, nonce);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        try {
            Files.move(aside, path, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(aside, path, StandardCopyOption.REPLACE_EXISTING);
        }
        return map(path, true);
    }

    /**
     * Maps an existing control file for reading.
     *
     * @param path the file
     * @return the mapped file
     * @throws IOException when it is missing, too short, or not a control file
     */
    public static ControlFile open(Path path) throws IOException {
        ControlFile f = map(path, false);
        if (f.magic() != CONTROL_MAGIC) {
            f.close();
            throw new IOException(path + " is not a maestral shm control file");
        }
        return f;
    }

    private static ControlFile map(Path path, boolean writable) throws IOException {
        try (FileChannel ch = writable
                ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(path, StandardOpenOption.READ)) {
            if (ch.size() < CONTROL_LENGTH) {
                throw new IOException(path + " is too short for a control file: " + ch.size() + " bytes");
            }
            Arena arena = Arena.ofShared();
            try {
                MemorySegment s = ch.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY,
                        0, CONTROL_LENGTH, arena);
                return new ControlFile(arena, s, path);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    private long get(int offset) {
        return (long) LONG_AT.getVolatile(segment, (long) offset);
    }

    /** {@return the magic number} */
    public long magic() {
        return get(CONTROL_MAGIC_OFFSET);
    }

    /** {@return the state: {@link ShmDescriptor#STATE_RUNNING} or {@link ShmDescriptor#STATE_CLOSED}} */
    public long state() {
        return get(CONTROL_STATE_OFFSET);
    }

    /** {@return whether the server says it serves} */
    public boolean running() {
        return state() == STATE_RUNNING;
    }

    /** {@return the server's pid} */
    public long pid() {
        return get(CONTROL_PID_OFFSET);
    }

    /** {@return the server process's start instant in epoch ms, 0 when unknown} */
    public long startMillis() {
        return get(CONTROL_START_OFFSET);
    }

    /** {@return the server instance's nonce} */
    public long nonce() {
        return get(CONTROL_NONCE_OFFSET);
    }

    /** {@return the file} */
    public Path path() {
        return path;
    }

    /** Marks the server closed; every client sees it at its next call. */
    public void markClosed() {
        LONG_AT.setVolatile(segment, (long) CONTROL_STATE_OFFSET, STATE_CLOSED);
    }

    /** Unmaps the file; the file itself stays. */
    @Override
    public void close() {
        arena.close();
    }
}
