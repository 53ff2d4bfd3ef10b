package maestral.daemon.internal;

import java.io.IOException;
import java.io.Serial;
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
 *
 * <p>Sizes are bounded: {@link #set} refuses a value whose JSON text takes more bytes than
 * allowed (1 MiB by default), or a change after which the file would (8 MiB by default).
 */
public final class JsonStore {

    /** The system property with the most UTF-8 bytes a value's JSON text may take. */
    public static final String MAX_VALUE_BYTES = "maestral.store.maxValueBytes";
    /** The system property with the most bytes the file may take. */
    public static final String MAX_FILE_BYTES = "maestral.store.maxFileBytes";
    /** The default of {@link #MAX_VALUE_BYTES}: 1 MiB. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 1 << 20;
    /** The default of {@link #MAX_FILE_BYTES}: 8 MiB. */
    public static final int DEFAULT_MAX_FILE_BYTES = 8 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(JsonStore.class);
    /** The most characters of a section or name quoted in a message. */
    private static final int QUOTED = 60;

    private final Path file;
    private final Map<String, Map<String, Object>> defaults;
    private final int maxValueBytes;
    private final int maxFileBytes;
    /**
     * Read under its own lock; changed only by {@link #set}, under this store's lock too, which
     * replaces a section's map instead of changing it, so a map taken from it never changes.
     */
    private final Map<String, Map<String, Object>> values = new LinkedHashMap<>();

    /**
     * Loads the file, if any, with the limits of the system properties {@value #MAX_VALUE_BYTES}
     * and {@value #MAX_FILE_BYTES}, or their defaults.
     *
     * @param file the JSON file
     * @param defaults the value of each section's names when unset
     * @throws IllegalArgumentException naming the property when one is not a positive integer
     */
    public JsonStore(Path file, Map<String, Map<String, Object>> defaults) {
        this(file, defaults, limit(MAX_VALUE_BYTES, DEFAULT_MAX_VALUE_BYTES),
                limit(MAX_FILE_BYTES, DEFAULT_MAX_FILE_BYTES));
    }

    /**
     * Loads the file, if any; a damaged file is kept aside and the defaults are used.
     *
     * @param file the JSON file
     * @param defaults the value of each section's names when unset
     * @param maxValueBytes the most UTF-8 bytes a value's JSON text may take
     * @param maxFileBytes the most bytes the file may take
     * @throws IllegalArgumentException when a limit is not positive
     */
    public JsonStore(Path file, Map<String, Map<String, Object>> defaults, int maxValueBytes, int maxFileBytes) {
        if (maxValueBytes <= 0 || maxFileBytes <= 0) {
            throw new IllegalArgumentException("limits must be positive, not " + maxValueBytes + " and "
                    + maxFileBytes);
        }
        this.file = file;
        this.defaults = defaults;
        this.maxValueBytes = maxValueBytes;
        this.maxFileBytes = maxFileBytes;
        load();
    }

    /** {@return the value of a size property, or its default when unset} */
    private static int limit(String property, int defaultValue) {
        String value = System.getProperty(property);
        try {
            int bytes = value == null ? defaultValue : Integer.parseInt(value.strip());
            if (bytes <= 0) {
                throw new NumberFormatException();
            }
            return bytes;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " must be a positive whole number of bytes, at most "
                    + Integer.MAX_VALUE + ", not '" + value + "'");
        }
    }

    /** A value or a file would be larger than its limit; nothing was changed. */
    public static final class LimitException extends IllegalArgumentException {
        @Serial
        private static final long serialVersionUID = 1L;

        /** A short title. */
        private final String title;

        private LimitException(String title, String message) {
            super(message);
            this.title = title;
        }

        /** {@return a short title: "Value too large" or "Store too large"} */
        public String title() {
            return title;
        }
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
     * @throws LimitException when the value or the file would be too large; nothing changes
     * @throws IllegalArgumentException when the value is not supported; nothing changes
     */
    public synchronized void set(String section, String name, Object value) {
        Json.requireSupported(value);
        String where = "'" + shorten(name) + "' in section '" + shorten(section) + "'";
        try {
            Json.writeUtf8(value, maxValueBytes);
        } catch (Json.TooLargeException e) {
            throw new LimitException("Value too large", where + " takes at least " + e.atLeast()
                    + " bytes as JSON, over the limit of " + maxValueBytes + " bytes (system property "
                    + MAX_VALUE_BYTES + ")");
        }
        // no lock needed to read values: only this method changes it, and it holds this store's lock
        Map<String, Object> changed = new LinkedHashMap<>(values.getOrDefault(section, Map.of()));
        changed.put(name, copy(value));
        Map<String, Map<String, Object>> next = new LinkedHashMap<>(values);
        next.put(section, changed);
        byte[] utf8;
        try {
            utf8 = Json.writeUtf8(next, maxFileBytes);
        } catch (Json.TooLargeException e) {
            throw new LimitException("Store too large", "setting " + where + " would make " + file.getFileName()
                    + " take at least " + e.atLeast() + " bytes, over the limit of " + maxFileBytes
                    + " bytes (system property " + MAX_FILE_BYTES + ")");
        }
        synchronized (values) {
            values.put(section, changed);
        }
        save(utf8);
    }

    /** {@return the text, cut to {@value #QUOTED} characters or so for a message} */
    private static String shorten(String name) {
        String text = String.valueOf(name);
        if (text.length() <= QUOTED) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(QUOTED - 1)) ? QUOTED - 1 : QUOTED;
        return text.substring(0, end) + "...";
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

    private void save(byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
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
