package maestral.api.spi;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The entry point of a transport plugin, found with {@link java.util.ServiceLoader}.
 *
 * <p>Creating a provider binds nothing and starts no thread: only {@link #bind} and
 * {@link #connect} allocate, and what they return is {@link AutoCloseable}.
 *
 * <p>A daemon serves every supported transport at once; a client takes the one named by the
 * {@code maestral.transport} property, else the supported one with the highest
 * {@link #preference()} that the daemon serves.
 *
 * <p><b>Implementations are safe for use by many threads at once.</b>
 */
public interface TransportProvider {

    /** {@return a stable, short, lower-case id, such as {@code "uds"} or {@code "shm"}} */
    String id();

    /**
     * {@return the rank among supported transports; a client prefers a higher one. The unix-socket transport has 100.}
     */
    int preference();

    /** {@return whether this transport works on this machine, and why not} */
    Availability availability();

    /**
     * {@return whether a client of this transport works on this machine}; a transport whose
     * client needs less than its server (no native library, say) says so here, and a client
     * process then skips loading what only a server needs. The default is {@link #availability()}.
     */
    default Availability clientAvailability() {
        return availability();
    }

    /**
     * {@return the JVM options a process needs to use this transport (for example {@code --enable-native-access=...}); a daemon launched as a child JVM gets them}
     */
    List<String> jvmOptions();

    /**
     * Binds this transport's endpoint for one configuration and starts serving it.
     *
     * @param endpoint where to serve; the caller holds the configuration's lock
     * @param hello what the server tells each client in the handshake
     * @param dispatcher carries out each call; it may block, so the transport must not call
     *     it on a thread that serves I/O for other calls
     * @return the running server
     * @throws IOException when the endpoint cannot be bound
     */
    TransportServer bind(Endpoint endpoint, Handshake hello, CallDispatcher dispatcher)
            throws IOException;

    /**
     * Connects to a running server and completes the handshake.
     *
     * @param endpoint where the daemon serves
     * @param hello what this client tells the server in the handshake
     * @param timeout the deadline for connecting and the handshake together
     * @return a client connected to the server
     * @throws maestral.api.CommunicationError when no server answers in time, or the
     *     handshake fails (the message names both sides' protocol versions)
     */
    TransportClient connect(Endpoint endpoint, Handshake hello, Duration timeout);
}
