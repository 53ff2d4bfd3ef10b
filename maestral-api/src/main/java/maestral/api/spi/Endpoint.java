package maestral.api.spi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the daemon of one configuration is reached. The daemon resolves the folders (see
 * {@code maestral.daemon.Daemon}); a transport keeps every file it creates inside
 * {@link #runtimeDirectory()}, or at {@link #socketPath()}, and names them after
 * {@link #configName()}.
 *
 * @param configName the configuration name
 * @param runtimeDirectory a folder of mode 0700 owned by the current user
 * @param socketPath a unix socket path short enough for this platform
 */
public record Endpoint(String configName, Path runtimeDirectory, Path socketPath) {

    /** Validates the parts. */
    public Endpoint {
        Objects.requireNonNull(configName, "configName");
        Objects.requireNonNull(runtimeDirectory, "runtimeDirectory");
        Objects.requireNonNull(socketPath, "socketPath");
        if (configName.isEmpty() || configName.codePoints().anyMatch(Character::isWhitespace)
                || configName.contains("/")) {
            throw new IllegalArgumentException(
                    "config name must be non-empty, without whitespace or '/': '" + configName + "'");
        }
    }
}
