package maestral.daemon.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sections of named values persisted as one JSON file, written atomically (a temporary file,
 * flushed to disk, then renamed over the old one), so that a crash leaves the old or the new
 * file, never a torn one.
 *
 * <p><b>Safe for use by many threads at once.</b> Writers take turns; a reader never waits
 * for a write to reach the disk (it sees the new value as soon as it is set), so getters
 * built on a store answer from memory.
 */
public final class JsonStore {

    private static final Logger LOG = LoggerFactory.getLogger(JsonStore.class);

    private final Path file;
    private final Map<String, Map<String, Object>> defaults;
    private final Map<String, Map<String, Object>> values = new LinkedHashMap<>();

    /**
     * Loads the file, if any; a damaged file is kept aside and the defaults are used.
     *
     * @param file the JSON file
     * @param defaults the value of each section's names when unset
     */
    public JsonStore(Path file, Map<String, Map<String, Object>> defaults) {
        this.file = file;
        this.defaults = defaults;
        load();
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            Object root = Json.read(Files.readString(file, StandardCharsets.UTF_8));
            if (!(root instanceof Map<?, ?> sections)) {
                throw new IllegalArgumentException("the top level is not an object");
            }
            for (Map.Entry<?, ?> s : sections.entrySet()) {
                if (s.getValue() instanceof Map<?, ?> names) {
                    Map<String, Object> section = values.computeIfAbsent((String) s.getKey(),
                            k -> new LinkedHashMap<>());
                    names.forEach((k, v) -> section.put((String) k, v));
                }
            }
        } catch (IOException | IllegalArgumentException | StackOverflowError e) {
            Path aside = file.resolveSibling(file.getFileName() + ".damaged");
            LOG.error("Cannot read {} ({}); moved it to {} and using defaults", file, e.getMessage(), aside);
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                LOG.error("Cannot move {} aside: {}", file, moveFailed.toString());
            }
        }
    }

    /** {@return the file} */
    public Path file() {
        return file;
    }

    /**
     * {@return the value, the default when unset, {@code null} when neither}
     *
     * @param section the section
     * @param name the name
     */
    public Object get(String section, String name) {
        synchronized (values) {
            Map<String, Object> s = values.get(section);
            if (s != null && s.containsKey(name)) {
                return copy(s.get(name));
            }
        }
        Map<String, Object> d = defaults.get(section);
        return d == null ? null : copy(d.get(name));
    }

    /**
     * Sets a value and persists the whole file before returning.
     *
     * @param section the section
     * @param name the name
     * @param value a value {@link Json#requireSupported supported} by the store
     */
    public synchronized void set(String section, String name, Object value) {
        Json.requireSupported(value);
        String text;
        synchronized (values) {
            values.computeIfAbsent(section, k -> new LinkedHashMap<>()).put(name, copy(value));
            text = Json.write(values);
        }
        save(text);
    }

    /**
     * Copies a value deeply: nobody shares a mutable list or map with the store, and a value
     * reads the same before and after a restart (a {@code Long} that fits becomes an
     * {@code Integer} at once, as it would after reading the file back).
     */
    private static Object copy(Object value) {
        return switch (value) {
            case List<?> list -> {
                List<Object> out = new ArrayList<>(list.size());
                list.forEach(v -> out.add(copy(v)));
                yield out;
            }
            case Map<?, ?> map -> {
                Map<String, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put((String) k, copy(v)));
                yield out;
            }
            case Long l when l == l.intValue() -> l.intValue();
            case null, default -> value;
        };
    }

    private void save(String text) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save " + file + ": " + e.getMessage(), e);
        }
    }
}
