package maestral.sync.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import maestral.sync.spi.RemoteConflictException;
import maestral.sync.spi.RemoteEntry;
import maestral.sync.spi.RemoteSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded folder backend: targets, conditional changes, temporaries, the change feed. */
class FolderSessionTest {

    @TempDir
    Path tmp;

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsPathsAndFileUrisOnly() {
        FolderBackend b = new FolderBackend();
        assertTrue(b.accepts("/srv/remote"));
        assertTrue(b.accepts("relative/folder"));
        assertTrue(b.accepts("~/remote"));
        assertTrue(b.accepts("file:///srv/remote"));
        assertFalse(b.accepts("dropbox:account"));
        assertFalse(b.accepts("https://example.org/x"));
        assertFalse(b.accepts(" "));
        assertThrows(FileNotFoundException.class, () -> b.open(tmp.resolve("missing").toString()));
    }

    @Test
    void changesAreConditionalOnTheRevisionSeen() throws Exception {
        try (RemoteSession s = new FolderBackend().open(tmp.toUri().toString())) {
            RemoteEntry v1 = s.write("/d/a.txt", bytes("one"), null);
            assertEquals(3, v1.size());
            assertThrows(RemoteConflictException.class, () -> s.write("/d/a.txt", bytes("x"), null),
                    "a write that expects nothing there fails when something is");
            RemoteEntry v2 = s.write("/d/a.txt", bytes("two!"), v1.rev());
            assertNotEquals(v1.rev(), v2.rev());
            assertThrows(RemoteConflictException.class, () -> s.write("/d/a.txt", bytes("lost?"), v1.rev()));
            assertThrows(RemoteConflictException.class, () -> s.delete("/d/a.txt", v1.rev()));
            assertEquals("two!", Files.readString(tmp.resolve("d/a.txt")));
            assertThrows(RemoteConflictException.class, () -> s.delete("/d", null), "a full folder stays");
            assertThrows(RemoteConflictException.class, () -> s.createFolder("/d/a.txt"));
            assertThrows(RemoteConflictException.class, () -> s.write("/d/a.txt/b", bytes("b"), null));
            s.delete("/d/a.txt", v2.rev());
            s.delete("/d", null);
            assertNull(s.metadata("/d"));
            try (var files = Files.list(tmp)) {
                assertEquals(List.of(), files.toList(), "no temporary file is left behind");
            }
        }
    }

    @Test
    void listingIgnoresTemporariesAndHashesContent() throws Exception {
        Files.writeString(tmp.resolve("x.txt"), "same");
        Files.writeString(tmp.resolve("y.txt"), "same");
        Files.writeString(tmp.resolve(TreeScanner.TEMP_PREFIX + "123"), "partial");
        try (RemoteSession s = new FolderBackend().open(tmp.toString())) {
            List<RemoteEntry> all = s.list("/", true);
            assertEquals(2, all.size());
            assertEquals(all.get(0).contentHash(), all.get(1).contentHash());
            assertEquals(s.contentHash(bytes("same")), all.get(0).contentHash());
            assertThrows(FileNotFoundException.class, () -> s.list("/nothing", false));
            assertThrows(IllegalArgumentException.class, () -> s.read("/../etc/passwd"));
        }
    }

    @Test
    void theChangeFeedWakesOnAChangeAndTimesOutOtherwise() throws Exception {
        try (RemoteSession s = new FolderBackend().open(tmp.toString())) {
            String c0 = s.cursor();
            assertEquals(c0, s.awaitChanges(c0, Duration.ofMillis(100)), "nothing changed");
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(100);
                    Files.writeString(tmp.resolve("new.txt"), "n");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            String c1 = s.awaitChanges(c0, Duration.ofSeconds(20));
            writer.join(10_000);
            assertNotEquals(c0, c1);
        }
    }
}
