package maestral.sync.internal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import maestral.sync.spi.RemoteBackend;
import maestral.sync.spi.RemoteSession;

/**
 * The embedded backend {@code "folder"}: a folder of this machine is the remote. Targets are
 * a path ({@code /srv/remote}, {@code ~/remote}) or a {@code file:} URI.
 */
public final class FolderBackend implements RemoteBackend {

    /** The backend id. */
    public static final String ID = "folder";

    /** Creates the backend; it opens nothing. */
    public FolderBackend() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean accepts(String target) {
        if (target == null || target.isBlank()) {
            return false;
        }
        return target.startsWith("file:") || target.startsWith("/") || target.startsWith("~")
                || !target.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*");
    }

    /**
     * {@return the folder a target names, absolute and normalized}
     *
     * @param target a path or {@code file:} URI
     */
    public static Path folderOf(String target) {
        if (target.startsWith("file:")) {
            return Path.of(URI.create(target)).toAbsolutePath().normalize();
        }
        if (target.equals("~") || target.startsWith("~/")) {
            String home = System.getenv("HOME");
            target = (home == null || home.isBlank() ? System.getProperty("user.home") : home) + target.substring(1);
        }
        return Path.of(target).toAbsolutePath().normalize();
    }

    @Override
    public RemoteSession open(String target) throws IOException {
        Path folder = folderOf(target);
        if (!Files.isDirectory(folder)) {
            throw new FileNotFoundException("No such folder: " + folder);
        }
        return new FolderSession(folder.toRealPath());
    }
}
