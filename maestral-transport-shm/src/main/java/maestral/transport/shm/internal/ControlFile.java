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
 * The mapped control file {@code server.ctl} of {@link ShmDescriptor}: the server writes its
 * header once, before any client can find it, and flips its state when it closes; every client
 * maps it, reads the state before each call (so a closed server is seen at once even before
 * its files are gone), claims a session slot in it and rings its doorbell. Every shared word is
 * read and written with volatile or atomic accesses; the futex words are woken through
 * {@link Futex}.
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class ControlFile implements AutoCloseable {

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_AT = LONG.varHandle();
    private static final VarHandle INT_AT = INT.varHandle();

    private final Arena arena;
    private final MemorySegment segment;
    private final Path path;
    private final boolean unmapOnClose;

    private ControlFile(Arena arena, MemorySegment segment, Path path, boolean unmapOnClose) {
        this.arena = arena;
        this.unmapOnClose = unmapOnClose;
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
            ch.truncate(CONTROL_LENGTH);
            ch.write(java.nio.ByteBuffer.allocate(1), CONTROL_LENGTH - 1); // the slots, all empty
            ch.position(0);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(CONTROL_SLOTS_START).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(CONTROL_MAGIC_OFFSET, CONTROL_MAGIC);
            b.putLong(CONTROL_STATE_OFFSET, STATE_RUNNING);
            b.putLong(CONTROL_PID_OFFSET, pid);
            b.putLong(CONTROL_START_OFFSET, startMillis);
            b.putLong(CONTROL_NONCE_OFFSET, nonce);
            b.putInt(CONTROL_SLOTS_OFFSET, MAX_SESSIONS);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        try {
            Files.move(aside, path, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(aside, path, StandardCopyOption.REPLACE_EXISTING);
        }
        return map(path, Arena.ofShared(), true);
    }

    /**
     * Maps an existing control file, for reading and for claiming sessions. A client's mapping
     * is released by the garbage collector, not by {@link #close()}: closing a shared mapping
     * makes the JVM stop every thread for a handshake (measured here: about a millisecond of
     * each connect on a busy machine), and a client may connect and close many times.
     *
     * @param path the file
     * @return the mapped file
     * @throws IOException when it is missing, too short, or not a control file
     */
    public static ControlFile open(Path path) throws IOException {
        ControlFile f = map(path, Arena.ofAuto(), false);
        if (f.magic() != CONTROL_MAGIC || f.getInt(CONTROL_SLOTS_OFFSET) != MAX_SESSIONS) {
            f.close();
            throw new IOException(path + " is not a maestral shm control file");
        }
        return f;
    }

    private static ControlFile map(Path path, Arena arena, boolean unmapOnClose) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (ch.size() < CONTROL_LENGTH) {
                throw new IOException(path + " is too short for a control file: " + ch.size() + " bytes");
            }
            try {
                MemorySegment s = ch.map(FileChannel.MapMode.READ_WRITE, 0, CONTROL_LENGTH, arena);
                return new ControlFile(arena, s, path, unmapOnClose);
            } catch (IOException | RuntimeException e) {
                if (unmapOnClose) {
                    closeArena(arena);
                }
                throw e;
            }
        }
    }

    private static void closeArena(Arena arena) {
        try {
            arena.close();
        } catch (UnsupportedOperationException e) {
            // an automatic arena: the garbage collector unmaps it
        }
    }

    private long get(long offset) {
        return (long) LONG_AT.getVolatile(segment, offset);
    }

    private int getInt(long offset) {
        return (int) INT_AT.getVolatile(segment, offset);
    }

    private void setInt(long offset, int value) {
        INT_AT.setVolatile(segment, offset, value);
    }

    private static long slot(int index, int field) {
        return CONTROL_SLOTS_START + (long) index * SLOT_LENGTH + field;
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

    // ---- the doorbell ----------------------------------------------------------------

    /**
     * Tells the server that a slot's request queue holds new frames: sets the slot's bit, adds
     * one to the bell, and wakes the server if it sleeps.
     *
     * @param index the slot
     */
    public void ring(int index) {
        long word = CONTROL_BITMAP_OFFSET + (long) (index >>> 6) * Long.BYTES;
        long bit = 1L << (index & 63);
        if (((long) LONG_AT.getVolatile(segment, word) & bit) == 0) {
            LONG_AT.getAndBitwiseOr(segment, word, bit);
        }
        INT_AT.getAndAdd(segment, (long) CONTROL_BELL_OFFSET, 1);
        if (getInt(CONTROL_SLEEPING_OFFSET) != 0) {
            Futex.wake(segment, CONTROL_BELL_OFFSET);
        }
    }

    /**
     * Takes the bits rung since the last call and adds them to {@code ready}.
     *
     * @param ready one long per 64 slots
     * @return whether any bit was rung
     */
    public boolean takeRung(long[] ready) {
        boolean any = false;
        for (int i = 0; i < ready.length; i++) {
            long word = CONTROL_BITMAP_OFFSET + (long) i * Long.BYTES;
            if ((long) LONG_AT.getVolatile(segment, word) != 0) {
                ready[i] |= (long) LONG_AT.getAndSet(segment, word, 0L);
                any = true;
            }
        }
        return any;
    }

    /**
     * The server sleeps until a client rings, or the timeout.
     *
     * @param words how many bitmap words to look at
     * @param timeoutNanos the longest sleep
     */
    public void awaitRing(int words, long timeoutNanos) {
        setInt(CONTROL_SLEEPING_OFFSET, 1);
        int seen = getInt(CONTROL_BELL_OFFSET);
        boolean rung = false;
        for (int i = 0; i < words && !rung; i++) {
            rung = (long) LONG_AT.getVolatile(segment, CONTROL_BITMAP_OFFSET + (long) i * Long.BYTES) != 0;
        }
        if (!rung && running()) {
            Futex.await(segment, CONTROL_BELL_OFFSET, seen, timeoutNanos);
        }
        setInt(CONTROL_SLEEPING_OFFSET, 0);
    }

    /** Wakes a server sleeping in {@link #awaitRing}, such as when it closes. */
    public void wakeServer() {
        INT_AT.getAndAdd(segment, (long) CONTROL_BELL_OFFSET, 1);
        Futex.wake(segment, CONTROL_BELL_OFFSET);
    }

    // ---- the pool of ready sessions ---------------------------------------------------

    /** {@return the counter of requests for ready sessions} */
    public int wanted() {
        return getInt(CONTROL_WANTED_OFFSET);
    }

    /** A client asks the server for another ready session and wakes it. */
    public void askForSession() {
        INT_AT.getAndAdd(segment, (long) CONTROL_WANTED_OFFSET, 1);
        Futex.wake(segment, CONTROL_WANTED_OFFSET);
    }

    /**
     * The server waits until a client asks for a session, or the timeout.
     *
     * @param seen the counter as last seen
     * @param timeoutNanos the longest wait
     */
    public void awaitWanted(int seen, long timeoutNanos) {
        Futex.await(segment, CONTROL_WANTED_OFFSET, seen, timeoutNanos);
    }

    /** {@return the counter of sessions made ready} */
    public int provisioned() {
        return getInt(CONTROL_PROVISIONED_OFFSET);
    }

    /** The server says a session became ready, waking clients waiting for one. */
    public void announceReady() {
        INT_AT.getAndAdd(segment, (long) CONTROL_PROVISIONED_OFFSET, 1);
        Futex.wake(segment, CONTROL_PROVISIONED_OFFSET);
    }

    /**
     * A client waits until the server makes a session ready, or the timeout.
     *
     * @param seen the counter as last seen
     * @param timeoutNanos the longest wait
     */
    public void awaitReady(int seen, long timeoutNanos) {
        Futex.await(segment, CONTROL_PROVISIONED_OFFSET, seen, timeoutNanos);
    }

    // ---- slots ----------------------------------------------------------------------

    /**
     * {@return a slot's state: {@link ShmDescriptor#SLOT_EMPTY}, {@link ShmDescriptor#SLOT_READY}
     * or a claim ({@link #claim})}
     *
     * @param index the slot
     */
    public long slotState(int index) {
        return get(slot(index, SLOT_STATE));
    }

    /**
     * {@return the state of a slot claimed by that process}
     *
     * @param pid the claiming process
     */
    public static long claim(long pid) {
        return pid << 8 | SLOT_CLAIMED;
    }

    /**
     * {@return the claiming process of a state, or 0 when it is no claim}
     *
     * @param state a slot's state
     */
    public static long claimant(long state) {
        return (state & 0xFF) == SLOT_CLAIMED ? state >>> 8 : 0;
    }

    /**
     * Changes a slot's state when it is as expected.
     *
     * @param index the slot
     * @param expected the state it must have
     * @param state the new state
     * @return whether it changed
     */
    public boolean compareAndSetSlot(int index, long expected, long state) {
        return LONG_AT.compareAndSet(segment, slot(index, SLOT_STATE), expected, state);
    }

    /**
     * Sets a slot's state (the server, for a slot no client can change).
     *
     * @param index the slot
     * @param state the new state
     */
    public void setSlotState(int index, long state) {
        LONG_AT.setVolatile(segment, slot(index, SLOT_STATE), state);
    }

    /**
     * {@return a slot's incarnation}
     *
     * @param index the slot
     */
    public int incarnation(int index) {
        return getInt(slot(index, SLOT_INCARNATION));
    }

    /**
     * Sets a slot's incarnation (the server, before the slot is ready).
     *
     * @param index the slot
     * @param incarnation its new incarnation
     */
    public void setIncarnation(int index, int incarnation) {
        setInt(slot(index, SLOT_INCARNATION), incarnation);
    }

    /**
     * {@return the session id of a slot's last or current claim}
     *
     * @param index the slot
     */
    public long session(int index) {
        return get(slot(index, SLOT_SESSION));
    }

    /**
     * Records who claimed a slot (the claiming client).
     *
     * @param index the slot
     * @param sessionId the new session's id
     * @param ownerStartMillis the client process's start instant, 0 when unknown
     */
    public void setOwner(int index, long sessionId, long ownerStartMillis) {
        LONG_AT.setVolatile(segment, slot(index, SLOT_OWNER_START), ownerStartMillis);
        LONG_AT.setVolatile(segment, slot(index, SLOT_SESSION), sessionId);
    }

    /**
     * Forgets the start instant of a slot's last owner (the server, before the slot is ready
     * again), so that the next claimant is not judged by its predecessor's start instant.
     *
     * @param index the slot
     */
    public void clearOwnerStart(int index) {
        LONG_AT.setVolatile(segment, slot(index, SLOT_OWNER_START), 0L);
    }

    /**
     * {@return the start instant of a slot's owner, 0 when unknown}
     *
     * @param index the slot
     */
    public long ownerStart(int index) {
        return get(slot(index, SLOT_OWNER_START));
    }

    /**
     * {@return a slot's reply sequence}
     *
     * @param index the slot
     */
    public int replySeq(int index) {
        return getInt(slot(index, SLOT_REPLY_SEQ));
    }

    /**
     * The server appended an answer: adds one to the slot's reply sequence and wakes its
     * client if it waits.
     *
     * @param index the slot
     */
    public void replied(int index) {
        INT_AT.getAndAdd(segment, slot(index, SLOT_REPLY_SEQ), 1);
        if (getInt(slot(index, SLOT_WAITING)) != 0) {
            Futex.wake(segment, slot(index, SLOT_REPLY_SEQ));
        }
    }

    /**
     * The client waits until the server answers, or the timeout. The caller checks the reply
     * queue again after {@code seen} was read and before this is called.
     *
     * @param index the slot
     * @param seen the reply sequence read before the last look at the queue
     * @param timeoutNanos the longest wait
     */
    public void awaitReply(int index, int seen, long timeoutNanos) {
        Futex.await(segment, slot(index, SLOT_REPLY_SEQ), seen, timeoutNanos);
    }

    /**
     * Says whether the client is about to wait for an answer.
     *
     * @param index the slot
     * @param waiting whether it waits
     */
    public void setWaiting(int index, boolean waiting) {
        setInt(slot(index, SLOT_WAITING), waiting ? 1 : 0);
    }

    /**
     * Wakes a client thread waiting in {@link #awaitReply}, such as when the connection fails.
     *
     * @param index the slot
     */
    public void wakeReplyWaiter(int index) {
        Futex.wake(segment, slot(index, SLOT_REPLY_SEQ));
    }

    /** Unmaps the file (the server's mapping; a client's goes with the garbage collector); the file stays. */
    @Override
    public void close() {
        if (unmapOnClose) {
            closeArena(arena);
        }
    }
}
