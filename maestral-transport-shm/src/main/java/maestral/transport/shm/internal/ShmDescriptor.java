package maestral.transport.shm.internal;

/**
 * Every byte layout of the shm transport, in one place (after Agrona's
 * {@code ringbuffer/RecordDescriptor}). Integers are little-endian.
 *
 * <h2>Files</h2>
 * <pre>
 * RUNTIME/shm-CONFIG/                 mode 0700, removed when the server closes
 *   server.ctl                        the control file, below
 *   sessions/s-SLOT-INCARNATION/      one client session, made ready by the daemon ahead of use:
 *     requests/                       a Chronicle queue: that client → the daemon (one writer)
 *     replies/                        a Chronicle queue: the daemon → that client (one writer)
 * </pre>
 * The daemon keeps {@link #SPARE_SESSIONS} sessions ready (queues created, opened, their pages
 * touched); a client claims one in the control file and gives it back when it closes, so a
 * session's queues serve one client after another. A session whose client died is deleted
 * and made again under a new incarnation. Queue files roll every second and are deleted by
 * their one reader once it has moved past them.
 *
 * <h2>The control file {@code server.ctl}</h2>
 * Written by the server before any client can find it, mapped read-write by every client.
 * <pre>
 *  0        8        16       24       32       40     44     48       52     56          64
 *  +--------+--------+--------+--------+--------+------+------+--------+------+-----------+
 *  | magic  | state  | pid    |start ms| nonce  |slots | bell |sleeping|wanted|provisioned|
 *  +--------+--------+--------+--------+--------+------+------+--------+------+-----------+
 *  64: the doorbell bitmap, one bit per slot ({@link #MAX_SESSIONS} bits)
 *  256: the slots, {@link #SLOT_LENGTH} bytes each:
 *  +--------+-----------+---------+------------+----------+-----------+---------------+
 *  | state  |incarnation| waiting | session id | reply seq|  (unused) | owner start ms|
 *  0        8           12        16           24         28          32              40
 * </pre>
 * {@code start} is the server process's start instant in epoch milliseconds, so that a reused
 * pid is not taken for the server; {@code state} is {@link #STATE_RUNNING} or
 * {@link #STATE_CLOSED}. A client that appended to its session's request queue sets its slot's
 * bit, adds one to {@code bell} and wakes the {@code bell} futex when {@code sleeping} is set:
 * the daemon reads only the sessions whose bits it took. {@code wanted} is the futex by which
 * clients ask for more ready sessions, {@code provisioned} the one by which the daemon says it
 * made one ready. A slot's {@code state} is {@link #SLOT_EMPTY}, {@link #SLOT_READY} or, once a
 * client took it with a compare-and-set, {@code pid << 8 | }{@link #SLOT_CLAIMED}; its
 * {@code reply seq} is the futex the daemon adds one to after each answer it appends, waking
 * the client when {@code waiting} is set.
 *
 * <h2>Frames</h2>
 * Each Chronicle document holds one frame:
 * <pre>
 *  0               4               8                               16                              24
 *  +---------------+---------------+-------------------------------+-------------------------------+--------
 *  | magic+version |     type      |          session id           |        correlation id         | body ...
 *  +---------------+---------------+-------------------------------+-------------------------------+--------
 * </pre>
 * The session id names one client connection (one claim of a slot); the correlation id one
 * call of it. The bodies are the shared {@link maestral.api.spi.WireFormat} of the
 * {@link maestral.api.spi.WireModel} (values, records and strings as every transport writes
 * them):
 * <pre>
 *  HELLO    client → daemon  a handshake
 *  WELCOME  daemon → client  the daemon's handshake
 *  REFUSED  daemon → client  a string: the reason
 *  CALL     client → daemon  a call
 *  REPLY    daemon → client  a result
 *  BYE      client → daemon  (empty) the client closes
 *  BYE_ACK  daemon → client  (empty) the daemon dropped the session
 *  GOODBYE  daemon → client  a string: why the daemon closes
 *  VOID     either way       (ignored) a frame given up while it was written in place
 *  FRAGMENT either way       a piece of a frame too large for one document:
 * </pre>
 * A frame is encoded straight into its document; one that turns out larger than a document
 * (or of no wire type) is not rolled back (Chronicle's tailers can lose a cycle whose first
 * document was rolled back) but turned into a VOID, and written again as FRAGMENTs.
 * A Chronicle document holds at most a quarter of a block (64 KiB here), so a frame whose body
 * is larger than {@link #FRAGMENT_PAYLOAD} travels as FRAGMENTs of up to that many bytes each,
 * with the session and correlation ids of the frame they carry, in order:
 * <pre>
 *  24              28              32              36
 *  +---------------+---------------+---------------+------------------------
 *  |  frame type   | fragment index| fragment count| bytes of the frame body ...
 *  +---------------+---------------+---------------+------------------------
 * </pre>
 * The reader joins them and decodes the body as a frame of that type; a frame body is at
 * most {@link ShmSettings#maxBodyBytes()} bytes (the one frame limit of every transport).
 */
