package maestral.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A temporary folder holding maestral's runtime, config, data and log folders, installed as
 * the {@code maestral.dir.*} system properties of this JVM (which a daemon child inherits).
 * It lives on {@code /dev/shm} when that exists, as the runtime folder would on a desktop
 * ({@code $XDG_RUNTIME_DIR} is a tmpfs). {@link #close()} clears the properties and deletes
 * the whole tree.
 *
 * <p><b>One at a time per JVM</b>: the properties are global.
 */
public final class TempFolders implements AutoCloseable {

    private static final String[] KINDS = {"runtime", "config", "data", "log"};
    /** The daemon insists on a private runtime folder (mode 0700). */
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private final Path base;

    private TempFolders(Path base) {
        this.base = base;
    }

    /**
     * Creates the folders and installs them as this JVM's maestral folders.
     *
     * @return the folders
     */
    public static TempFolders install() {
        TempFolders folders = create();
        for (String kind : KINDS) {
            System.setProperty("maestral.dir." + kind, folders.dir(kind).toString());
        }
        return folders;
    }

    /**
     * Creates a temporary folder without touching the system properties.
     *
     * @return the folders
     */
    public static TempFolders create() {
        Path shm = Path.of("/dev/shm");
        Path parent = Files.isDirectory(shm) && Files.isWritable(shm)
                ? shm : Path.of(System.getProperty("java.io.tmpdir"));
        try {
            Path base = Files.createTempDirectory(parent, "mbench-", PRIVATE);
            for (String kind : KINDS) {
                Files.createDirectory(base.resolve(kind), PRIVATE);
            }
            return new TempFolders(base);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the temporary folder itself} */
    public Path base() {
        return base;
    }

    /**
     * {@return one of the maestral folders}
     *
     * @param kind {@code runtime}, {@code config}, {@code data} or {@code log}
     */
    public Path dir(String kind) {
        return base.resolve(kind);
    }

    /** {@return the {@code -Dmaestral.dir.*} options that point another JVM at these folders} */
    public List<String> systemPropertyOptions() {
        List<String> out = new ArrayList<>();
        for (String kind : KINDS) {
            out.add("-Dmaestral.dir." + kind + "=" + dir(kind));
        }
        return out;
    }

    /** Clears the maestral folder properties and deletes the folder tree, as far as it can. */
    @Override
    public void close() {
        for (String kind : KINDS) {
            if (dir(kind).toString().equals(System.getProperty("maestral.dir." + kind))) {
                System.clearProperty("maestral.dir." + kind);
            }
        }
        deleteTree(base);
    }

    /**
     * Deletes a folder tree, ignoring files that vanish meanwhile.
     *
     * @param root the folder
     */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    System.err.println("benchmarks: cannot delete " + p + ": " + e.getMessage());
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("benchmarks: cannot delete " + root + ": " + e.getMessage());
        }
    }
}
