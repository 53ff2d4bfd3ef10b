package maestral.daemon.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import maestral.api.CommunicationError;
import maestral.api.spi.TransportProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the transport plugins with {@link ServiceLoader} and chooses among them. Discovery has
 * a defined outcome: every provider found is logged with where it came from; of two with the
 * same id the first found wins and the other is logged; an unsupported one is logged with its
 * reason and skipped.
 *
 * <p>A daemon serves every supported transport, or those named by {@code maestral.transports}
 * (comma list). A client uses the one named by {@code maestral.transport} (or
 * {@code MAESTRAL_TRANSPORT}), else the supported one of highest preference that the daemon
 * serves.
 */
public final class Transports {

    private static final Logger LOG = LoggerFactory.getLogger(Transports.class);

    /**
     * Transports a client tries first, when served, before the preference order (comma list):
     * the command line sets it to {@code uds}, whose connection is cheapest to set up in a
     * fresh JVM; long-lived programs keep the fastest per call.
     */
    public static final String PREFER_PROPERTY = "maestral.transport.prefer";

    /**
     * The transports cheapest to connect over from a fresh JVM, first first: uds costs a socket
     * and a handshake, where shm's first connect in a process sets up Chronicle (a second or
     * more) and may wait for the daemon to ready a spare session. One-shot clients (the command
     * line, a start's readiness probe) prefer them.
     */
    public static final String CHEAPEST_FIRST_CONNECT = "uds";

    private static volatile Map<String, TransportProvider> found;

    private Transports() {
    }

    /** {@return every provider found, by id, highest preference first} */
    public static Map<String, TransportProvider> all() {
        Map<String, TransportProvider> result = found;
        if (result == null) {
            synchronized (Transports.class) {
                if (found == null) {
                    found = discover();
                }
                result = found;
            }
        }
        return result;
    }

    private static Map<String, TransportProvider> discover() {
        List<TransportProvider> providers = new ArrayList<>();
        for (ServiceLoader.Provider<TransportProvider> p : ServiceLoader.load(TransportProvider.class).stream().toList()) {
            try {
                providers.add(p.get());
            } catch (java.util.ServiceConfigurationError e) {
                LOG.warn("Transport {} cannot be loaded: {}", p.type().getName(), e.toString());
            }
        }
        providers.sort(Comparator.comparingInt(TransportProvider::preference).reversed());
        Map<String, TransportProvider> byId = new LinkedHashMap<>();
        for (TransportProvider p : providers) {
            TransportProvider first = byId.putIfAbsent(p.id(), p);
            if (first != null) {
                LOG.warn("Two transports have the id '{}': using {} from {}, ignoring {} from {}", p.id(),
                        first.getClass().getName(), origin(first), p.getClass().getName(), origin(p));
            } else {
                LOG.debug("Found transport '{}' ({}) in {}", p.id(), p.getClass().getName(), origin(p));
            }
        }
        return java.util.Collections.unmodifiableMap(byId);
    }

    /**
     * {@return the module or jar it came from}
     *
     * @param p a provider
     */
    public static String origin(TransportProvider p) {
        Module m = p.getClass().getModule();
        if (m.isNamed()) {
            return "module " + m.getName();
        }
        var source = p.getClass().getProtectionDomain().getCodeSource();
        return source == null ? "unknown location" : String.valueOf(source.getLocation());
    }

    /**
     * {@return the transports a daemon serves: supported, narrowed by {@code maestral.transports}}
     *
     * @throws IllegalStateException when none is left, saying what was found
     */
    public static List<TransportProvider> forDaemon() {
        String narrow = System.getProperty("maestral.transports", "").trim();
        Set<String> wanted = narrow.isEmpty() ? null
                : Arrays.stream(narrow.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .collect(Collectors.toSet());
        List<TransportProvider> out = new ArrayList<>();
        for (TransportProvider p : all().values()) {
            if (wanted != null && !wanted.contains(p.id())) {
                continue;
            }
            var availability = p.availability();
            if (availability.supported()) {
                out.add(p);
            } else {
                LOG.warn("Transport '{}' is not supported here: {}", p.id(), availability.reason());
            }
        }
        if (wanted != null) {
            for (String id : wanted) {
                if (!all().containsKey(id)) {
                    throw new IllegalStateException("maestral.transports names '" + id
                            + "', but no such transport is on the path (found: " + all().keySet() + ")");
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("No usable transport: found " + all().keySet()
                    + (wanted == null ? "" : ", narrowed to " + wanted)
                    + ". Put maestral-transport-uds (or another transport) on the path.");
        }
        return out;
    }

    /** {@return the transport a client asks for by property or environment, or null} */
    public static String requestedByClient() {
        String id = System.getProperty("maestral.transport");
        if (id == null || id.isBlank()) {
            id = System.getenv("MAESTRAL_TRANSPORT");
        }
        return id == null || id.isBlank() ? null : id.trim();
    }

    /**
     * {@return the provider a client uses}
     *
     * @param served the ids the daemon serves
     * @throws CommunicationError when the requested one or any common one is missing
     */
    public static TransportProvider forClient(Collection<String> served) {
        return forClient(served, System.getProperty(PREFER_PROPERTY, ""));
    }

    /**
     * {@return the provider a one-shot probe uses}: what {@link #forClient(Collection)} would
     * choose, but preferring {@link #CHEAPEST_FIRST_CONNECT} unless {@value #PREFER_PROPERTY}
     * says otherwise
     *
     * @param served the ids the daemon serves
     * @throws CommunicationError when the requested one or any common one is missing
     */
    public static TransportProvider forProbe(Collection<String> served) {
        return forClient(served, System.getProperty(PREFER_PROPERTY, CHEAPEST_FIRST_CONNECT));
    }

    private static TransportProvider forClient(Collection<String> served, String prefer) {
        String requested = requestedByClient();
        if (requested != null) {
            TransportProvider p = all().get(requested);
            if (p == null) {
                throw new CommunicationError("Transport '" + requested + "' (maestral.transport) is not "
                        + "on this program's path; found " + all().keySet());
            }
            if (!served.contains(requested)) {
                throw new CommunicationError("The daemon does not serve transport '" + requested
                        + "'; it serves " + served);
            }
            return p;
        }
        for (String id : prefer.split(",")) {
            TransportProvider p = all().get(id.trim());
            if (p != null && served.contains(p.id()) && p.clientAvailability().supported()) {
                return p;
            }
        }
        for (TransportProvider p : all().values()) {
            if (served.contains(p.id()) && p.clientAvailability().supported()) {
                return p;
            }
        }
        throw new CommunicationError("No common transport: the daemon serves " + served
                + ", this program has " + all().keySet());
    }
}
