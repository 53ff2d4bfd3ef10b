package maestral.transport.uds;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import maestral.api.spi.Availability;
import maestral.api.spi.CallDispatcher;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.TransportClient;
import maestral.api.spi.TransportProvider;
import maestral.api.spi.TransportServer;
import maestral.transport.uds.internal.NativeTransport;
import maestral.transport.uds.internal.UdsClient;
import maestral.transport.uds.internal.UdsServer;
import maestral.transport.uds.internal.UdsSettings;

/**
 * The unix-domain-socket transport, id {@code "uds"}, preference 100: the daemon serves with
 * Netty's native epoll or kqueue domain socket channels, clients use the JDK's socket channel; length-prefixed frames, Kryo payloads of registered types
 * only, and a check of the peer's uid on every connection.
 *
 * <p>A pure factory: creating it binds nothing and starts no thread. {@link #bind} creates
 * the server's event loop, which its {@code close()} stops; a client ({@link #connect}) is a
 * plain JDK socket channel with no thread of its own.
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class UdsTransportProvider implements TransportProvider {

    /** The id of this transport. */
    public static final String ID = "uds";

    /** Creates the provider; {@link java.util.ServiceLoader} calls it. */
    public UdsTransportProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int preference() {
        return 100;
    }

    @Override
    public Availability availability() {
        try {
            return switch (NativeTransport.detect()) {
                case NativeTransport.Found f -> Availability.supportedHere();
                case NativeTransport.Missing m -> Availability.unsupported(m.reason());
            };
        } catch (Throwable t) {
            return Availability.unsupported("the uds transport cannot load: " + t);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The client is the JDK's own unix-domain socket channel: it needs no native library,
     * only a JDK that has unix-domain sockets (Linux, macOS).
     */
    @Override
    public Availability clientAvailability() {
        try {
            java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX).close();
            return Availability.supportedHere();
        } catch (IOException | UnsupportedOperationException e) {
            return Availability.unsupported("this JDK has no unix-domain sockets here: " + e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Netty loads its native library through JNI, a restricted operation: the option
     * names both the unnamed module (class path) and {@code io.netty.common} (module path), so
     * that it is valid in either mode.
     */
    @Override
    public List<String> jvmOptions() {
        return List.of("--enable-native-access=ALL-UNNAMED,io.netty.common");
    }

    @Override
    public TransportServer bind(Endpoint endpoint, Handshake hello, CallDispatcher dispatcher)
            throws IOException {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(hello, "hello");
        Objects.requireNonNull(dispatcher, "dispatcher");
        return switch (NativeTransport.detect()) {
            case NativeTransport.Found f -> UdsServer.bind(endpoint, hello, dispatcher, f.transport(),
                    UdsSettings.fromSystemProperties());
            case NativeTransport.Missing m -> throw new IOException(
                    "the uds transport is not supported here: " + m.reason(), m.cause());
        };
    }

    @Override
    public TransportClient connect(Endpoint endpoint, Handshake hello, Duration timeout) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(hello, "hello");
        Objects.requireNonNull(timeout, "timeout");
        return UdsClient.connect(endpoint, hello, timeout, UdsSettings.fromSystemProperties());
    }

    @Override
    public String toString() {
        return "UdsTransportProvider[" + ID + "]";
    }
}
