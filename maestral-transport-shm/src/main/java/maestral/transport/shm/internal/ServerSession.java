package maestral.transport.shm.internal;

import static maestral.transport.shm.internal.ShmDescriptor.*;

import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import maestral.api.spi.CallResult;
import maestral.api.spi.FrameLimit;
import maestral.api.spi.Handshake;
import maestral.api.spi.UnsendableException;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of one session slot: the session's two queues, opened once when the slot
 * is made ready and kept open while clients claim it one after another, the one tailer that
 * reads the requests and the one appender that writes the answers. {@link #begin} and
 * {@link #end} mark one client's use; after {@link #seal} nothing is written any more, so a
 * late answer can never bring a removed queue back.
 *
 * <p><b>Safe for use by many threads at once</b>: writes are serialised by its lock; the
 * tailer is read only by the holder of the server's poll lock.
 */
final class ServerSession {

    private static final Logger LOG = LoggerFactory.getLogger(ServerSession.class);

    final int slot;
    final int incarnation;
    final Path dir;
    final ExcerptTailer tailer;
    final ConsumedCycleJanitor janitor = new ConsumedCycleJanitor();

    private final ControlFile control;
    private final ReentrantLock lock = new ReentrantLock();
    private final FrameWriter writer = new FrameWriter();
    private final ChronicleQueue requests;
    private final ChronicleQueue replies;
    private final ExcerptAppender appender;
    private final PageToucher toucher = new PageToucher();
    private boolean closed;
    private volatile long replyCount;
    /** The session of the client using it now, 0 when none. */
    private volatile long sessionId;
    private volatile Handshake hello;
    private volatile Peer peer;
    int readerCycle = Integer.MIN_VALUE;
    /** When it last became ready for a client, in {@link System#nanoTime()}. */
    private volatile long readySince = System.nanoTime();

    /**
     * Creates the session's folder and queues and touches their first pages.
     *
     * @param control the control file
     * @param slot the slot
     * @param incarnation the slot's new incarnation
     * @param dir the session's folder, created here
     * @param settings the tunables
     */
    ServerSession(ControlFile control, int slot, int incarnation, Path dir, ShmSettings settings)
            throws java.io.IOException {
        this.control = control;
        this.slot = slot;
        this.incarnation = incarnation;
        this.dir = dir;
        FileTrees.createPrivateDirectory(dir);
        ChronicleQueue rq = null;
        ChronicleQueue rp = null;
        try {
            rq = Queues.open(dir.resolve(REQUESTS), settings, janitor);
            rp = Queues.open(dir.resolve(REPLIES), settings, null);
            this.requests = rq;
            this.replies = rp;
            this.tailer = rq.createTailer();
            tailer.singleThreadedCheckDisabled(true);
            this.appender = rp.createAppender();
            appender.singleThreadedCheckDisabled(true);
        } catch (RuntimeException e) {
            if (rq != null) {
                rq.close();
            }
            if (rp != null) {
                rp.close();
            }
            throw e;
        }
    }

    /**
     * Starts a client's use of the slot.
     *
     * @param sessionId the client's session
     * @param hello its handshake
     */
    void begin(long sessionId, Handshake hello) {
        this.hello = hello;
        this.peer = null;
        this.sessionId = sessionId;
    }

    /**
     * Keeps the looked-up process of the slot's claimant, if it is the admitted client's.
     *
     * @param claimant the process that claimed the slot
     */
    void knowPeer(Peer claimant) {
        if (sessionId != 0) {
            peer = claimant;
        }
    }

    /** {@return the slot's state in the control file} */
    long claimedState() {
        return control.slotState(slot);
    }

    /** Ends the client's use of the slot. */
    void end() {
        sessionId = 0;
        peer = null;
    }

    /** Notes that the slot is ready for a client again from now. */
    void markReady() {
        readySince = System.nanoTime();
    }

    /** {@return when it last became ready for a client, in {@link System#nanoTime()}} */
    long readySince() {
        return readySince;
    }

    /** {@return the session of the client using the slot, 0 when none} */
    long sessionId() {
        return sessionId;
    }

    /** {@return the process of the client using the slot, or {@code null}} */
    Peer peer() {
        return peer;
    }

    /** {@return the handshake of the client using the slot, or {@code null}} */
    Handshake hello() {
        return hello;
    }

    /**
     * Sends the answer to a call; a value the transport cannot carry is answered with an
     * error instead.
     *
     * @param session the session the call came from: no answer goes to a later one
     * @param correlationId the call
     * @param result its result
     * @return whether it was written (not after close or the session's end)
     */
    boolean reply(long session, long correlationId, CallResult result) {
        lock.lock();
        try {
            if (closed || session != sessionId) {
                return false;
            }
            replyCount++;
            try {
                writer.write(appender, REPLY, session, correlationId, result);
            } catch (UnsendableException e) {
                writer.write(appender, REPLY, session, correlationId, FrameLimit.cannotAnswer(e));
            }
            control.replied(slot);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("could not answer call {} of session {}: {}", correlationId, Long.toHexString(session), e.toString());
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends a frame whose body is a handshake, a string or nothing.
     *
     * @param type WELCOME, REFUSED, BYE_ACK or GOODBYE
     * @param session the session it goes to
     * @param body the body, as {@link FrameCodec#writeBody} takes it
     * @return whether it was written
     */
    boolean send(int type, long session, Object body) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            writer.write(appender, type, session, 0, body);
            control.replied(slot);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("could not send {} to session {}: {}", typeName(type), Long.toHexString(session), e.toString());
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many answers it has sent, to tell a session in use from an idle one} */
    long replies() {
        return replyCount;
    }

    /**
     * Keeps the answers' path warm while no call needs it: moves the writer into a new cycle
     * if it is behind, and touches the pages ahead of it ({@link PageToucher}).
     */
    void preRoll() {
        if (!lock.tryLock()) {
            return;
        }
        try {
            if (!closed) {
                writer.requireSpace(appender, true);
                PreRoll.roll(replies, appender);
                toucher.touchAhead(appender);
            }
        } catch (RuntimeException e) {
            LOG.debug("could not roll ahead: {}", e.toString());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends a last frame to the client using it, if any; nothing is written after this.
     *
     * @param lastType the last frame's type, or 0 for none
     * @param text its text, or {@code null}
     */
    void seal(int lastType, String text) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            long s = sessionId;
            if (lastType != 0 && s != 0) {
                send(lastType, s, text);
            }
            closed = true;
        } finally {
            lock.unlock();
        }
    }

    /** Seals the session ({@link #seal}) without a last frame, then closes its queues. */
    void close() {
        seal(0, null);
        lock.lock();
        try {
            closeQuietly(appender);
            closeQuietly(tailer);
            closeQuietly(replies);
            closeQuietly(requests);
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close failed: {}", e.toString());
        }
    }
}
