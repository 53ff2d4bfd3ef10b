package maestral.daemon.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link InstanceRecord}: what a daemon writes beside its lock. */
class InstanceRecordTest {

    @TempDir
    Path tmp;

    @Test
    void writeThenReadRoundTrips() throws IOException {
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put("uds", "/run/user/1/maestral/x y=z:é.sock");
        endpoints.put("shm", "#not a comment\\ and a backslash");
        InstanceRecord r = new InstanceRecord(4242, Instant.parse("2024-05-06T07:08:09.123456789Z"), "1.2.3",
                "id-1", endpoints);
        Path file = tmp.resolve("maestral.instance");
        r.write(file);
        Optional<InstanceRecord> back = InstanceRecord.read(file);
        assertEquals(Optional.of(r), back);
        assertEquals(List.of("uds", "shm"), List.copyOf(back.orElseThrow().endpoints().keySet()), "order is kept");

        InstanceRecord next = new InstanceRecord(7, Instant.EPOCH, "2", "id-2", Map.of());
        next.write(file);
        assertEquals(Optional.of(next), InstanceRecord.read(file), "a second write replaces the first");
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of("maestral.instance"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aMissingFileReadsAsEmpty() {
        assertTrue(InstanceRecord.read(tmp.resolve("none.instance")).isEmpty());
        assertTrue(InstanceRecord.read(tmp.resolve("no/folder/none.instance")).isEmpty());
    }

    @Test
    void garbageReadsAsEmpty() throws IOException {
        Path file = tmp.resolve("bad.instance");
        for (String text : new String[] {"", "garbage", "pid=abc\nstarted=2024-01-01T00:00:00Z",
                "pid=1\nstarted=yesterday", "started=2024-01-01T00:00:00Z", "pid=1\nstarted=\\uzzzz"}) {
            Files.writeString(file, text);
            assertTrue(InstanceRecord.read(file).isEmpty(), text);
        }
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, '=', (byte) 0x80});
        assertTrue(InstanceRecord.read(file).isEmpty());
        assertTrue(InstanceRecord.read(tmp).isEmpty(), "a folder is no record");
    }

    @Test
    void missingOptionalFieldsHaveDefaults() throws IOException {
        Path file = tmp.resolve("min.instance");
        Files.writeString(file, "pid=9\nstarted=2024-01-01T00:00:00Z\n");
        InstanceRecord r = InstanceRecord.read(file).orElseThrow();
        assertEquals(9, r.pid());
        assertEquals("?", r.version());
        assertEquals(Map.of(), r.endpoints());
    }
}
