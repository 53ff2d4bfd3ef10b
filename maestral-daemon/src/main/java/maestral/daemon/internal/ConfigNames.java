package maestral.daemon.internal;

import java.util.Objects;

/** The rule for configuration names: non-empty, no whitespace, no path separator. */
public final class ConfigNames {

    private ConfigNames() {
    }

    /**
     * {@return the name}
     *
     * @param configName a configuration name
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static String check(String configName) {
        Objects.requireNonNull(configName, "configName");
        if (configName.isEmpty()) {
            throw new IllegalArgumentException("the config name is empty");
        }
        if (configName.codePoints().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("config name '" + configName + "' contains whitespace");
        }
        if (configName.contains("/") || configName.contains("\0") || configName.startsWith(".")) {
            throw new IllegalArgumentException("config name '" + configName
                    + "' must not contain '/' or start with '.'");
        }
        return configName;
    }
}