public final class ShmDescriptor {

    private ShmDescriptor() {
    }

    // ---- folder ----------------------------------------------------------------------

    /** The prefix of the per-configuration folder in the runtime folder. */
    public static final String FOLDER_PREFIX = "shm-";
    /** The control file's name. */
    public static final String CONTROL_FILE = "server.ctl";
    /** The folder of the sessions. */
    public static final String SESSIONS = "sessions";
    /** A session's request queue folder. */
    public static final String REQUESTS = "requests";
    /** A session's reply queue folder. */
    public static final String REPLIES = "replies";
    /** How many ready sessions the daemon keeps for clients to claim. */
    public static final int SPARE_SESSIONS = 2;
    /** The most sessions at once: {@value}. */
    public static final int MAX_SESSIONS = 1024;
    /**
     * The file a client creates in its session folder once it has read the daemon's GOODBYE,
     * and with it every answer before it: a closing daemon waits for it (a second at most)
     * before it deletes the session's queue.
     */
    public static final String GOODBYE_READ_FILE = "goodbye.read";
    /** The prefix of one session's folder, followed by its slot and incarnation in hex. */
    public static final String SESSION_PREFIX = "s-";

    // ---- control file ----------------------------------------------------------------

    /** The control file's magic: {@code "MSTRLSHM"} read as a little-endian long. */
    public static final long CONTROL_MAGIC = 0x4D48534C5254534DL;
    /** Offset of the magic. */
    public static final int CONTROL_MAGIC_OFFSET = 0;
    /** Offset of the state. */
    public static final int CONTROL_STATE_OFFSET = 8;
    /** Offset of the server's pid. */
    public static final int CONTROL_PID_OFFSET = 16;
    /** Offset of the server process's start instant, in epoch milliseconds. */
    public static final int CONTROL_START_OFFSET = 24;
    /** Offset of the server's random instance nonce. */
    public static final int CONTROL_NONCE_OFFSET = 32;
    /** Offset of the number of slots (int). */
    public static final int CONTROL_SLOTS_OFFSET = 40;
    /** Offset of the doorbell futex (int). */
    public static final int CONTROL_BELL_OFFSET = 44;
    /** Offset of the flag a sleeping server sets (int). */
    public static final int CONTROL_SLEEPING_OFFSET = 48;
    /** Offset of the futex of clients asking for ready sessions (int). */
    public static final int CONTROL_WANTED_OFFSET = 52;
    /** Offset of the futex of the server announcing a ready session (int). */
    public static final int CONTROL_PROVISIONED_OFFSET = 56;
    /** Offset of the doorbell bitmap, one bit per slot. */
    public static final int CONTROL_BITMAP_OFFSET = 64;
    /** Offset of the first slot. */
    public static final int CONTROL_SLOTS_START = 256;
    /** The length of one slot. */
    public static final int SLOT_LENGTH = 64;
    /** Offset of a slot's state (long). */
    public static final int SLOT_STATE = 0;
    /** Offset of a slot's incarnation (int). */
    public static final int SLOT_INCARNATION = 8;
    /** Offset of a slot's flag of a waiting client (int). */
    public static final int SLOT_WAITING = 12;
    /** Offset of a slot's session id (long). */
    public static final int SLOT_SESSION = 16;
    /** Offset of a slot's reply sequence futex (int). */
    public static final int SLOT_REPLY_SEQ = 24;
    /** Offset of the start instant of the slot's owner, in epoch ms (long). */
    public static final int SLOT_OWNER_START = 32;
    /** A slot without queues. */
    public static final long SLOT_EMPTY = 0;
    /** A slot whose queues are ready for a client. */
    public static final long SLOT_READY = 1;
    /** The low byte of a claimed slot's state; the owner's pid is above it. */
    public static final long SLOT_CLAIMED = 2;
    /** The control file's length. */
    public static final int CONTROL_LENGTH = CONTROL_SLOTS_START + MAX_SESSIONS * SLOT_LENGTH;
    /** The state of a serving server. */
    public static final long STATE_RUNNING = 1;
    /** The state of a closed server. */
    public static final long STATE_CLOSED = 2;

