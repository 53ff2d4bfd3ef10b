package maestral.daemon.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import maestral.api.CommunicationError;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.TransportClient;
import maestral.api.spi.TransportProvider;
import maestral.lock.Lock;

/** Connects a client to the running daemon of a configuration, through its instance record. */
public final class Connector {

    private Connector() {
    }

    /**
     * {@return the endpoint of the configuration}
     *
     * @param folders the folders
     * @param configName the configuration
     */
    public static Endpoint endpoint(Folders folders, String configName) {
        return new Endpoint(configName, folders.runtime(), folders.socketFile(configName));
    }

    /**
     * Connects to the daemon and completes the handshake.
     *
     * @param folders the folders
     * @param configName the configuration
     * @param timeout the deadline of connect and handshake
     * @return a connected client
     * @throws CommunicationError saying why when no daemon runs or it cannot be reached
     */
    public static TransportClient connect(Folders folders, String configName, Duration timeout) {
        return connectIfRunning(folders, configName, timeout).orElseThrow(() -> new CommunicationError(
                "Could not get proxy for '" + configName + "': the daemon is not running"));
    }

    /**
     * Connects to the daemon when one runs, asking the kernel who holds the lock once: a
     * one-shot client pays one lock probe, not one to learn that a daemon runs and another to
     * learn its pid.
     *
     * @param folders the folders
     * @param configName the configuration
     * @param timeout the deadline of connect and handshake
     * @return a connected client, or empty when nothing holds the configuration's lock
     * @throws CommunicationError saying why when a daemon holds the lock but cannot be reached
     */
    public static Optional<TransportClient> connectIfRunning(Folders folders, String configName,
                                                             Duration timeout) {
        return connectIfRunning(folders, configName, timeout, Transports::forClient);
    }

    /**
     * {@return whether the daemon runs and answers a handshake}, over the transport cheapest to
     * connect over from this process ({@link Transports#forProbe}): a start's readiness probe
     *
     * @param folders the folders
     * @param configName the configuration
     * @param timeout the deadline of connect and handshake
     */
    public static boolean answers(Folders folders, String configName, Duration timeout) {
        try (TransportClient client = connectIfRunning(folders, configName, timeout, Transports::forProbe)
                .orElse(null)) {
            return client != null && client.isOpen();
        } catch (CommunicationError e) {
            return false;
        }
    }

    private static Optional<TransportClient> connectIfRunning(
            Folders folders, String configName, Duration timeout,
            java.util.function.Function<java.util.Set<String>, TransportProvider> choose) {
        Lock lock = Lock.singleton(configName, folders.runtime());
        OptionalLong pid = lock.lockingPid();
        if (pid.isEmpty()) {
            if (lock.locked()) { // held, but the kernel did not say by whom
                throw new CommunicationError("The maestral daemon for '" + configName
                        + "' holds its lock, but its pid cannot be read: it cannot be reached");
            }
            return Optional.empty();
        }
        InstanceRecord record = InstanceRecord.read(folders.instanceFile(configName))
                .filter(r -> r.pid() == pid.getAsLong())
                .orElseThrow(() -> new CommunicationError("The maestral daemon for '" + configName
                        + "' (pid " + pid.getAsLong() + ") holds the lock but has published no endpoints in "
                        + folders.instanceFile(configName) + ": it is starting, or stuck"));
        TransportProvider provider = choose.apply(record.endpoints().keySet());
        try {
            return Optional.of(provider.connect(endpoint(folders, configName), Handshake.client(provider.id()),
                    timeout));
        } catch (CommunicationError e) {
            throw new CommunicationError("Cannot reach the maestral daemon for '" + configName + "' (pid "
                    + pid.getAsLong() + ") over " + provider.id() + " at "
                    + record.endpoints().get(provider.id()) + ": " + e.getMessage(), e);
        }
    }
}
