package maestral.transport.uds.internal;

import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.kqueue.KQueueDomainSocketChannel;
import io.netty.channel.kqueue.KQueueIoHandler;
import io.netty.channel.kqueue.KQueueServerDomainSocketChannel;
import io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.util.function.Function;

/**
 * The native Netty transport of this machine: epoll on Linux, kqueue on macOS and the BSDs.
 *
 * @param name {@code "epoll"} or {@code "kqueue"}
 * @param ioHandlers creates the I/O handler factory of an event loop group, waiting as the
 *     select strategy says
 * @param serverChannel the server domain socket channel class
 * @param channel the client domain socket channel class
 */
public record NativeTransport(String name, Function<SelectStrategyFactory, IoHandlerFactory> ioHandlers,
                              Class<? extends ServerChannel> serverChannel,
                              Class<? extends Channel> channel) {

    /** The outcome of looking for a native transport: one, or the reason there is none. */
    public sealed interface Detection {
    }

    /**
     * A native transport was found.
     *
     * @param transport the transport
     */
    public record Found(NativeTransport transport) implements Detection {
    }

    /**
     * No native transport loads here.
     *
     * @param reason why, for {@code availability()}
     * @param cause the failure of the last one tried, or {@code null}
     */
    public record Missing(String reason, Throwable cause) implements Detection {
    }

    private static final class Holder {
        static final Detection DETECTED = detectNow();
    }

    /** {@return the native transport of this machine, or why there is none; never throws} */
    public static Detection detect() {
        return Holder.DETECTED;
    }

    private static Detection detectNow() {
        Throwable epollCause;
        try {
            if (Epoll.isAvailable()) {
                return new Found(new NativeTransport("epoll", strategy -> EpollIoHandler.newFactory(0, strategy),
                        EpollServerDomainSocketChannel.class, EpollDomainSocketChannel.class));
            }
            epollCause = Epoll.unavailabilityCause();
        } catch (Throwable t) {
            epollCause = t;
        }
        Throwable kqueueCause;
        try {
            if (KQueue.isAvailable()) {
                return new Found(new NativeTransport("kqueue", strategy -> KQueueIoHandler.newFactory(0, strategy),
                        KQueueServerDomainSocketChannel.class, KQueueDomainSocketChannel.class));
            }
            kqueueCause = KQueue.unavailabilityCause();
        } catch (Throwable t) {
            kqueueCause = t;
        }
        String os = System.getProperty("os.name", "?") + " " + System.getProperty("os.arch", "?");
        Throwable relevant = os.toLowerCase(java.util.Locale.ROOT).contains("linux")
                ? epollCause : kqueueCause;
        String hint = NativeTransport.class.getModule().isNamed()
                ? " (on the module path, Netty's native library is in a module nothing requires: "
                    + "launch with --add-modules ALL-MODULE-PATH, or add io.netty.transport.epoll."
                    + "linux.x86_64 / io.netty.transport.kqueue.osx.*)"
                : "";
        return new Missing("neither Netty's native epoll nor kqueue transport loads on " + os
                + hint + ": epoll: " + describe(epollCause) + "; kqueue: " + describe(kqueueCause),
                relevant);
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unavailable";
        }
        Throwable root = t;
        StringBuilder text = new StringBuilder(t.toString());
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            text.append(" <- ").append(root);
        }
        return text.toString();
    }

    /**
     * {@return the credentials of the process at the other end of a connected channel}
     *
     * @param connected a domain socket channel of this transport
     * @throws IOException when the kernel does not tell
     */
    public PeerCredentials peerCredentials(Channel connected) throws IOException {
        if (connected instanceof EpollDomainSocketChannel epoll) {
            return epoll.peerCredentials();
        }
        if (connected instanceof KQueueDomainSocketChannel kqueue) {
            return kqueue.peerCredentials();
        }
        throw new IOException("not a native domain socket channel: " + connected.getClass().getName());
    }
}
