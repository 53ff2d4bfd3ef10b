package maestral.transport.uds.internal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import maestral.api.CallTimeoutError;
import maestral.api.CommunicationError;
import maestral.api.spi.CallResult;
import maestral.api.spi.FrameLimit;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MethodCall;
import maestral.api.spi.TransportClient;
import maestral.api.spi.UnsendableException;

/**
 * One connection to a daemon over a JDK unix-domain {@link SocketChannel}, multiplexing calls
 * without a thread of its own.
 *
 * <p>A caller writes its CALL frame itself, then waits for the RESULT with its correlation id.
 * Whichever waiting caller finds nobody reading becomes the reader (leader/follower): it reads
 * what arrives, completes the calls each frame answers, and leaves the role, waking another
 * waiter, once its own answer is in. A lone caller therefore writes and reads its own socket
 * with no hand-off between threads, the same path as a raw blocking socket; that is why this
 * client is not built on an event loop. Every wait (connecting, writing into a full socket,
 * reading) is a selector wait bounded by the call's deadline.
 *
 * <p>A call whose deadline passes gives up alone; a connection that drops or breaks the
 * protocol fails every pending call at once. Frame lengths are checked before anything is
 * allocated for a frame.
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class UdsClient implements TransportClient {

    private static final int INITIAL_READ_BUFFER = 64 * 1024;

    private final Path socketPath;
    private final UdsSettings settings;
    private final SocketChannel channel;
    /**
     * Made on the first wait for an answer and used only by the thread that holds
     * {@link #readLock}; made and closed under {@code this}.
     */
    private Selector readSelector;
    /**
     * Made on the first wait for room in the socket (rare: a unix socket connects at once) and
     * used only by the thread that holds {@link #writeLock}; made and closed under {@code this}.
     */
    private Selector writeSelector;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    /** Bytes read and not yet handled, in read mode between reads; guarded by {@link #readLock}. */
    private ByteBuffer inbox = ByteBuffer.allocate(INITIAL_READ_BUFFER).flip();
    /** The handshake reply, while connecting; guarded by {@link #readLock}. */
    private WireCodec.HelloReply helloReply;
    private volatile Handshake serverHello;
    /** Why calls fail from now on; {@code null} while open. */
    private volatile String closedReason;

    private UdsClient(Path socketPath, UdsSettings settings) throws IOException {
        this.socketPath = socketPath;
        this.settings = settings;
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.configureBlocking(false);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
        this.channel = ch;
    }

    /**
     * Connects to a daemon and completes the handshake, all within the timeout.
     *
     * @param endpoint where the daemon serves
     * @param hello this client's handshake
     * @param timeout the deadline of connecting and the handshake together
     * @param settings the limits
     * @return the connected client
     * @throws CommunicationError when no daemon answers in time or the handshake fails
     */
    public static UdsClient connect(Endpoint endpoint, Handshake hello, Duration timeout, UdsSettings settings) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Path path = endpoint.socketPath();
        UdsClient client;
        try {
            client = new UdsClient(path, settings);
        } catch (IOException e) {
            throw new CommunicationError("Cannot connect to the maestral daemon at " + path + ": " + e, e);
        }
        try {
            client.open(hello, deadline, timeout);
            return client;
        } catch (RuntimeException | Error e) {
            client.closeWith("the connection is closed: the handshake failed");
            throw e;
        }
    }

    private void open(Handshake hello, long deadline, Duration timeout) {
        try {
            if (!channel.connect(UnixDomainSocketAddress.of(socketPath))) {
                while (!channel.finishConnect()) {
                    if (!waitFor(true, deadline)) {
                        throw new CommunicationError("Cannot connect to the maestral daemon at " + socketPath
                                + ": no answer within " + timeout.toMillis() + " ms");
                    }
                }
            }
        } catch (IOException e) {
            throw new CommunicationError("Cannot connect to the maestral daemon at " + socketPath + ": "
                    + e.getMessage(), e);
        }
        send(WireCodec.encodeHello(hello, settings.maxFrameBytes()), deadline, "the handshake");
        readLock.lock();
        try {
            while (helloReply == null && closedReason == null) {
                if (!readAvailable() && !waitFor(false, deadline)) {
                    throw new CommunicationError("The maestral daemon at " + socketPath
                            + " did not answer the handshake within " + timeout.toMillis() + " ms");
                }
            }
        } finally {
            readLock.unlock();
        }
        String reason = closedReason;
        if (helloReply == null) {
            throw new CommunicationError("The handshake with the maestral daemon at " + socketPath
                    + " failed: " + reason);
        }
        if (helloReply.refusal() != null) {
            throw new CommunicationError("The maestral daemon at " + socketPath
                    + " refused the connection: " + helloReply.refusal());
        }
        hello.requireCompatible(helloReply.server());
        serverHello = helloReply.server();
    }

    @Override
    public Handshake serverHello() {
        return serverHello;
    }

    @Override
    public CallResult call(MethodCall call, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        String reason = closedReason;
        if (reason != null) {
            throw new CommunicationError("Cannot call " + call + ": " + reason);
        }
        long id = nextId.incrementAndGet();
        ByteBuffer frame;
        try {
            frame = WireCodec.encodeCall(id, call, settings.maxFrameBytes());
        } catch (UnsendableException e) {
            throw FrameLimit.cannotSend(call, e);
        }
        Pending p = new Pending(Thread.currentThread());
        pending.put(id, p);
        Object outcome;
        try {
            reason = closedReason;
            if (reason != null) {
                throw new CommunicationError("Cannot call " + call + ": " + reason);
            }
            send(frame, deadline, call.toString());
            outcome = await(p, deadline);
        } finally {
            pending.remove(id);
            handOffReading();
        }
        if (outcome == null) {
            if (p.complete(Pending.GAVE_UP)) {
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new CommunicationError("interrupted while waiting for " + call);
                }
                throw new CallTimeoutError(call + " got no answer within "
                        + Duration.ofNanos(timeoutNanos).toMillis() + " ms");
            }
            outcome = p.outcome;
        }
        if (outcome instanceof CallResult result) {
            return result;
        }
        throw new CommunicationError("Call " + call + " failed: " + outcome);
    }

    /**
     * Waits for the outcome of a call, reading the socket whenever no other caller does.
     *
     * @return the outcome, or {@code null} when the deadline passed or the thread was interrupted
     */
    private Object await(Pending p, long deadline) {
        while (true) {
            Object o = p.outcome;
            if (o != null) {
                return o;
            }
            if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
                return null;
            }
            if (readLock.tryLock()) {
                try {
                    // Wait for the socket first, then read: the answer is rarely there the moment
                    // the call is written, and a read that finds nothing costs a system call.
                    while (p.outcome == null && closedReason == null) {
                        if (!handleFrames()) {
                            if (!waitFor(false, deadline)) {
                                break;
                            }
                            readAvailable();
                        }
                    }
                } finally {
                    readLock.unlock();
                }
                if (p.outcome == null && closedReason != null) {
                    p.complete(closedReason);
                }
            } else {
                LockSupport.parkNanos(this, deadline - System.nanoTime());
            }
        }
    }

    /** Wakes one waiting caller to take over reading when the reader left and calls still wait. */
    private void handOffReading() {
        if (pending.isEmpty() || readLock.isLocked()) {
            return;
        }
        for (Pending other : pending.values()) {
            if (other.outcome == null) {
                LockSupport.unpark(other.waiter);
                return;
            }
        }
    }

    /**
     * Reads what the socket holds without waiting and handles every whole frame.
     *
     * @return whether anything was read or handled; {@code false} means: wait for more
     */
    private boolean readAvailable() {
        boolean progress = handleFrames();
        try {
            ByteBuffer buffer = inbox.compact();
            int n;
            try {
                n = channel.read(buffer);
            } finally {
                buffer.flip();
            }
            if (n < 0) {
                closeWith("the connection to the maestral daemon at " + socketPath + " was lost");
                return true;
            }
            return handleFrames() || progress || n > 0;
        } catch (IOException e) {
            closeWith("the connection to the maestral daemon at " + socketPath + " failed: " + e.getMessage());
            return true;
        }
    }

    /** {@return whether a frame was handled}; grows the buffer for a frame larger than it. */
    private boolean handleFrames() {
        boolean handled = false;
        ByteBuffer in = inbox;
        while (closedReason == null && in.remaining() >= FrameDescriptor.LENGTH_FIELD_LENGTH) {
            int start = in.position();
            int length = in.getInt(start + FrameDescriptor.LENGTH_OFFSET);
            String bad = FrameDescriptor.lengthProblem(length, settings.maxFrameBytes());
            if (bad != null) {
                protocolViolation(bad);
                return true;
            }
            int total = length + FrameDescriptor.LENGTH_FIELD_LENGTH;
            if (in.remaining() < total) {
                if (in.capacity() < total) {
                    inbox = ByteBuffer.allocate(total).put(in).flip();
                }
                return handled;
            }
            bad = FrameDescriptor.headerProblem(in.get(start + FrameDescriptor.TYPE_OFFSET),
                    in.getInt(start + FrameDescriptor.TYPE_OFFSET) & 0xffffff);
            if (bad != null) {
                protocolViolation(bad);
                return true;
            }
            handleFrame(in.array(), in.arrayOffset() + start, total, in.get(start + FrameDescriptor.TYPE_OFFSET),
                    in.getLong(start + FrameDescriptor.CORRELATION_OFFSET));
            in.position(start + total);
            handled = true;
        }
        if (!in.hasRemaining() && in.capacity() > INITIAL_READ_BUFFER) {
            inbox = ByteBuffer.allocate(INITIAL_READ_BUFFER).flip();
        }
        return handled;
    }

    private void handleFrame(byte[] array, int offset, int total, byte type, long correlationId) {
        if (type == FrameDescriptor.RESULT && serverHello != null) {
            Pending p = pending.get(correlationId);
            if (p == null) {
                return; // its caller gave up
            }
            try {
                p.complete(WireCodec.decodeResult(array, offset, total));
            } catch (RuntimeException e) {
                p.complete("the daemon's answer could not be decoded (" + e.getMessage() + ")");
                protocolViolation("an undecodable answer: " + e.getMessage());
            }
        } else if (type == FrameDescriptor.HELLO_REPLY && serverHello == null && helloReply == null) {
            try {
                helloReply = WireCodec.decodeHelloReply(array, offset, total);
            } catch (RuntimeException e) {
                protocolViolation("an undecodable handshake reply: " + e.getMessage());
            }
        } else {
            protocolViolation("unexpected " + FrameDescriptor.typeName(type) + " frame from the daemon");
        }
    }

    private void protocolViolation(String what) {
        closeWith("the maestral daemon at " + socketPath + " broke the protocol (" + what
                + "); the connection is closed");
    }

    /** Writes a whole frame, waiting for room in the socket until the deadline. */
    private void send(ByteBuffer frame, long deadline, String what) {
        boolean locked;
        try {
            locked = writeLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommunicationError("interrupted while sending " + what);
        }
        if (!locked) {
            throw new CallTimeoutError("Cannot send " + what + ": the connection stayed busy until the deadline");
        }
        try {
            while (frame.hasRemaining()) {
                String reason = closedReason;
                if (reason != null) {
                    throw new CommunicationError("Cannot send " + what + ": " + reason);
                }
                if (channel.write(frame) == 0 && !waitFor(true, deadline)) {
                    if (frame.position() > 0) {
                        // Half a frame on the wire: nothing later could be read correctly.
                        closeWith("a call could not be written whole before its deadline; the connection is closed");
                    }
                    throw new CallTimeoutError("Cannot send " + what
                            + ": the daemon read nothing until the deadline");
                }
            }
        } catch (IOException e) {
            closeWith("the connection to the maestral daemon at " + socketPath + " failed: " + e.getMessage());
            throw new CommunicationError("Cannot send " + what + ": " + closedReason, e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Waits until the selector's channel is ready or the deadline passes.
     *
     * @return {@code false} when the deadline passed, the thread was interrupted or the
     *     connection closed
     */
    private boolean waitFor(boolean room, long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || closedReason != null || Thread.currentThread().isInterrupted()) {
            return false;
        }
        try {
            Selector selector = selector(room);
            selector.selectedKeys().clear();
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
            return closedReason == null && !Thread.currentThread().isInterrupted();
        } catch (IOException | ClosedSelectorException e) {
            return false;
        }
    }

    /**
     * {@return the selector that waits for room in the socket or for something to read}, made
     * on first use: a one-shot client whose answers are there when it reads needs neither
     *
     * @throws ClosedSelectorException once the connection is closed
     */
    private synchronized Selector selector(boolean room) throws IOException {
        if (closedReason != null) {
            throw new ClosedSelectorException();
        }
        Selector s = room ? writeSelector : readSelector;
        if (s == null) {
            s = Selector.open();
            try {
                channel.register(s, room ? SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT : SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) {
                closeQuietly(s);
                throw e;
            }
            if (room) {
                writeSelector = s;
            } else {
                readSelector = s;
            }
        }
        return s;
    }

    @Override
    public boolean isOpen() {
        if (closedReason == null && readLock.tryLock()) {
            try {
                readAvailable(); // notices a daemon that went away while nobody called
            } finally {
                readLock.unlock();
            }
            handOffReading();
        }
        return closedReason == null;
    }

    @Override
    public void close() {
        closeWith("the connection is closed");
    }

    private void closeWith(String reason) {
        synchronized (this) {
            if (closedReason != null) {
                return;
            }
            closedReason = reason;
            closeQuietly(channel, readSelector, writeSelector);
        }
        for (Pending p : pending.values()) {
            p.complete(reason);
        }
    }

    private static void closeQuietly(AutoCloseable... closeables) {
        for (AutoCloseable c : closeables) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing: nothing left to do about it
                }
            }
        }
    }

    /**
     * The completion of one call: the reading thread (or a closer) sets the outcome once and
     * unparks the waiting thread.
     */
    private static final class Pending {
        /** The outcome a caller sets when it gives up. */
        static final Object GAVE_UP = new Object();
        private static final VarHandle OUTCOME;

        static {
            try {
                OUTCOME = MethodHandles.lookup().findVarHandle(Pending.class, "outcome", Object.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Thread waiter;
        /** A {@link CallResult}, a failure text, or {@link #GAVE_UP}. */
        volatile Object outcome;

        Pending(Thread waiter) {
            this.waiter = waiter;
        }

        boolean complete(Object value) {
            if (OUTCOME.compareAndSet(this, null, value)) {
                if (value != GAVE_UP && waiter != Thread.currentThread()) {
                    LockSupport.unpark(waiter);
                }
                return true;
            }
            return false;
        }
    }
}
