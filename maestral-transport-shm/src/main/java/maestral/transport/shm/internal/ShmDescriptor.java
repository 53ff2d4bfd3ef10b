package maestral.transport.shm.internal;

/**
 * Every byte layout of the shm transport, in one place (after Agrona's
 * {@code ringbuffer/RecordDescriptor}). Integers are little-endian.
 *
 * <h2>Files</h2>
 * <pre>
 * RUNTIME/shm-CONFIG/                 mode 0700, removed when the server closes
 *   server.ctl                        the control file, below
 *   requests/                         one Chronicle queue: every client → the daemon
 *   clients/c-SESSION/                one Chronicle queue per client: the daemon → that client
 * </pre>
 * Queue files roll every second and are deleted by their one reader once it has moved past
 * them.
 *
 * <h2>The control file {@code server.ctl}</h2>
 * Written by the server before any client can find it, mapped by every client; only
 * {@code state} ever changes.
 * <pre>
 *  0               8               16              24              32              40    64
 *  +---------------+---------------+---------------+---------------+---------------+-...-+
 *  |     magic     |     state     |   server pid  | start (ms)    | instance nonce| 0.. |
 *  +---------------+---------------+---------------+---------------+---------------+-...-+
 * </pre>
 * {@code start} is the server process's start instant in epoch milliseconds, so that a
 * reused pid is not taken for the server; {@code state} is {@link #STATE_RUNNING} or
 * {@link #STATE_CLOSED}.
 *
 * <h2>Frames</h2>
 * Each Chronicle document holds one frame:
 * <pre>
 *  0               4               8                               16                              24
 *  +---------------+---------------+-------------------------------+-------------------------------+--------
 *  | magic+version |     type      |          session id           |        correlation id         | body ...
 *  +---------------+---------------+-------------------------------+-------------------------------+--------
 * </pre>
 * The session id names one client connection (and its reply queue); the correlation id one
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
    /** The request queue's folder name. */
    public static final String REQUESTS = "requests";
    /** The folder of the reply queues. */
    public static final String CLIENTS = "clients";
    /**
     * The file a client creates in its session folder once it has read the daemon's GOODBYE,
     * and with it every answer before it: a closing daemon waits for it (a second at most)
     * before it deletes the session's queue.
     */
    public static final String GOODBYE_READ_FILE = "goodbye.read";
    /** The prefix of one reply queue's folder, followed by the session id in hex. */
    public static final String CLIENT_PREFIX = "c-";

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
    /** The control file's length. */
    public static final int CONTROL_LENGTH = 64;
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
     * {@return the folder name of a session's reply queue}
     *
     * @param sessionId the session id
     */
    public static String clientFolder(long sessionId) {
        return CLIENT_PREFIX + String.format("%016x", sessionId);
    }
}
