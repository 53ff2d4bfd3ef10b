package maestral.sync.spi;

import java.io.IOException;

/**
 * A kind of remote that the sync engine can sync a local folder with, found with
 * {@link java.util.ServiceLoader}: a jar that {@code provides maestral.sync.spi.RemoteBackend}
 * is a plugin, and {@code maestral link TARGET} picks the first backend that
 * {@linkplain #accepts(String) accepts} the target.
 *
 * <p>Creating a backend is pure: it opens nothing and starts no thread; only
 * {@link #open(String)} allocates, and the session it returns is closed by its user.
 *
 * <p><b>Implementations are safe for use by many threads at once.</b>
 */
public interface RemoteBackend {

    /** {@return a stable id of this backend, such as {@code "folder"}} */
    String id();

    /**
     * {@return whether this backend can reach the target; looks at its form only, without
     * I/O}
     *
     * @param target what the user passed to {@code link}: a path, a URI, ...
     */
    boolean accepts(String target);

    /**
     * Opens a session with the remote.
     *
     * @param target a target this backend {@linkplain #accepts(String) accepts}
     * @return the session; the caller closes it
     * @throws IOException when the remote cannot be reached or is not usable
     */
    RemoteSession open(String target) throws IOException;
}
