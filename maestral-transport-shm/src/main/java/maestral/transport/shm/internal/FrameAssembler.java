package maestral.transport.shm.internal;

import static maestral.transport.shm.internal.ShmDescriptor.*;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import net.openhft.chronicle.bytes.Bytes;

/**
 * Joins the FRAGMENTs of large frames ({@link ShmDescriptor}); fragments of several frames
 * (from several clients) may interleave. A fragment out of order, or a frame that would grow
 * past {@link ShmSettings#maxBodyBytes()}, drops that frame; nothing is allocated past it.
 *
 * <p><b>Not thread-safe: only the holder of the reader role uses it.</b>
 */
final class FrameAssembler {

    private final Map<Key, Partial> partials = new HashMap<>();
    private final long maxFragments = ShmSettings.maxBodyBytes() / FRAGMENT_PAYLOAD + 1;

    private record Key(long sessionId, long correlationId) {
    }

    private static final class Partial {
        final int type;
        final int count;
        int next;
        final Bytes<byte[]> bytes;

        Partial(int type, int count) {
            this.type = type;
            this.count = count;
            this.bytes = Bytes.allocateElasticOnHeap(Math.min(count, 64) * FRAGMENT_PAYLOAD);
            bytes.singleThreadedCheckDisabled(true); // the reader role moves between threads
        }
    }

    /** A frame joined from its fragments: decode {@link #body()}, then {@link #release()} it. */
    static final class Joined {
        private final FrameCodec.Header header;
        private final Bytes<byte[]> body;

        Joined(FrameCodec.Header header, Bytes<byte[]> body) {
            this.header = header;
            this.body = body;
        }

        /** {@return the header of the frame carried, with its own type} */
        FrameCodec.Header header() {
            return header;
        }

        /** {@return the joined body, read position at its start} */
        Bytes<?> body() {
            return body;
        }

        /** Frees the joined bytes. */
        void release() {
            body.releaseLast();
        }
    }

    /**
     * Takes one fragment.
     *
     * @param h the FRAGMENT's header
     * @param in its body, read position after the header
     * @return the whole frame when this was its last fragment, else {@code null}
     * @throws MalformedFrameException when the fragment does not fit its frame (it is dropped)
     */
    Joined accept(FrameCodec.Header h, Bytes<?> in) {
        if (in.readRemaining() < FRAGMENT_DATA_OFFSET - BODY_OFFSET) {
            throw new MalformedFrameException("fragment too short");
        }
        int type = in.readInt();
        int index = in.readInt();
        int count = in.readInt();
        Key key = new Key(h.sessionId(), h.correlationId());
        if (count <= 1 || count > maxFragments || index < 0 || index >= count) {
            drop(key);
            throw new MalformedFrameException("bad fragment " + index + " of " + count);
        }
        Partial p = partials.get(key);
        if (index == 0) {
            if (p != null) {
                drop(key);
            }
            p = new Partial(type, count);
            partials.put(key, p);
        } else if (p == null || p.type != type || p.count != count || p.next != index) {
            drop(key);
            throw new MalformedFrameException("fragment " + index + " of " + count + " out of order");
        }
        if (in.readRemaining() > FRAGMENT_PAYLOAD) {
            drop(key);
            throw new MalformedFrameException("fragment of " + in.readRemaining() + " bytes");
        }
        p.bytes.write(in, in.readPosition(), in.readRemaining());
        in.readSkip(in.readRemaining());
        p.next++;
        if (p.next < count) {
            return null;
        }
        partials.remove(key);
        return new Joined(new FrameCodec.Header(type, h.sessionId(), h.correlationId()), p.bytes);
    }

    /**
     * Forgets the unfinished frames of sessions that ended.
     *
     * @param live whether a session still exists
     */
    void retainSessions(java.util.function.LongPredicate live) {
        for (Iterator<Map.Entry<Key, Partial>> it = partials.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Partial> e = it.next();
            if (!live.test(e.getKey().sessionId())) {
                e.getValue().bytes.releaseLast();
                it.remove();
            }
        }
    }

    /** Forgets every unfinished frame. */
    void clear() {
        for (Partial p : partials.values()) {
            p.bytes.releaseLast();
        }
        partials.clear();
    }

    private void drop(Key key) {
        Partial p = partials.remove(key);
        if (p != null) {
            p.bytes.releaseLast();
        }
    }
}
