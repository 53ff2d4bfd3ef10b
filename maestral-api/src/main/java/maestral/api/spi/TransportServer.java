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
     * Stops accepting, fails the calls still running with a {@code CommunicationError} on the
     * client side, closes every connection and removes the endpoint files. Idempotent.
     */
    @Override
    void close();
}
