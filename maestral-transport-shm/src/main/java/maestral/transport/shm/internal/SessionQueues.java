package maestral.transport.shm.internal;

import static maestral.transport.shm.internal.ShmDescriptor.*;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's open queues of one session: the request appender and the reply tailer. Opening
 * them costs about a millisecond each, so a client that closes gives them to a small cache of
 * this JVM ({@link #release}) for {@link #KEEP_NANOS}: the next connection of this JVM that
 * claims the same session (the daemon hands a session back at once) takes them again
 * ({@link #take}) and connects without opening anything.
 *
 * <p><b>Not thread-safe</b> while in use: its client serialises writes and reads; the cache
 * itself is safe for use by many threads at once.
 */
final class SessionQueues {

    private static final Logger LOG = LoggerFactory.getLogger(SessionQueues.class);
    /** How long released queues stay open for the next connection: 5 s. */
    static final long KEEP_NANOS = 5_000_000_000L;
    /** The most released sessions kept per JVM. */
    static final int KEEP_MAX = 8;
    private static final ArrayDeque<SessionQueues> CACHE = new ArrayDeque<>();

    final Path dir;
    final long nonce;
    final int slot;
    final int incarnation;
    final ConsumedCycleJanitor janitor = new ConsumedCycleJanitor();
    final ChronicleQueue requests;
    final ExcerptAppender appender;
    /** Writes the frames to {@link #appender}; kept with it, so that its free-space check is too. */
    final FrameWriter writer = new FrameWriter();
    /** Touches the pages ahead of {@link #appender}, under the same lock. */
    final PageToucher toucher = new PageToucher();
    final ChronicleQueue replies;
    final ExcerptTailer tailer;
    /** The session that last used them. */
    long lastSession;
    int readerCycle = Integer.MIN_VALUE;
    private long releasedAt;

    private SessionQueues(Path dir, long nonce, int slot, int incarnation, ShmSettings settings) {
        this.dir = dir;
        this.nonce = nonce;
        this.slot = slot;
        this.incarnation = incarnation;
        ChronicleQueue rq = null;
        ChronicleQueue rp = null;
        try {
            rp = Queues.open(dir.resolve(REPLIES), settings, janitor);
            this.replies = rp;
            this.tailer = rp.createTailer().toEnd();
            tailer.singleThreadedCheckDisabled(true);
            rq = Queues.open(dir.resolve(REQUESTS), settings, null);
            this.requests = rq;
            this.appender = rq.createAppender();
            appender.singleThreadedCheckDisabled(true);
        } catch (RuntimeException e) {
            closeQuietly(rq);
            closeQuietly(rp);
            throw e;
        }
    }

    /**
     * {@return the queues of a session: this JVM's released ones when it has them, else newly
     * opened ones positioned after every answer already there}
     *
     * @param dir the session's folder
     * @param nonce the daemon instance's nonce
     * @param slot the session's slot
     * @param incarnation its incarnation
     * @param previousSession the session id the slot held before this claim
     * @param settings the tunables
     */
    static SessionQueues take(Path dir, long nonce, int slot, int incarnation, long previousSession,
                              ShmSettings settings) {
        SessionQueues found = null;
        synchronized (CACHE) {
            for (Iterator<SessionQueues> it = CACHE.iterator(); it.hasNext(); ) {
                SessionQueues q = it.next();
                if (q.slot == slot && q.incarnation == incarnation && q.nonce == nonce && q.dir.equals(dir)) {
                    it.remove();
                    found = q;
                    break;
                }
            }
        }
        if (found == null) {
            return new SessionQueues(dir, nonce, slot, incarnation, settings);
        }
        if (found.lastSession != previousSession) {
            found.tailer.toEnd(); // another process used the session since: skip its answers
        }
        return found;
    }

    /**
     * {@return whether a released session of this slot and incarnation is in the cache}
     *
     * @param nonce the daemon instance's nonce
     * @param slot the slot
     * @param incarnation its incarnation
     */
    static boolean cached(long nonce, int slot, int incarnation) {
        synchronized (CACHE) {
            for (SessionQueues q : CACHE) {
                if (q.slot == slot && q.incarnation == incarnation && q.nonce == nonce) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@return the slots of this daemon instance's released sessions, most recent first}
     *
     * @param nonce the instance
     */
    static int[] cachedSlots(long nonce) {
        synchronized (CACHE) {
            return CACHE.stream().filter(q -> q.nonce == nonce).mapToInt(q -> q.slot).toArray();
        }
    }

    /**
     * Keeps the queues open for the next connection of this JVM, for {@link #KEEP_NANOS}.
     *
     * @param session the session that used them last
     */
    void release(long session) {
        lastSession = session;
        releasedAt = System.nanoTime();
        SessionQueues evicted = null;
        synchronized (CACHE) {
            CACHE.addFirst(this);
            if (CACHE.size() > KEEP_MAX) {
                evicted = CACHE.removeLast();
            }
        }
        if (evicted != null) {
            evicted.close();
        }
        Thread.ofVirtual().name("maestral-shm-session-cache").start(this::expireLater);
    }

    private void expireLater() {
        long released = releasedAt;
        try {
            Thread.sleep(java.time.Duration.ofNanos(KEEP_NANOS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean expired;
        synchronized (CACHE) {
            expired = releasedAt == released && CACHE.remove(this);
        }
        if (expired) {
            close();
        }
    }

    /** Closes the queues. */
    void close() {
        closeQuietly(appender);
        closeQuietly(requests);
        closeQuietly(tailer);
        closeQuietly(replies);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close failed: {}", e.toString());
        }
    }
}
