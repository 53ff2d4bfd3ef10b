/**
 * The unix-domain-socket transport of maestral: length-prefixed frames whose payloads Kryo
 * encodes with serializers of the shared {@link maestral.api.spi.WireFormat}, every payload
 * type registered up front. The daemon serves them with Netty's
 * native epoll (Linux) or kqueue (macOS) channels; a client uses the JDK's own socket channel
 * and no thread of its own, so that a lone caller's round trip is two system-call wake-ups,
 * as with a raw socket.
 *
 * <p>It exports nothing. It {@code provides} {@link maestral.api.spi.TransportProvider} with
 * {@code maestral.transport.uds.UdsTransportProvider}, whose id is {@code "uds"} and whose
 * preference is 100; it {@code uses} no service.
 *
 * <p>System properties, read when a server binds or a client connects:
 * <ul>
 *   <li>{@code maestral.maxFrameBytes} ({@link maestral.api.spi.FrameLimit}, the one limit of
 *       every transport): the largest frame, in bytes, that either side sends or accepts,
 *       header included; default {@code 67108864} (64 MiB). A peer that announces a larger
 *       frame is disconnected before anything is allocated for it.</li>
 *   <li>{@code maestral.uds.allowRoot}: whether a server that does not run as root accepts
 *       connections from root (uid 0); default {@code false}. Peers of any other uid than the
 *       server's own are always refused.</li>
 * </ul>
 * It also sets Kryo's own {@code kryo.unsafe} to {@code false} when it is unset, so that
 * Kryo does not touch {@code sun.misc.Unsafe} (which JDK 24 and later warn about); this
 * transport uses no unsafe Kryo stream.
 *
 * <p>On the module path, Netty's native library sits in a module that no module requires
 * ({@code io.netty.transport.epoll.linux.x86_64}, {@code io.netty.transport.kqueue.osx.x86_64}
 * or {@code io.netty.transport.kqueue.osx.aarch_64}): launch with
 * {@code --add-modules ALL-MODULE-PATH} (or that module), else the transport reports itself
 * unsupported. {@code UdsTransportProvider.jvmOptions()} gives the native-access option.
 *
 * @provides maestral.api.spi.TransportProvider the {@code "uds"} transport
 */
module maestral.transport.uds {
    requires maestral.api;

    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.codec;
    requires io.netty.transport.unix.common;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.classes.kqueue;

    requires com.esotericsoftware.kryo;
    requires org.slf4j;

    provides maestral.api.spi.TransportProvider with maestral.transport.uds.UdsTransportProvider;
}
