package maestral.api.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Properties;
import maestral.api.CommunicationError;

/**
 * The first exchange on every connection: each side says which protocol it speaks and which
 * {@link maestral.api.Maestral} interface it was built against, so that a mismatched client
 * fails at once with a clear {@link CommunicationError} rather than with a garbled call.
 *
 * @param protocolVersion the version of the call protocol, {@link #PROTOCOL_VERSION} here
 * @param fingerprint the fingerprint of the wire model, {@link MaestralMethods#fingerprint()}
 * @param libraryVersion the version of the maestral library of the sender
 * @param transportId the transport in use
 * @param pid the sender's process id
 * @param instanceId the daemon instance's id; {@code ""} for a client
 */
public record Handshake(int protocolVersion, String fingerprint, String libraryVersion,
                        String transportId, long pid, String instanceId) {

    /**
     * The call protocol this library speaks: 2 since the shared {@link WireFormat}, whose
     * {@link WireModel#fingerprint() fingerprint} covers every record component too.
     */
    public static final int PROTOCOL_VERSION = 2;

    /** The version of this library, from its build. */
    public static final String LIBRARY_VERSION = readLibraryVersion();

    /** Validates the parts. */
    public Handshake {
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(libraryVersion, "libraryVersion");
        Objects.requireNonNull(transportId, "transportId");
        Objects.requireNonNull(instanceId, "instanceId");
    }

    /**
     * {@return the hello of a client of this library}
     *
     * @param transportId the transport in use
     */
    public static Handshake client(String transportId) {
        return new Handshake(PROTOCOL_VERSION, MaestralMethods.fingerprint(), LIBRARY_VERSION,
                transportId, ProcessHandle.current().pid(), "");
    }

    /**
     * {@return the hello of a daemon of this library}
     *
     * @param transportId the transport served
     * @param instanceId the daemon instance's id
     */
    public static Handshake server(String transportId, String instanceId) {
        return new Handshake(PROTOCOL_VERSION, MaestralMethods.fingerprint(), LIBRARY_VERSION,
                transportId, ProcessHandle.current().pid(), instanceId);
    }

    /**
     * {@return {@code null} when both sides can talk, else why not, naming both sides' versions}
     *
     * @param other the other side's hello
     */
    public String incompatibility(Handshake other) {
        if (other.protocolVersion != protocolVersion || !other.fingerprint.equals(fingerprint)) {
            return "protocol mismatch: this side speaks protocol " + protocolVersion
                    + " (library " + libraryVersion + ", wire model " + fingerprint
                    + "), the other side (pid " + other.pid + ") speaks protocol "
                    + other.protocolVersion + " (library " + other.libraryVersion
                    + ", wire model " + other.fingerprint + ")";
        }
        return null;
    }

    /**
     * Checks that a daemon's hello is compatible with this client's.
     *
     * @param daemon the daemon's hello
     * @throws CommunicationError naming both sides' versions when they cannot talk
     */
    public void requireCompatible(Handshake daemon) {
        String problem = incompatibility(daemon);
        if (problem != null) {
            throw new CommunicationError("Cannot talk to the maestral daemon: " + problem);
        }
    }

    private static String readLibraryVersion() {
        try (InputStream in = Handshake.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
