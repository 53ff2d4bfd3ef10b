package maestral.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import maestral.sync.spi.RemoteBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remote backends on the path, found with {@link ServiceLoader}, and the choice of one
 * for a link target: the first (by id) that accepts it, or the one the system property
 * {@code maestral.backend} names. None that accepts it is an {@link IllegalArgumentException}
 * naming the backends found.
 */
public final class Backends {

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {
    }

    /** {@return every backend found, sorted by id} */
    public static List<RemoteBackend> all() {
        List<RemoteBackend> out = new ArrayList<>();
        ServiceLoader.load(RemoteBackend.class, Backends.class.getClassLoader()).forEach(out::add);
        out.sort(java.util.Comparator.comparing(RemoteBackend::id));
        return out;
    }

    /**
     * {@return the backend for a target}
     *
     * @param target what to link
     * @throws IllegalArgumentException when no backend accepts it
     */
    public static RemoteBackend forTarget(String target) {
        String forced = System.getProperty("maestral.backend");
        List<RemoteBackend> all = all();
        for (RemoteBackend b : all) {
            if ((forced == null || forced.equals(b.id())) && b.accepts(target)) {
                LOG.debug("Backend '{}' ({}) takes '{}'; found: {}", b.id(),
                        b.getClass().getProtectionDomain().getCodeSource() == null ? b.getClass().getModule()
                                : b.getClass().getProtectionDomain().getCodeSource().getLocation(),
                        target, all.stream().map(RemoteBackend::id).toList());
                return b;
            }
        }
        throw new IllegalArgumentException("No remote backend accepts '" + target + "' (backends: "
                + all.stream().map(RemoteBackend::id).toList() + ")");
    }
}
