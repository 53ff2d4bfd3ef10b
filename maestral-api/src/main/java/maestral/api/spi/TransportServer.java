package maestral.api.spi;

import java.nio.file.Path;
import java.util.List;

/**
 * A bound, serving endpoint of one transport for one configuration.
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public interface TransportServer extends AutoCloseable {

    /** {@return the id of the transport, as {@link TransportProvider#id()}} */
    String transportId();

    /** {@return a human-readable address of the endpoint, for logs and {@code doctor}} */
    String address();

    /** {@return the files this server created, all removed by {@link #close()}} */
    List<Path> files();

    /**
     * Waits until the answer of every call whose dispatch has returned is on its way to the
     * client: after this, {@link #close()} sends those answers before it closes the
     * connections. A daemon calls it when its calls have drained, so that the last answers
     * (such as {@code shutdownDaemon()}'s) are not lost. The default, for a transport that
     * sends each answer before its dispatch counts as returned, waits for nothing.
     *
     * @param timeout the longest wait
     * @return whether every such answer was on its way in time
     */
    default boolean awaitAnswersSent(java.time.Duration timeout) {
        return true;
    }

    /**
     * Stops accepting, fails the calls still running with a {@code CommunicationError} on the
     * client side, closes every connection and removes the endpoint files. Idempotent.
     */
    @Override
    void close();
}
