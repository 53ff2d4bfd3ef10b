package maestral.transport.shm.internal;

import static maestral.transport.shm.internal.ShmDescriptor.*;

import java.nio.file.Path;
import java.util.concurrent.locks.ReentrantLock;
import maestral.api.spi.FrameLimit;
import maestral.api.spi.UnsendableException;
import maestral.api.spi.CallResult;
import maestral.api.spi.Handshake;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of one client connection: the client's reply queue and the one appender
 * that writes to it. After {@link #close()} nothing is written to it any more, so a late
 * answer can never bring a removed queue back.
 *
 * <p><b>Safe for use by many threads at once</b>: writes are serialised by its lock.
 */
final class ServerSession {

    private static final Logger LOG = LoggerFactory.getLogger(ServerSession.class);

    final long id;
    final Handshake hello;
    final Peer peer;
    final Path dir;

    private final ReentrantLock lock = new ReentrantLock();
    private final FrameWriter writer = new FrameWriter();
    private final ChronicleQueue queue;
    private final ExcerptAppender appender;
    private boolean closed;
    private volatile long replies;

    ServerSession(long id, Handshake hello, Peer peer, Path dir, ShmSettings settings) {
        this.id = id;
        this.hello = hello;
        this.peer = peer;
        this.dir = dir;
        this.queue = Queues.open(dir, settings, null);
        try {
            this.appender = queue.createAppender();
            appender.singleThreadedCheckDisabled(true);
        } catch (RuntimeException e) {
            queue.close();
            throw e;
        }
    }

    /**
     * Sends the answer to a call; a value the transport cannot carry is answered with an
     * error instead.
     *
     * @param correlationId the call
     * @param result its result
     * @return whether it was written (not after close)
     */
    boolean reply(long correlationId, CallResult result) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            replies++;
            try {
                writer.write(appender, REPLY, id, correlationId, result);
            } catch (UnsendableException e) {
                writer.write(appender, REPLY, id, correlationId, FrameLimit.cannotAnswer(e));
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warn("could not answer call {} of session {}: {}", correlationId, Long.toHexString(id), e.toString());
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends a frame whose body is a handshake, a string or nothing.
     *
     * @param type WELCOME, REFUSED, BYE_ACK or GOODBYE
     * @param body the body, as {@link FrameCodec#writeBody} takes it
     * @return whether it was written
     */
    boolean send(int type, Object body) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            writer.write(appender, type, id, 0, body);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("could not send {} to session {}: {}", typeName(type), Long.toHexString(id), e.toString());
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** {@return how many answers it has sent, to tell a session in use from an idle one} */
    long replies() {
        return replies;
    }

    /** Moves the reply queue's writer into the new cycle, if it is behind, while no call needs it. */
    void preRoll() {
        if (!lock.tryLock()) {
            return;
        }
        try {
            if (!closed) {
                writer.requireSpace(appender, true);
                PreRoll.roll(queue, appender);
            }
        } catch (RuntimeException e) {
            LOG.debug("could not roll ahead: {}", e.toString());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends a last frame, if any, then closes the queue: nothing is written after this.
     *
     * @param lastType the last frame's type, or 0 for none
     * @param text its text, or {@code null}
     */
    void close(int lastType, String text) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (lastType != 0) {
                send(lastType, text);
            }
            closed = true;
            try {
                appender.close();
            } finally {
                queue.close();
            }
        } catch (RuntimeException e) {
            LOG.warn("could not close the queue of session {}: {}", Long.toHexString(id), e.toString());
        } finally {
            lock.unlock();
        }
    }
}
