package maestral.daemon.internal;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What a running daemon tells clients and tools about itself, written atomically beside its
 * lock as {@code NAME.instance} (a properties file) once its endpoints are bound. It holds no
 * secret.
 *
 * @param pid the daemon's process id
 * @param started when it started
 * @param version the library version
 * @param instanceId an id unique to this run
 * @param endpoints each transport id served, with its address
 */
public record InstanceRecord(long pid, Instant started, String version, String instanceId,
                             Map<String, String> endpoints) {

    /**
     * Writes the record atomically: a temporary file renamed over the old one.
     *
     * @param file where to write it
     */
    public void write(Path file) {
        Properties p = new Properties();
        p.setProperty("pid", Long.toString(pid));
        p.setProperty("started", started.toString());
        p.setProperty("version", version);
        p.setProperty("instanceId", instanceId);
        p.setProperty("transports", String.join(",", endpoints.keySet()));
        endpoints.forEach((id, address) -> p.setProperty("endpoint." + id, address));
        try {
            StringWriter text = new StringWriter();
            p.store(text, "maestral daemon instance record");
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the instance record " + file + ": " + e, e);
        }
    }

    /**
     * {@return the record, or empty when there is none or it is unreadable}
     *
     * @param file the record's file
     */
    public static Optional<InstanceRecord> read(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
            Map<String, String> endpoints = new LinkedHashMap<>();
            for (String id : p.getProperty("transports", "").split(",")) {
                if (!id.isBlank()) {
                    endpoints.put(id, p.getProperty("endpoint." + id, ""));
                }
            }
            return Optional.of(new InstanceRecord(Long.parseLong(p.getProperty("pid")),
                    Instant.parse(p.getProperty("started")), p.getProperty("version", "?"),
                    p.getProperty("instanceId", "?"), endpoints));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
