package maestral.daemon.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The folders of maestral on this machine, resolved once from the environment as maestral
 * does (XDG on Linux, {@code ~/Library} on macOS). An environment variable that is set but
 * empty counts as unset. The system properties {@code maestral.dir.runtime},
 * {@code maestral.dir.config}, {@code maestral.dir.data} and {@code maestral.dir.log} override
 * each folder (tests and embedded launches use them).
 *
 * @param runtime lock, socket, instance record and transport endpoints (mode 0700)
 * @param config persisted configuration
 * @param data persisted state and index
 * @param log log files
 * @param socketFallback a short folder for sockets whose path would be too long
 * @param socketPathLimit the longest socket path in bytes on this platform
 */
public record Folders(Path runtime, Path config, Path data, Path log, Path socketFallback,
                      int socketPathLimit) {

    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    /** {@return the folders of the current process's environment and system properties} */
    public static Folders current() {
        Folders f = resolve(System.getenv(), System.getProperty("os.name", ""),
                Path.of(System.getProperty("user.home")), CurrentUser.uid());
        return new Folders(override("runtime", f.runtime), override("config", f.config),
                override("data", f.data), override("log", f.log), f.socketFallback,
                f.socketPathLimit);
    }

    private static Path override(String name, Path fallback) {
        String value = System.getProperty("maestral.dir." + name);
        return value == null || value.isBlank() ? fallback : Path.of(value).toAbsolutePath();
    }

    /**
     * Resolves the folders from an environment, as a pure function.
     *
     * @param env the environment variables
     * @param osName the {@code os.name} of the platform
     * @param home the user's home folder
     * @param uid the user's id, for the socket fallback folder
     * @return the folders
     */
    public static Folders resolve(Map<String, String> env, String osName, Path home, long uid) {
        Path fallback = Path.of("/tmp", "maestral-" + uid);
        if (osName.toLowerCase(Locale.ROOT).contains("mac")) {
            Path support = home.resolve("Library/Application Support/maestral");
            return new Folders(support, support, support, home.resolve("Library/Logs/maestral"),
                    fallback, 103);
        }
        Path cache = xdg(env, "XDG_CACHE_HOME", home.resolve(".cache"));
        Path runtime = xdg(env, "XDG_RUNTIME_DIR", cache);
        return new Folders(runtime.resolve("maestral"),
                xdg(env, "XDG_CONFIG_HOME", home.resolve(".config")).resolve("maestral"),
                xdg(env, "XDG_DATA_HOME", home.resolve(".local/share")).resolve("maestral"),
                xdg(env, "XDG_STATE_HOME", home.resolve(".local/state")).resolve("maestral"),
                fallback, 107);
    }

    private static Path xdg(Map<String, String> env, String name, Path fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        Path p = Path.of(value);
        // The XDG spec says relative paths are invalid and must be ignored.
        return p.isAbsolute() ? p : fallback;
    }

    /**
     * {@return the lock file of the configuration}
     *
     * @param configName a configuration name
     */
    public Path lockFile(String configName) {
        return runtime.resolve(configName + ".lock");
    }

    /**
     * {@return the unix socket of the configuration: in the runtime folder, or in the short fallback folder when that path would be too long for this platform}
     *
     * @param configName a configuration name
     */
    public Path socketFile(String configName) {
        Path preferred = runtime.resolve(configName + ".sock");
        if (fits(preferred)) {
            return preferred;
        }
        Path shorter = socketFallback.resolve(configName + ".sock");
        if (!fits(shorter)) {
            throw new IllegalArgumentException("config name '" + configName
                    + "' is too long: even " + shorter + " exceeds the " + socketPathLimit
                    + "-byte limit of a unix socket path");
        }
        return shorter;
    }

    private boolean fits(Path socket) {
        return socket.toString().getBytes(StandardCharsets.UTF_8).length <= socketPathLimit;
    }

    /**
     * {@return the instance record the running daemon writes}
     *
     * @param configName a configuration name
     */
    public Path instanceFile(String configName) {
        return runtime.resolve(configName + ".instance");
    }

    /**
     * {@return the persisted configuration}
     *
     * @param configName a configuration name
     */
    public Path configFile(String configName) {
        return config.resolve(configName + ".json");
    }

    /**
     * {@return the persisted state}
     *
     * @param configName a configuration name
     */
    public Path stateFile(String configName) {
        return data.resolve(configName + ".state.json");
    }

    /**
     * {@return the rotating log file}
     *
     * @param configName a configuration name
     */
    public Path logFile(String configName) {
        return log.resolve(configName + ".log");
    }

    /**
     * {@return where a detached daemon's standard output and error go}
     *
     * @param configName a configuration name
     */
    public Path consoleFile(String configName) {
        return log.resolve(configName + ".out");
    }

    /**
     * Creates a private folder (mode 0700) when missing and checks an existing one.
     *
     * @param dir the folder
     * @return the folder
     * @throws IllegalStateException naming the folder when it is not a folder, belongs to
     *     another user, or its mode is not exactly rwx------
     */
    public static Path ensurePrivate(Path dir) {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another process created it first: check it below
                }
                Files.setPosixFilePermissions(dir, PRIVATE); // the umask may have narrowed it
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException("Runtime folder " + dir + " is not a folder");
            }
            long owner = ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
            long uid = CurrentUser.uid();
            if (owner != uid) {
                throw new IllegalStateException("Runtime folder " + dir + " belongs to uid " + owner
                        + ", not to you (uid " + uid + "); was it made by another user (su/sudo)? "
                        + "Remove it or set XDG_RUNTIME_DIR to a folder of yours");
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!perms.equals(PRIVATE)) {
                throw new IllegalStateException("Runtime folder " + dir + " has mode "
                        + PosixFilePermissions.toString(perms) + "; it must be rwx------ (chmod 700 "
                        + dir + ")");
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the runtime folder " + dir + ": " + e, e);
        }
    }

    /**
     * Creates a folder and its parents when missing.
     *
     * @param dir the folder
     * @return the folder
     */
    public static Path ensureExists(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the folder " + dir + ": " + e, e);
        }
    }
}
