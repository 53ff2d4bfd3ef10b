package maestral.transport.uds.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import maestral.api.BadInputError;
import maestral.api.CallTimeoutError;
import maestral.api.CommunicationError;
import maestral.api.spi.CallResult;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MethodCall;
import maestral.api.spi.TransportClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a daemon, multiplexing calls: the calling thread encodes its call and
 * hands the frame to the connection's event loop, then waits on its own {@link Pending}
 * completion, which the event loop fills in when the result with the call's correlation id
 * arrives. A call whose deadline passes gives up alone; a connection that drops fails every
 * pending call at once.
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class UdsClient implements TransportClient {

    private static final Logger LOG = LoggerFactory.getLogger(UdsClient.class);
    private static final long CLOSE_WAIT_MILLIS = 3_000;

    private final Path socketPath;
    private final UdsSettings settings;
    private final EventLoopGroup group;
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong();
    private final CompletableFuture<WireCodec.HelloReply> helloReply = new CompletableFuture<>();
    private volatile Channel channel;
    private volatile Handshake serverHello;
    /** Why calls fail from now on; {@code null} while open. */
    private volatile String closedReason;

    private UdsClient(Endpoint endpoint, NativeTransport transport, UdsSettings settings) {
        this.socketPath = endpoint.socketPath();
        this.settings = settings;
        this.group = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("maestral-uds-client-" + endpoint.configName(), true),
                transport.ioHandlers().get());
    }

    /**
     * Connects to a daemon and completes the handshake, all within the timeout.
     *
     * @param endpoint where the daemon serves
     * @param hello this client's handshake
     * @param timeout the deadline of connecting and the handshake together
     * @param transport the native transport
     * @param settings the limits
     * @return the connected client
     * @throws CommunicationError when no daemon answers in time or the handshake fails
     */
    public static UdsClient connect(Endpoint endpoint, Handshake hello, Duration timeout,
                                    NativeTransport transport, UdsSettings settings) {
        long deadline = System.nanoTime() + timeout.toNanos();
        UdsClient client = new UdsClient(endpoint, transport, settings);
        try {
            client.open(hello, deadline, timeout, transport);
            return client;
        } catch (RuntimeException | Error e) {
            client.closeWith("the connection is closed: the handshake failed");
            throw e;
        }
    }

    private void open(Handshake hello, long deadline, Duration timeout, NativeTransport transport) {
        long connectMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.channel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectMillis))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameDecoder(settings.maxFrameBytes()), new Reader());
                    }
                });
        ChannelFuture connected = bootstrap.connect(new DomainSocketAddress(socketPath.toString()));
        if (!connected.awaitUninterruptibly(connectMillis + 100)) {
            connected.cancel(false);
            throw new CommunicationError("Cannot connect to the maestral daemon at " + socketPath
                    + ": no answer within " + timeout.toMillis() + " ms");
        }
        if (!connected.isSuccess()) {
            Throwable cause = connected.cause();
            throw new CommunicationError("Cannot connect to the maestral daemon at " + socketPath
                    + ": " + (cause == null ? "cancelled" : cause.getMessage()), cause);
        }
        channel = connected.channel();
        channel.writeAndFlush(WireCodec.encodeHello(channel.alloc(), hello, settings.maxFrameBytes()),
                channel.voidPromise());
        WireCodec.HelloReply reply;
        try {
            reply = helloReply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new CommunicationError("The maestral daemon at " + socketPath
                    + " did not answer the handshake within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new CommunicationError("The handshake with the maestral daemon at " + socketPath
                    + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommunicationError("interrupted during the handshake with " + socketPath, e);
        }
        if (reply.refusal() != null) {
            throw new CommunicationError("The maestral daemon at " + socketPath
                    + " refused the connection: " + reply.refusal());
        }
        hello.requireCompatible(reply.server());
        serverHello = reply.server();
    }

    @Override
    public Handshake serverHello() {
        return serverHello;
    }

    @Override
    public CallResult call(MethodCall call, long timeoutNanos) {
        long start = System.nanoTime();
        String reason = closedReason;
        if (reason != null) {
            throw new CommunicationError("Cannot call " + call + ": " + reason);
        }
        Channel ch = channel;
        long id = nextId.incrementAndGet();
        ByteBuf frame;
        try {
            frame = WireCodec.encodeCall(ch.alloc(), id, call, settings.maxFrameBytes());
        } catch (WireCodec.EncodeException e) {
            throw new BadInputError("Cannot send the call", "Cannot send " + call + ": " + e.getMessage());
        }
        Pending p = new Pending(Thread.currentThread());
        pending.put(id, p);
        reason = closedReason;
        if (reason != null) {
            pending.remove(id);
            frame.release();
            throw new CommunicationError("Cannot call " + call + ": " + reason);
        }
        ch.writeAndFlush(frame, ch.voidPromise());
        Object outcome = p.await(start + timeoutNanos);
        if (outcome == null) {
            pending.remove(id);
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

    @Override
    public boolean isOpen() {
        Channel ch = channel;
        return closedReason == null && ch != null && ch.isActive();
    }

    @Override
    public void close() {
        closeWith("the connection is closed");
    }

    private void closeWith(String reason) {
        boolean first;
        synchronized (this) {
            first = closedReason == null;
            if (first) {
                closedReason = reason;
            }
        }
        failPending();
        helloReply.completeExceptionally(new CommunicationError(reason));
        Channel ch = channel;
        boolean onLoop = group.next().inEventLoop();
        if (ch != null) {
            ChannelFuture f = ch.close();
            if (!onLoop) {
                f.awaitUninterruptibly(CLOSE_WAIT_MILLIS);
            }
        }
        io.netty.util.concurrent.Future<?> stopped = group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (!onLoop && !stopped.awaitUninterruptibly(CLOSE_WAIT_MILLIS)) {
            LOG.warn("the event loop of the client of {} did not stop within {} ms",
                    socketPath, CLOSE_WAIT_MILLIS);
        }
    }

    private void failPending() {
        String reason = closedReason;
        for (Long id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.complete(reason);
            }
        }
    }

    /** Reads frames on the event loop and completes the calls they answer. */
    private final class Reader extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                byte type = WireCodec.type(frame);
                if (type == FrameDescriptor.RESULT && serverHello != null) {
                    Pending p = pending.remove(WireCodec.correlationId(frame));
                    if (p != null) {
                        CallResult result;
                        try {
                            result = WireCodec.decodeResult(frame);
                        } catch (RuntimeException e) {
                            p.complete("the daemon's answer could not be decoded (" + e.getMessage()
                                    + "); the connection is closed");
                            throw e;
                        }
                        p.complete(result);
                    }
                } else if (type == FrameDescriptor.HELLO_REPLY && !helloReply.isDone()) {
                    helloReply.complete(WireCodec.decodeHelloReply(frame));
                } else {
                    throw new UdsServer.ProtocolViolation("unexpected "
                            + FrameDescriptor.typeName(type) + " frame from the daemon");
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            synchronized (UdsClient.this) {
                if (closedReason == null) {
                    closedReason = "the connection to the maestral daemon at " + socketPath + " was lost";
                }
            }
            failPending();
            helloReply.completeExceptionally(new CommunicationError(closedReason));
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof IOException)) {
                Throwable shown = cause instanceof io.netty.handler.codec.DecoderException
                        && cause.getCause() != null ? cause.getCause() : cause;
                LOG.warn("closing the connection to {}: {}", socketPath, shown.toString());
            }
            ctx.close();
        }
    }

    /**
     * The completion of one call: the event loop (or a closer) sets the outcome once and
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

        private final Thread waiter;
        /** A {@link CallResult}, a failure text, or {@link #GAVE_UP}. */
        volatile Object outcome;

        Pending(Thread waiter) {
            this.waiter = waiter;
        }

        boolean complete(Object value) {
            if (OUTCOME.compareAndSet(this, null, value)) {
                if (value != GAVE_UP) {
                    LockSupport.unpark(waiter);
                }
                return true;
            }
            return false;
        }

        /** {@return the outcome, or {@code null} when the deadline passed or the thread was interrupted} */
        Object await(long deadline) {
            Object o;
            while ((o = outcome) == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || Thread.currentThread().isInterrupted()) {
                    return null;
                }
                LockSupport.parkNanos(this, left);
            }
            return o;
        }
    }
}
