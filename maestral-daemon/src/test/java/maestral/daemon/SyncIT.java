package maestral.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sync end to end through a detached daemon process: link a folder as the remote (offline,
 * as a new user does before the first start), start with sync, change both sides, and wait
 * for {@code Up to date} and equal trees with {@code statusChangeLongpoll}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SyncIT extends DaemonTestSupport {

    private static final Duration DEADLINE = Duration.ofSeconds(40);


    @BeforeEach
    void shortReconcile() {
        System.setProperty("maestral.sync.reconcileInterval", "2");
    }

    @AfterEach
    void clearReconcile() {
        System.clearProperty("maestral.sync.reconcileInterval");
    }

    private static Map<String, String> tree(Path root) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(p -> !p.equals(root)).toList()) {
                if (p.getFileName().toString().startsWith(".maestral-tmp-")
                        || p.getFileName().toString().equals(".maestral-remote")) {
                    continue;
                }
                out.put(root.relativize(p).toString(), Files.isDirectory(p) ? "/" : Files.readString(p));
            }
        } catch (IOException | UncheckedIOException e) {
            return Map.of("<unreadable>", e.toString()); // changing under our feet: not equal yet
        }
        return out;
    }

    /** Waits, with long polls, until the daemon says "Up to date" and both trees are equal. */
    private void awaitInSync(MaestralProxy m, Path local, Path remote) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            if (m.status().equals("Up to date") && tree(local).equals(tree(remote))) {
                return;
            }
            m.statusChangeLongpoll(0.5);
        }
        throw new AssertionError("not in sync within " + DEADLINE + ": status '" + m.status() + "', local "
                + tree(local) + ", remote " + tree(remote) + ", errors " + m.syncErrors());
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    @Test
    void linkStartChangeBothSidesAndConverge() throws Exception {
        Path remote = Files.createDirectories(base.resolve("remote"));
        Path local = base.resolve("local");
        write(remote.resolve("photos/cat.jpg"), "meow");
        write(remote.resolve("notes.txt"), "remote notes");

        CliResult linked = maestral("link", remote.toString(), "--folder", local.toString(), "-c", config);
        assertEquals(0, linked.status(), linked.err());
        assertTrue(linked.out().contains("Run 'maestral start' to sync."), linked.out());
        CliResult ls = maestral("ls", "-c", config);
        assertEquals(0, ls.status(), ls.err());
        assertTrue(ls.out().contains("/photos/") && ls.out().contains("/notes.txt"), ls.out());

        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, true, true));
        try (MaestralProxy m = new MaestralProxy(config)) {
            assertTrue(m.running());
            awaitInSync(m, local, remote);
            assertEquals("meow", Files.readString(local.resolve("photos/cat.jpg")));
            assertEquals("up to date", m.getFileStatus(local.resolve("notes.txt").toString()));

            // both sides change, one file on both sides (a conflict)
            m.pauseSync();
            assertEquals("Paused", m.status());
            write(local.resolve("docs/report.txt"), "written locally");
            write(remote.resolve("music/song.mp3"), "la la");
            Files.delete(remote.resolve("photos/cat.jpg"));
            write(local.resolve("notes.txt"), "local edit");
            write(remote.resolve("notes.txt"), "remote edit");
            m.resumeSync();
            awaitInSync(m, local, remote);
            assertEquals("remote edit", Files.readString(local.resolve("notes.txt")));
            assertEquals("local edit", Files.readString(local.resolve("notes (conflicting copy).txt")));
            assertEquals("written locally", Files.readString(remote.resolve("docs/report.txt")));
            assertFalse(Files.exists(local.resolve("photos/cat.jpg")));
            assertTrue(m.getHistory(100).stream().anyMatch(e -> e.dbxPath().equals("/music/song.mp3")
                    && e.direction().equals("down")));

            CliResult status = maestral("status", "-c", config);
            assertTrue(status.out().contains("Status:        Up to date"), status.out());
            assertTrue(status.out().contains("Remote:        " + remote), status.out());
            CliResult history = maestral("history", "-c", config);
            assertTrue(history.out().contains("/docs/report.txt"), history.out());
            CliResult activity = maestral("activity", "-c", config);
            assertEquals(0, activity.status());
            CliResult fileStatus = maestral("filestatus", local.resolve("docs/report.txt").toString(), "-c", config);
            assertEquals("up to date", fileStatus.out().trim());
            CliResult excluded = maestral("excluded", "add", "/music", "-c", config);
            assertEquals(0, excluded.status(), excluded.err());
            assertEquals("unwatched", maestral("filestatus", local.resolve("music/song.mp3").toString(),
                    "-c", config).out().trim());
        }
        java.util.List<maestral.api.SyncEvent> before;
        try (MaestralProxy m = new MaestralProxy(config)) {
            before = m.getHistory(1000);
        }
        assertEquals(Stop.OK, Daemon.stopMaestralDaemonProcess(config));
        assertFalse(Daemon.isRunning(config));

        // while no daemon runs: a deletion on one side, a new file on the other; a restart
        // resumes from the index (the deletion is carried over, not undone)
        Files.delete(local.resolve("docs/report.txt"));
        write(remote.resolve("later.txt"), "while stopped");
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config, false, true, true));
        try (MaestralProxy m = new MaestralProxy(config)) {
            awaitInSync(m, local, remote);
            assertFalse(Files.exists(remote.resolve("docs/report.txt")), "the deletion was carried over");
            assertEquals("while stopped", Files.readString(local.resolve("later.txt")));
            java.util.List<maestral.api.SyncEvent> after = m.getHistory(1000);
            assertEquals(before, after.subList(0, before.size()), "the history is kept across restarts");
            java.util.List<String> since = after.subList(before.size(), after.size()).stream()
                    .map(e -> e.direction() + " " + e.changeType() + " " + e.dbxPath()).toList();
            assertTrue(since.contains("down added /later.txt") && since.contains("up deleted /docs/report.txt")
                    && since.stream().noneMatch(e -> e.endsWith("/notes.txt")), "nothing is copied again: " + since);
        }
        assertEquals(Stop.OK, Daemon.stopMaestralDaemonProcess(config));
    }
}