    // ---- frames ----------------------------------------------------------------------

    /** The first int of every frame: {@code "MS"} and layout version 1. */
    public static final int FRAME_MAGIC = 0x4D53_0001;
    /** Offset of the magic and version. */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the frame type. */
    public static final int TYPE_OFFSET = 4;
    /** Offset of the session id. */
    public static final int SESSION_OFFSET = 8;
    /** Offset of the correlation id. */
    public static final int CORRELATION_OFFSET = 16;
    /** Offset of the body. */
    public static final int BODY_OFFSET = 24;

    /** A client's hello. */
    public static final int HELLO = 1;
    /** The daemon's hello. */
    public static final int WELCOME = 2;
    /** The daemon refused a hello. */
    public static final int REFUSED = 3;
    /** A call. */
    public static final int CALL = 4;
    /** The answer to a call. */
    public static final int REPLY = 5;
    /** A client closes. */
    public static final int BYE = 6;
    /** The daemon dropped a closing client's session. */
    public static final int BYE_ACK = 7;
    /** The daemon closes. */
    public static final int GOODBYE = 8;
    /** A piece of a large frame. */
    public static final int FRAGMENT = 9;
    /** A frame given up while it was written in place; readers skip it. */
    public static final int VOID = 10;

    /** Offset of the carried frame's type in a FRAGMENT. */
    public static final int FRAGMENT_TYPE_OFFSET = BODY_OFFSET;
    /** Offset of the fragment's index, from 0. */
    public static final int FRAGMENT_INDEX_OFFSET = BODY_OFFSET + 4;
    /** Offset of the number of fragments. */
    public static final int FRAGMENT_COUNT_OFFSET = BODY_OFFSET + 8;
    /** Offset of the fragment's bytes. */
    public static final int FRAGMENT_DATA_OFFSET = BODY_OFFSET + 12;
    /** The most frame-body bytes in one document (a whole frame or a fragment): 32 KiB. */
    public static final int FRAGMENT_PAYLOAD = 32 << 10;

    /**
     * {@return the name of a frame type, for logs}
     *
     * @param type a frame type
     */
    public static String typeName(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case WELCOME -> "WELCOME";
            case REFUSED -> "REFUSED";
            case CALL -> "CALL";
            case REPLY -> "REPLY";
            case BYE -> "BYE";
            case BYE_ACK -> "BYE_ACK";
            case GOODBYE -> "GOODBYE";
            case FRAGMENT -> "FRAGMENT";
            case VOID -> "VOID";
            default -> "type " + type;
        };
    }

    /**
     * {@return the folder name of a session}
     *
     * @param slot its slot
     * @param incarnation its incarnation
     */
    public static String sessionFolder(int slot, int incarnation) {
        return SESSION_PREFIX + String.format("%04x-%08x", slot, incarnation);
    }
}
