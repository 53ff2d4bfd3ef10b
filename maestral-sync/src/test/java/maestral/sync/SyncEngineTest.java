package maestral.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import maestral.api.SyncEvent;
import maestral.sync.spi.RemoteSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link SyncEngine} with the folder backend: scenarios a user runs into. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyncEngineTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    Path local;
    Path remoteDir;
    RemoteSession remote;
    SyncEngine engine;
    final AtomicInteger changes = new AtomicInteger();

    @BeforeEach
    void setUp() throws IOException {
        local = Files.createDirectories(tmp.resolve("local"));
        remoteDir = Files.createDirectories(tmp.resolve("remote"));
        remote = Backends.forTarget(remoteDir.toString()).open(remoteDir.toString());
    }

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
        remote.close();
        // closing the engine and the session ends every thread they started (they join them)
        java.util.List<String> left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).filter(n -> n.startsWith("maestral-")).toList();
        assertEquals(java.util.List.of(), left, "threads left running");
    }

    private SyncEngine open() {
        engine = new SyncEngine(new SyncEngine.Options(local, tmp.resolve("data/test.db"), remote,
                Duration.ofSeconds(2), changes::incrementAndGet));
        return engine;
    }

    private void startAndSettle() throws Exception {
        if (!engine.running()) {
            engine.start();
        }
        assertTrue(awaitEqual(), () -> "trees differ: local " + Trees.of(local) + ", remote " + Trees.of(remoteDir));
    }

    private boolean awaitEqual() throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            if (engine.awaitIdle(Duration.ofMillis(200)) && Trees.of(local).equals(Trees.of(remoteDir))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aFirstSyncCopiesBothWaysAndReportsUpToDate() throws Exception {
        Trees.write(local.resolve("up/a.txt"), "a");
        Trees.write(remoteDir.resolve("down/b.txt"), "b");
        Files.createDirectories(remoteDir.resolve("empty"));
        open().start();
        startAndSettle();
        assertEquals(Map.of("/down", Trees.FOLDER, "/down/b.txt", "b", "/empty", Trees.FOLDER,
                "/up", Trees.FOLDER, "/up/a.txt", "a"), Trees.of(local));
        assertEquals(SyncEngine.UP_TO_DATE, engine.status());
        assertTrue(engine.firstSyncDone());
        assertTrue(engine.connected());
        assertEquals("up to date", engine.fileStatus(local.resolve("down/b.txt")));
        assertEquals("unwatched", engine.fileStatus(tmp.resolve("elsewhere")));
        assertTrue(engine.history(100).stream().anyMatch(e -> e.dbxPath().equals("/up/a.txt")
                && e.direction().equals("up") && e.status().equals("done")));
        assertTrue(engine.history(100).stream().anyMatch(e -> e.dbxPath().equals("/down/b.txt")
                && e.direction().equals("down") && e.status().equals("done")));
        assertTrue(changes.get() > 0);
        assertTrue(Files.exists(tmp.resolve("data/test.db")), "the index is a real database file");
    }

    @Test
    void changesOnEitherSideFollowWhileRunning() throws Exception {
        open().start();
        startAndSettle();
        Trees.write(local.resolve("x/1.txt"), "one");
        startAndSettle();
        Trees.write(remoteDir.resolve("x/1.txt"), "one, edited remotely");
        startAndSettle();
        Files.move(local.resolve("x"), local.resolve("y"));
        startAndSettle();
        Files.delete(remoteDir.resolve("y/1.txt"));
        startAndSettle();
        assertEquals(Map.of("/y", Trees.FOLDER), Trees.of(local));
    }

    @Test
    void bothSidesChangedKeepsBothVersions() throws Exception {
        Trees.write(local.resolve("doc.txt"), "v1");
        open().start();
        startAndSettle();
        engine.pause();
        Trees.write(local.resolve("doc.txt"), "local v2");
        Trees.write(remoteDir.resolve("doc.txt"), "remote v2");
        engine.resume();
        startAndSettle();
        assertEquals(Map.of("/doc.txt", "remote v2", "/doc (conflicting copy).txt", "local v2"), Trees.of(local));
    }

    @Test
    void deletedOnOneSideAndModifiedOnTheOtherRestoresTheModified() throws Exception {
        Trees.write(local.resolve("d/keep.txt"), "v1");
        open().start();
        startAndSettle();
        engine.pause();
        Trees.delete(local.resolve("d"));
        Trees.write(remoteDir.resolve("d/keep.txt"), "v2");
        engine.resume();
        startAndSettle();
        assertEquals(Map.of("/d", Trees.FOLDER, "/d/keep.txt", "v2"), Trees.of(local));
    }

    @Test
    void aRestartResumesFromTheIndexWithoutCopyingAgainAndTellsDeletionsFromNewFiles() throws Exception {
        Trees.write(local.resolve("a.txt"), "a");
        Trees.write(local.resolve("b.txt"), "b");
        open().start();
        startAndSettle();
        java.util.List<SyncEvent> before = engine.history(100);
        engine.close();
        // while stopped: a deletion locally, a new file remotely
        Files.delete(local.resolve("a.txt"));
        Trees.write(remoteDir.resolve("c.txt"), "c");
        open().start();
        startAndSettle();
        assertEquals(Map.of("/b.txt", "b", "/c.txt", "c"), Trees.of(remoteDir),
                "a.txt was deleted (not restored), c.txt is new (not deleted)");
        java.util.List<SyncEvent> after = engine.history(100);
        assertEquals(before, after.subList(0, before.size()), "the history is kept in the index");
        for (SyncEvent e : after.subList(before.size(), after.size())) {
            assertFalse(e.dbxPath().equals("/b.txt"), "b.txt is not copied again: " + e);
        }
        assertTrue(after.stream().map(SyncEvent::id).distinct().count() == after.size(), "ids stay unique");
    }

    @Test
    void aRemoteFolderReplacedByAnEmptyOneIsNotTakenForDeletions() throws Exception {
        Trees.write(local.resolve("a.txt"), "a");
        Trees.write(local.resolve("sub/b.txt"), "b");
        open().start();
        startAndSettle();
        engine.close();
        Path disk = tmp.resolve("remote-disk");
        Files.move(remoteDir, disk); // the disk is unmounted...
        Files.createDirectories(remoteDir); // ...and leaves its empty mount point
        open().start();
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (engine.fatalErrors().isEmpty() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertTrue(engine.fatalErrors().stream().anyMatch(f -> f.message().contains("not the one last synced")),
                "a clear error: " + engine.fatalErrors());
        engine.awaitIdle(Duration.ofMillis(500));
        assertEquals(Map.of("/a.txt", "a", "/sub", Trees.FOLDER, "/sub/b.txt", "b"), Trees.of(local),
                "nothing was deleted locally");
        engine.close();
        Trees.delete(remoteDir); // the disk comes back
        Files.move(disk, remoteDir);
        open().start();
        startAndSettle();
        assertEquals(Map.of("/a.txt", "a", "/sub", Trees.FOLDER, "/sub/b.txt", "b"), Trees.of(remoteDir));
    }

    @Test
    void pauseStopAndRebuildAreAcknowledged() throws Exception {
        open().start();
        startAndSettle();
        assertTrue(engine.pause());
        assertEquals(SyncEngine.PAUSED, engine.status());
        assertTrue(engine.paused());
        Trees.write(local.resolve("while-paused.txt"), "p");
        Thread.sleep(300);
        assertFalse(Files.exists(remoteDir.resolve("while-paused.txt")), "nothing syncs while paused");
        engine.resume();
        startAndSettle();
        assertTrue(engine.rebuildIndex());
        startAndSettle();
        assertEquals(Map.of("/while-paused.txt", "p"), Trees.of(remoteDir));
        assertTrue(engine.stop());
        assertEquals(SyncEngine.STOPPED, engine.status());
        assertFalse(engine.running());
        assertEquals("unwatched", engine.fileStatus(local.resolve("while-paused.txt")));
    }

    @Test
    void excludedItemsAreNeitherDownloadedNorUploaded() throws Exception {
        Trees.write(remoteDir.resolve("Big/file.bin"), "big");
        Trees.write(local.resolve("private/x.txt"), "x");
        Trees.write(remoteDir.resolve("small.txt"), "s");
        open();
        engine.setExcluded(java.util.List.of("/big", "/private"));
        engine.start();
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!Files.exists(local.resolve("small.txt")) && System.nanoTime() < end) {
            engine.awaitIdle(Duration.ofMillis(200));
        }
        assertTrue(engine.awaitIdle(DEADLINE));
        assertFalse(Files.exists(local.resolve("Big")));
        assertFalse(Files.exists(remoteDir.resolve("private")));
        assertEquals("unwatched", engine.fileStatus(local.resolve("private/x.txt")));
    }

    @Test
    void aRenamedFileIsMovedOnTheOtherSideNotCopiedAgain() throws Exception {
        Trees.write(local.resolve("old.txt"), "content");
        Trees.write(remoteDir.resolve("r/old.bin"), "remote content");
        open().start();
        startAndSettle();
        engine.pause();
        Files.move(local.resolve("old.txt"), local.resolve("new.txt"));
        Files.createDirectories(remoteDir.resolve("s"));
        Files.move(remoteDir.resolve("r/old.bin"), remoteDir.resolve("s/new.bin"));
        engine.resume();
        startAndSettle();
        assertEquals(Map.of("/new.txt", "content", "/r", Trees.FOLDER, "/s", Trees.FOLDER,
                "/s/new.bin", "remote content"), Trees.of(remoteDir));
        assertTrue(engine.history(100).stream().anyMatch(e -> e.changeType().equals("moved")
                && e.dbxPath().equals("/new.txt") && "/old.txt".equals(e.dbxPathFrom()) && e.direction().equals("up")),
                () -> "history: " + engine.history(100));
        assertTrue(engine.history(100).stream().anyMatch(e -> e.changeType().equals("moved")
                && e.dbxPath().equals("/s/new.bin") && "/r/old.bin".equals(e.dbxPathFrom())
                && e.direction().equals("down")), () -> "history: " + engine.history(100));
    }

    @Test
    void aFolderReplacedByAFileOnOneSideWhileItsContentChangedOnTheOtherKeepsBoth() throws Exception {
        Trees.write(local.resolve("p/child.txt"), "v1");
        Trees.write(local.resolve("q/child.txt"), "w1");
        open().start();
        startAndSettle();
        engine.pause();
        Trees.delete(local.resolve("p"));                      // local: folder p becomes a file
        Trees.write(local.resolve("p"), "p is a file now");
        Trees.write(remoteDir.resolve("p/child.txt"), "v2");  // remote: its child changes
        Trees.delete(remoteDir.resolve("q"));                  // and the mirror case
        Trees.write(remoteDir.resolve("q"), "q is a file now");
        Trees.write(local.resolve("q/child.txt"), "w2");
        engine.resume();
        startAndSettle();
        assertEquals(Map.of("/p", Trees.FOLDER, "/p/child.txt", "v2", "/p (conflicting copy)", "p is a file now",
                "/q", "q is a file now", "/q (conflicting copy)", Trees.FOLDER,
                "/q (conflicting copy)/child.txt", "w2"), Trees.of(local));
    }

    @Test
    void byteCountsReadAsPeopleReadThem() {
        assertEquals("512 B", SyncEngine.bytes(512));
        assertEquals("1.2 kB", SyncEngine.bytes(1234));
        assertEquals("45 MB", SyncEngine.bytes(45_000_000));
    }
}
