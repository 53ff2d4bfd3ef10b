package maestral.transport.uds.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.PeerCredentials;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import maestral.api.spi.AnswerCounter;
import maestral.api.spi.CallDispatcher;
import maestral.api.spi.CallResult;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MethodCall;
import maestral.api.spi.RemoteError;
import maestral.api.spi.TransportServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bound unix socket serving one configuration: one event loop accepts connections and
 * reads frames; each call runs on a {@link CallRunner} thread (a hot platform thread when it is
 * free, else a virtual thread of its own), which also encodes the result and queues it, so
 * that a call that blocks delays no other; the event loop polls for that answer for a short
 * while ({@link ActivePollStrategy}) instead of sleeping, so it goes out without a wake-up. Calls the dispatcher
 * {@linkplain CallDispatcher#answersAtOnce answers at once} (state getters) run on the event
 * loop itself, which spares them two thread hand-offs.
 *
 * <p>On accept the peer's credentials are read: a peer of another uid is refused, and so is
 * root (uid 0) at a non-root server unless {@code maestral.uds.allowRoot=true}. A connection
 * that breaks the protocol is closed alone; the server serves on.
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class UdsServer implements TransportServer {

    private static final Logger LOG = LoggerFactory.getLogger(UdsServer.class);

    /** How long a client may take to send its handshake after connecting. */
    static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    /** Calls running at once on one connection before it stops reading more. */
    static final int MAX_IN_FLIGHT = 1024;
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final Path socketPath;
    private final Handshake hello;
    private final CallDispatcher dispatcher;
    private final UdsSettings settings;
    private final NativeTransport transport;
    private final EventLoopGroup group;
    private final CallRunner calls;
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Calls handed to a call thread whose answers are not yet queued for writing. */
    private final AnswerCounter unanswered = new AnswerCounter();
    /** Keeps the event loop awake for the answers of calls it handed off. */
    private final ActivePollStrategy activePoll = new ActivePollStrategy();
    private volatile Channel serverChannel;
    private volatile int ownUid = -1;
    /** The identity (device, inode) of the socket file this server bound. */
    private volatile Object boundFile;

    private UdsServer(Endpoint endpoint, Handshake hello, CallDispatcher dispatcher,
                      NativeTransport transport, UdsSettings settings) {
        this.socketPath = endpoint.socketPath();
        this.hello = hello;
        this.dispatcher = dispatcher;
        this.transport = transport;
        this.settings = settings;
        this.group = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("maestral-uds-server-" + endpoint.configName(), true),
                transport.ioHandlers().apply(activePoll));
        this.calls = new CallRunner("maestral-uds-call-" + endpoint.configName() + "-");
    }

    /**
     * Binds the endpoint's socket and starts serving it.
     *
     * @param endpoint where to serve
     * @param hello the server's handshake
     * @param dispatcher carries out the calls
     * @param transport the native transport
     * @param settings the limits
     * @return the running server
     * @throws IOException when the socket cannot be bound, for example because a live
     *     server already serves the path
     */
    public static UdsServer bind(Endpoint endpoint, Handshake hello, CallDispatcher dispatcher,
                                 NativeTransport transport, UdsSettings settings) throws IOException {
        Path path = endpoint.socketPath();
        checkPathLength(path);
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (isLive(path)) {
                throw new IOException("cannot bind " + path + ": a live server already listens there");
            }
            throw new IOException("cannot bind " + path + ": a file is in the way (a stale socket? "
                    + "the daemon removes it while holding the lock, before it binds)");
        }
        UdsServer server = new UdsServer(endpoint, hello, dispatcher, transport, settings);
        try {
            server.start();
            return server;
        } catch (IOException | RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    private static void checkPathLength(Path path) throws IOException {
        String problem = pathLengthProblem(path);
        if (problem != null) {
            throw new IOException("cannot bind " + path + ": " + problem);
        }
    }

    /** {@return why the path is too long for a unix socket here, or {@code null} when it fits} */
    private static String pathLengthProblem(Path path) {
        int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
        boolean mac = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("mac");
        int limit = mac ? 103 : 107;
        return bytes > limit ? "a unix socket path may have at most " + limit + " bytes here, this one has "
                + bytes : null;
    }

    /**
     * {@return whether a server accepts connections at the path}
     *
     * @param path a socket path
     */
    static boolean isLive(Path path) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private void start() throws IOException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group, group)
                .channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accept(ch);
                    }
                });
        // Bind at a staging name beside the final one, make it private, then link it into
        // place: clients never see a socket with looser permissions, and Netty, which deletes
        // the path it bound when it closes, deletes only the staging name, so a successor's
        // socket at the final path is never removed by this server (see removeOwnSocketFile).
        Path staging = socketPath.resolveSibling("." + socketPath.getFileName());
        Path bindAt = pathLengthProblem(staging) == null ? staging : socketPath;
        Files.deleteIfExists(staging); // left by a crash; configuration names never start with '.'
        ChannelFuture bound = bootstrap.bind(new DomainSocketAddress(bindAt.toString()));
        if (!bound.awaitUninterruptibly(CLOSE_WAIT_MILLIS)) {
            bound.cancel(false);
            throw new IOException("cannot bind " + socketPath + ": no answer within "
                    + CLOSE_WAIT_MILLIS + " ms");
        }
        if (!bound.isSuccess()) {
            throw new IOException("cannot bind " + socketPath + ": " + bound.cause(), bound.cause());
        }
        serverChannel = bound.channel();
        Files.setPosixFilePermissions(bindAt, PosixFilePermissions.fromString("rw-------"));
        ownUid = (Integer) Files.getAttribute(bindAt, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (bindAt != socketPath) {
            Files.createLink(socketPath, bindAt); // fails, rather than replaces, if a file is there
            Files.delete(bindAt);
        }
        boundFile = fileKey(socketPath);
        LOG.debug("serving {} over {} as uid {}", socketPath, transport.name(), ownUid);
    }

    private void accept(Channel ch) {
        if (closed.get()) {
            ch.close();
            return;
        }
        PeerCredentials peer;
        try {
            peer = transport.peerCredentials(ch);
        } catch (IOException | RuntimeException e) {
            LOG.warn("refused a connection to {}: cannot read the peer's credentials: {}",
                    socketPath, e.toString());
            ch.close();
            return;
        }
        String refusal = refusal(peer.uid());
        if (refusal != null) {
            LOG.warn("refused a connection to {} from pid {}: {}", socketPath, peer.pid(), refusal);
            ch.close();
            return;
        }
        connections.add(ch);
        ch.closeFuture().addListener(f -> connections.remove(ch));
        if (closed.get()) {
            ch.close();
            return;
        }
        ch.pipeline().addLast(new FrameDecoder(settings.maxFrameBytes()), new Connection(peer));
    }

    private String refusal(int peerUid) {
        return refusal(ownUid, peerUid, settings.allowRoot());
    }

    /**
     * {@return why a peer is refused, or {@code null} when it may connect}: a peer of the
     * server's own uid may; root may connect to a non-root server only when allowed; any other
     * uid may not.
     *
     * @param ownUid the server process's uid
     * @param peerUid the peer's uid
     * @param allowRoot whether root may connect to a non-root server
     */
    static String refusal(int ownUid, int peerUid, boolean allowRoot) {
        if (peerUid == ownUid) {
            return null;
        }
        if (peerUid == 0) {
            return allowRoot ? null : "root (uid 0) may not connect to a server of uid "
                    + ownUid + " unless " + UdsSettings.ALLOW_ROOT + "=true";
        }
        return "the peer's uid " + peerUid + " differs from the server's uid " + ownUid;
    }

    /** The server side of one connection; used on its event loop only. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private final PeerCredentials peer;
        private final AtomicInteger inFlight = new AtomicInteger();
        private boolean greeted;
        private boolean refused;
        private ScheduledFuture<?> handshakeTimer;

        Connection(PeerCredentials peer) {
            this.peer = peer;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            handshakeTimer = ctx.executor().schedule(() -> {
                if (!greeted) {
                    LOG.warn("closing a connection to {} from pid {}: no handshake within {} ms",
                            socketPath, peer.pid(), HANDSHAKE_TIMEOUT_MILLIS);
                    ctx.close();
                }
            }, HANDSHAKE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            handshakeTimer.cancel(false);
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                read(ctx, frame);
            } finally {
                frame.release();
            }
        }

        private void read(ChannelHandlerContext ctx, ByteBuf frame) {
            if (refused) {
                return; // the connection closes once the refusal is sent; nothing more is served
            }
            byte type = WireCodec.type(frame);
            if (!greeted) {
                if (type != FrameDescriptor.HELLO) {
                    throw new ProtocolViolation("expected HELLO first, got "
                            + FrameDescriptor.typeName(type));
                }
                Handshake theirs = WireCodec.decodeHello(frame);
                String refusal = hello.incompatibility(theirs);
                greeted = true;
                handshakeTimer.cancel(false);
                ByteBuf reply = WireCodec.encodeHelloReply(ctx.alloc(), hello, refusal,
                        settings.maxFrameBytes());
                if (refusal == null) {
                    ctx.writeAndFlush(reply, ctx.voidPromise());
                } else {
                    refused = true;
                    ctx.channel().config().setAutoRead(false);
                    LOG.warn("refused a client of {} (pid {}): {}", socketPath, theirs.pid(), refusal);
                    ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
                }
                return;
            }
            if (type != FrameDescriptor.CALL) {
                throw new ProtocolViolation("unexpected " + FrameDescriptor.typeName(type) + " frame");
            }
            long id = WireCodec.correlationId(frame);
            MethodCall call = WireCodec.decodeCall(frame);
            Channel ch = ctx.channel();
            if (dispatcher.answersAtOnce(call)) {
                // A state getter: answering here spares two thread hand-offs (to a call thread
                // and back to this loop to write), most of a small call's latency.
                ctx.writeAndFlush(WireCodec.encodeResult(ctx.alloc(), id, dispatchSafely(call),
                        settings.maxFrameBytes()), ctx.voidPromise());
                return;
            }
            if (inFlight.incrementAndGet() >= MAX_IN_FLIGHT) {
                ch.config().setAutoRead(false);
            }
            unanswered.begin();
            activePoll.handedOff();
            try {
                calls.execute(() -> run(ch, id, call));
            } catch (RejectedExecutionException e) {
                activePoll.answered();
                unanswered.end();
                inFlight.decrementAndGet();
                ctx.close();
            }
        }

        private void run(Channel ch, long id, MethodCall call) {
            try {
                CallResult result = dispatchSafely(call);
                if (ch.isActive()) {
                    ch.writeAndFlush(WireCodec.encodeResult(ch.alloc(), id, result,
                            settings.maxFrameBytes()), ch.voidPromise());
                }
            } catch (Throwable t) {
                LOG.warn("closing the connection to {} from pid {}: cannot answer {}: {}",
                        socketPath, peer.pid(), call, t.toString());
                ch.close();
            } finally {
                activePoll.answered();
                unanswered.end(); // the write, if any, is queued on the event loop
                if (inFlight.decrementAndGet() == MAX_IN_FLIGHT - 1) {
                    ch.eventLoop().execute(() -> {
                        if (inFlight.get() < MAX_IN_FLIGHT) {
                            ch.config().setAutoRead(true);
                        }
                    });
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof IOException) {
                LOG.debug("connection to {} from pid {} failed: {}", socketPath, peer.pid(), cause.toString());
            } else {
                Throwable shown = cause instanceof io.netty.handler.codec.DecoderException
                        && cause.getCause() != null ? cause.getCause() : cause;
                LOG.warn("closing the connection to {} from pid {}: {}", socketPath, peer.pid(),
                        shown.toString());
            }
            ctx.close();
        }
    }

    private CallResult dispatchSafely(MethodCall call) {
        try {
            return dispatcher.dispatch(call);
        } catch (Throwable t) {
            return new CallResult.Threw(RemoteError.of(t));
        }
    }

    /**
     * Removes the socket file, unless it is no longer the one this server bound: a successor
     * (for example a daemon started after this one's lock file was deleted) may serve there now.
     */
    private void removeOwnSocketFile() {
        Object bound = boundFile;
        Object now = fileKey(socketPath);
        if (bound == null || now == null || !now.equals(bound)) {
            if (now != null) {
                LOG.info("leaving {} in place: it is no longer the socket this server bound", socketPath);
            }
            return;
        }
        try {
            Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            LOG.warn("cannot remove the socket {}: {}", socketPath, e.toString());
        }
    }

    /** {@return the identity (device and inode) of the file, or {@code null} when there is none} */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /** A peer broke the order or kind of frames. */
    static final class ProtocolViolation extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProtocolViolation(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public String transportId() {
        return "uds";
    }

    @Override
    public String address() {
        return "unix:" + socketPath;
    }

    @Override
    public List<Path> files() {
        return List.of(socketPath);
    }

    /**
     * {@inheritDoc}
     *
     * <p>An answer counts as on its way once its write is queued on the connection's event
     * loop; {@link #close()} queues each connection's close behind it.
     */
    @Override
    public boolean awaitAnswersSent(java.time.Duration timeout) {
        return unanswered.awaitNone(timeout);
    }

    /** {@return how many connections are open now} */
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean onLoop = group.next().inEventLoop();
        List<ChannelFuture> closing = new ArrayList<>();
        Channel listening = serverChannel;
        if (listening != null) {
            closing.add(listening.close());
        }
        for (Channel c : connections) {
            closing.add(c.close());
        }
        calls.close();
        if (!onLoop) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
            for (ChannelFuture f : closing) {
                f.awaitUninterruptibly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
            }
        }
        if (listening != null) {
            removeOwnSocketFile();
        }
        io.netty.util.concurrent.Future<?> stopped = group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (!onLoop && !stopped.awaitUninterruptibly(CLOSE_WAIT_MILLIS)) {
            LOG.warn("the event loop of {} did not stop within {} ms", socketPath, CLOSE_WAIT_MILLIS);
        }
    }
}
