package maestral.transport.shm;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import maestral.api.CommunicationError;
import maestral.api.spi.Availability;
import maestral.api.spi.CallDispatcher;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.TransportClient;
import maestral.api.spi.TransportProvider;
import maestral.api.spi.TransportServer;
import maestral.transport.shm.internal.ChronicleSupport;
import maestral.transport.shm.internal.ShmClient;
import maestral.transport.shm.internal.ShmServer;
import maestral.transport.shm.internal.ShmSettings;

/**
 * The shared-memory transport: calls travel through memory-mapped Chronicle Queue files in
 * the runtime folder, a request queue into the daemon and a reply queue per client, polled
 * with a configurable idle strategy. Its id is {@code "shm"}; its preference, 200, puts it
 * before the unix-socket transport (100) wherever it is available.
 *
 * <p>Creating a provider allocates nothing: {@link #bind} and {@link #connect} do, and what
 * they return is closed by its owner. The system properties {@code maestral.shm.idle} and
 * {@code maestral.shm.maxParkMicros} are read at each {@code bind} and {@code connect}.
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class ShmTransportProvider implements TransportProvider {

    /** The transport's id. */
    public static final String ID = "shm";
    /** The transport's rank: above the unix-socket transport's 100. */
    public static final int PREFERENCE = 200;

    /** Creates the provider; {@link java.util.ServiceLoader} calls it. */
    public ShmTransportProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int preference() {
        return PREFERENCE;
    }

    @Override
    public Availability availability() {
        return ChronicleSupport.availability();
    }

    @Override
    public List<String> jvmOptions() {
        return ChronicleSupport.JVM_OPTIONS;
    }

    @Override
    public TransportServer bind(Endpoint endpoint, Handshake hello, CallDispatcher dispatcher)
            throws IOException {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(hello, "hello");
        Objects.requireNonNull(dispatcher, "dispatcher");
        Availability a = availability();
        if (!a.supported()) {
            throw new IOException(a.reason());
        }
        return ShmServer.bind(endpoint, hello, dispatcher, ShmSettings.fromSystemProperties());
    }

    @Override
    public TransportClient connect(Endpoint endpoint, Handshake hello, Duration timeout) {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(hello, "hello");
        Objects.requireNonNull(timeout, "timeout");
        Availability a = availability();
        if (!a.supported()) {
            throw new CommunicationError("Cannot use the shm transport: " + a.reason());
        }
        ShmSettings settings;
        try {
            settings = ShmSettings.fromSystemProperties();
        } catch (IllegalArgumentException e) {
            throw new CommunicationError("Cannot use the shm transport: " + e.getMessage(), e);
        }
        return ShmClient.connect(endpoint, hello, timeout, settings);
    }

    @Override
    public String toString() {
        return "ShmTransportProvider[" + ID + ", preference " + PREFERENCE + "]";
    }
}
