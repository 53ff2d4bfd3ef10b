package maestral.daemon.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import maestral.api.BadInputError;
import maestral.api.MaestralApiError;
import maestral.api.NoDropboxDirError;
import maestral.api.NotLinkedError;
import maestral.api.spi.Handshake;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/** {@link LocalMaestral}: the served object, with and without a linked remote. */
class LocalMaestralTest {

    private static final String CONFIG = "unit";

    @TempDir
    Path tmp;

    private Folders folders;
    private final List<Integer> levels = new CopyOnWriteArrayList<>();
    private final AtomicInteger shutdowns = new AtomicInteger();
    private final List<LocalMaestral> opened = new ArrayList<>();
    private ExecutorService pool;

    @BeforeEach
    void setUp() {
        folders = TestFolders.set(tmp);
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        try {
            opened.forEach(LocalMaestral::close);
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "a long poll did not end");
        } finally {
            TestFolders.clear();
        }
    }

    private LocalMaestral open() {
        LocalMaestral m = new LocalMaestral(CONFIG, Folders.current(), levels::add, shutdowns::incrementAndGet);
        opened.add(m);
        return m;
    }

    private static void assertBadInput(Executable call) {
        assertThrows(BadInputError.class, call);
    }

    // ---- persistence ----

    @Test
    void usesTheFoldersOfItsConfiguration() {
        LocalMaestral m = open();
        assertEquals(CONFIG, m.configName());
        assertEquals(Handshake.LIBRARY_VERSION, m.version());
        m.setConf("main", "x", 1);
        m.setState("main", "y", 2);
        assertTrue(Files.isRegularFile(folders.configFile(CONFIG)));
        assertTrue(Files.isRegularFile(folders.stateFile(CONFIG)));
        assertTrue(folders.configFile(CONFIG).startsWith(tmp.resolve("config")));
        assertTrue(folders.stateFile(CONFIG).startsWith(tmp.resolve("data")));
    }

    @Test
    void configAndStateSurviveANewInstance() {
        LocalMaestral m = open();
        m.setConf("main", "foo", "bar");
        m.setConf("other", "map", Map.of("k", List.of(1, "two", 3.5)));
        m.setState("account", "thing", List.of(true, false));
        m.setNotificationLevel(30);

        LocalMaestral again = open();
        assertEquals("bar", again.getConf("main", "foo"));
        assertEquals(Map.of("k", List.of(1, "two", 3.5)), again.getConf("other", "map"));
        assertEquals(List.of(true, false), again.getState("account", "thing"));
        assertEquals(30, again.notificationLevel());
        assertEquals(null, again.getConf("main", "unset"));
    }

    @Test
    void freshConfigurationDefaults() {
        LocalMaestral m = open();
        assertEquals("Stopped", m.status());
        assertFalse(m.running());
        assertFalse(m.paused());
        assertFalse(m.syncing());
        assertFalse(m.connected());
        assertTrue(m.pendingLink());
        assertTrue(m.pendingDropboxFolder());
        assertTrue(m.pendingFirstDownload());
        assertEquals("", m.dropboxPath());
        assertEquals(List.of(), m.excludedItems());
        assertEquals(20, m.logLevel());
        assertEquals(15, m.notificationLevel());
        assertEquals(0.0, m.notificationSnooze());
        assertEquals(List.of(), m.syncErrors());
        assertEquals(List.of(), m.fatalErrors());
        assertEquals(List.of(), m.getActivity(0));
        assertEquals(List.of(), m.getHistory(10));
        assertEquals(List.of(20), levels, "the hook is called once with the persisted level");
    }

    @Test
    void setLogLevelCallsTheHookAndPersists() {
        LocalMaestral m = open();
        m.setLogLevel(10);
        assertEquals(10, m.logLevel());
        assertEquals(List.of(20, 10), levels);
        LocalMaestral again = open();
        assertEquals(10, again.logLevel());
        assertEquals(List.of(20, 10, 10), levels, "a new instance applies the persisted level");
    }

    @Test
    void setLogLevelRejectsOtherValues() {
        LocalMaestral m = open();
        for (int bad : new int[] {15, 0, -10, 60, 21}) {
            BadInputError e = assertThrows(BadInputError.class, () -> m.setLogLevel(bad));
            assertTrue(e.message().contains(Integer.toString(bad)), e.getMessage());
        }
        assertEquals(20, m.logLevel());
        assertEquals(List.of(20), levels, "the hook is not called for a rejected level");
        for (int good : new int[] {10, 20, 30, 40, 50}) {
            m.setLogLevel(good);
            assertEquals(good, m.logLevel());
        }
    }

    @Test
    void notificationSettingsAreChecked() {
        LocalMaestral m = open();
        assertBadInput(() -> m.setNotificationLevel(-1));
        assertBadInput(() -> m.setNotificationLevel(101));
        assertBadInput(() -> m.setNotificationSnooze(-1));
        assertBadInput(() -> m.setNotificationSnooze(Double.NaN));
        assertBadInput(() -> m.setNotificationSnooze(Double.POSITIVE_INFINITY));
        m.setNotificationSnooze(30);
        double left = m.notificationSnooze();
        assertTrue(left > 29 && left <= 30, "snooze left " + left);
        assertTrue(open().notificationSnooze() > 29, "the snooze is persisted");
        m.setNotificationSnooze(0);
        assertEquals(0.0, m.notificationSnooze());
    }

    // ---- not linked ----

    @Test
    void aFreshConfigurationIsNotLinked() {
        LocalMaestral m = open();
        assertThrows(NotLinkedError.class, m::getAccountInfo);
        assertThrows(NotLinkedError.class, m::getSpaceUsage);
        assertThrows(NotLinkedError.class, () -> m.listFolder("/", false));
        assertThrows(NotLinkedError.class, () -> m.listFolder("/a", true));
        assertThrows(NotLinkedError.class, () -> m.getMetadata("/a"));
        assertThrows(NotLinkedError.class, m::startSync);
        assertThrows(NotLinkedError.class, m::resumeSync);
        assertThrows(NotLinkedError.class, m::rebuildIndex);
        assertEquals("Stopped", m.status());
        assertFalse(m.running());
    }

    @Test
    void linkToAMissingFolderFailsAndUnlinkStops() {
        LocalMaestral m = open();
        assertThrows(MaestralApiError.class, () -> m.link(tmp.resolve("no-such-folder").toString()));
        assertTrue(m.pendingLink());
        m.pauseSync();
        m.unlink();
        assertEquals("Stopped", m.status());
        assertTrue(m.pendingLink());
    }

    @Test
    void aLinkedConfigurationNeedsItsFolderToSync() throws Exception {
        LocalMaestral m = open();
        Path remote = Files.createDirectories(tmp.resolve("remote"));
        m.setConf("main", "path", tmp.resolve("missing").toString());
        m.link(remote.toString());
        assertFalse(m.pendingLink());
        assertEquals("local", m.getAccountInfo().accountType());
        assertThrows(NoDropboxDirError.class, m::startSync);
        m.createDropboxDirectory(tmp.resolve("Dropbox").toString());
        m.startSync();
        assertTrue(m.running());
        m.pauseSync();
        assertTrue(m.paused());
        assertEquals("Paused", m.status());
        assertTrue(m.running(), "a paused sync still runs");
        m.resumeSync();
        assertFalse(m.paused());
        m.stopSync();
        assertFalse(m.running());
        assertEquals("Stopped", m.status());
    }

    @Test
    void aLinkedConfigurationSyncsAndAnswersFromTheRemote() throws Exception {
        LocalMaestral m = open();
        Path remote = Files.createDirectories(tmp.resolve("remote"));
        Files.createDirectories(remote.resolve("docs"));
        Files.writeString(remote.resolve("docs/a.txt"), "hello");
        Path local = tmp.resolve("Local");
        m.createDropboxDirectory(local.toString());
        m.link(remote.toString());
        assertEquals(List.of("/docs", "/docs/a.txt"), m.listFolder("/", true).stream()
                .map(maestral.api.FileMetadata::pathDisplay).toList());
        assertEquals(5, m.getMetadata("/docs/a.txt").size());
        assertThrows(maestral.api.NotFoundError.class, () -> m.getMetadata("/nothing"));
        assertEquals(5, m.getSpaceUsage().used());
        assertTrue(m.pendingFirstDownload());
        m.startSync();
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!(m.status().equals("Up to date") && Files.exists(local.resolve("docs/a.txt")))
                && System.nanoTime() < end) {
            m.statusChangeLongpoll(0.5);
        }
        assertEquals("Up to date", m.status());
        assertEquals("hello", Files.readString(local.resolve("docs/a.txt")));
        assertEquals("up to date", m.getFileStatus(local.resolve("docs/a.txt").toString()));
        assertFalse(m.pendingFirstDownload());
        assertTrue(m.getHistory(10).stream().anyMatch(e -> e.dbxPath().equals("/docs/a.txt")));
        assertTrue(Files.exists(folders.data().resolve(CONFIG + ".db")), "the index lives in the data folder");
        assertThrows(BadInputError.class, () -> m.createDropboxDirectory(remote.resolve("inside").toString()));
        m.unlink();
        assertTrue(m.pendingLink());
        assertFalse(Files.exists(folders.data().resolve(CONFIG + ".db")), "unlink forgets the index");
        assertTrue(Files.exists(local.resolve("docs/a.txt")), "unlink keeps the local files");
        assertThrows(NotLinkedError.class, m::getAccountInfo);
    }

    // ---- status ----

    @Test
    void pauseAndStopSetTheStatus() {
        LocalMaestral m = open();
        m.pauseSync();
        assertEquals("Paused", m.status());
        assertTrue(m.paused());
        m.stopSync();
        assertEquals("Stopped", m.status());
        assertFalse(m.paused());
        assertFalse(m.running());
    }

    @Test
    void longPollReturnsTrueWhenAnotherThreadPauses() throws Exception {
        LocalMaestral m = open();
        AtomicReference<Thread> poller = new AtomicReference<>();
        long start = System.nanoTime();
        Future<Boolean> poll = pool.submit(() -> {
            poller.set(Thread.currentThread());
            return m.statusChangeLongpoll(10);
        });
        awaitWaiting(poller);
        m.pauseSync();
        assertTrue(poll.get(5, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
    }

    @Test
    void longPollReturnsFalseAfterItsTimeout() {
        LocalMaestral m = open();
        long start = System.nanoTime();
        assertFalse(m.statusChangeLongpoll(0.2));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 190 && ms < 5000, "took " + ms + " ms");
        start = System.nanoTime();
        assertFalse(m.statusChangeLongpoll(0));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos());
    }

    @Test
    void longPollIgnoresCallsThatChangeNothing() throws Exception {
        LocalMaestral m = open();
        AtomicReference<Thread> poller = new AtomicReference<>();
        Future<Boolean> poll = pool.submit(() -> {
            poller.set(Thread.currentThread());
            return m.statusChangeLongpoll(0.5);
        });
        awaitWaiting(poller);
        m.stopSync(); // already stopped: no change
        assertFalse(poll.get(5, TimeUnit.SECONDS));
    }

    @Test
    void longPollRejectsABadTimeout() {
        LocalMaestral m = open();
        assertBadInput(() -> m.statusChangeLongpoll(-1));
        assertBadInput(() -> m.statusChangeLongpoll(Double.NaN));
    }

    @Test
    void closeWakesAWaitingLongPoll() throws Exception {
        LocalMaestral m = open();
        AtomicReference<Thread> poller = new AtomicReference<>();
        Future<Boolean> poll = pool.submit(() -> {
            poller.set(Thread.currentThread());
            return m.statusChangeLongpoll(60);
        });
        awaitWaiting(poller);
        long start = System.nanoTime();
        m.close();
        poll.get(5, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
        start = System.nanoTime();
        assertFalse(m.statusChangeLongpoll(60), "a long poll after close returns at once");
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
    }

    @Test
    void closeOfAPausedInstanceReportsTheChange() throws Exception {
        LocalMaestral m = open();
        m.pauseSync();
        AtomicReference<Thread> poller = new AtomicReference<>();
        Future<Boolean> poll = pool.submit(() -> {
            poller.set(Thread.currentThread());
            return m.statusChangeLongpoll(60);
        });
        awaitWaiting(poller);
        m.close();
        assertTrue(poll.get(5, TimeUnit.SECONDS));
        assertEquals("Stopped", m.status());
    }

    /** Waits, at most 5 s, until the thread is blocked in its timed wait. */
    private static void awaitWaiting(AtomicReference<Thread> thread) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (thread.get() == null || thread.get().getState() != Thread.State.TIMED_WAITING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the long poll did not start waiting");
            }
            Thread.sleep(1);
        }
    }

    // ---- selective sync ----

    @Test
    void excludeItemNormalizesAndReportsStatus() {
        LocalMaestral m = open();
        m.excludeItem("/Photos/");
        assertEquals(List.of("/photos"), m.excludedItems());
        assertEquals("excluded", m.excludedStatus("/photos"));
        assertEquals("excluded", m.excludedStatus("/PHOTOS"));
        assertEquals("excluded", m.excludedStatus("/Photos/2024/a.jpg"));
        assertEquals("partially excluded", m.excludedStatus("/"));
        assertEquals("included", m.excludedStatus("/photos2"));
        assertEquals("included", m.excludedStatus("/other"));

        m.excludeItem("/Docs/Old");
        assertEquals("partially excluded", m.excludedStatus("/docs"));
        assertEquals("partially excluded", m.excludedStatus("/DOCS/"));
        assertEquals("included", m.excludedStatus("/docs/new"));
        assertEquals(List.of("/photos", "/docs/old"), open().excludedItems(), "persisted");
    }

    @Test
    void excludingAFolderReplacesItsChildren() {
        LocalMaestral m = open();
        m.excludeItem("/a/b");
        m.excludeItem("/a/c");
        m.excludeItem("/ab");
        m.excludeItem("/A");
        assertEquals(List.of("/ab", "/a"), m.excludedItems());
        m.excludeItem("/a");
        assertEquals(List.of("/ab", "/a"), m.excludedItems(), "no duplicates");
    }

    @Test
    void includeItem() {
        LocalMaestral m = open();
        m.excludeItem("/a");
        m.excludeItem("/b/c");
        m.excludeItem("/b/d");
        BadInputError e = assertThrows(BadInputError.class, () -> m.includeItem("/A/x"));
        assertEquals("/A/x", e.dbxPath());
        assertEquals(List.of("/a", "/b/c", "/b/d"), m.excludedItems(), "nothing changed");
        m.includeItem("/B");
        assertEquals(List.of("/a"), m.excludedItems(), "including a folder includes its children");
        m.includeItem("/A");
        assertEquals(List.of(), m.excludedItems());
        assertEquals("included", m.excludedStatus("/a/x"));
        m.includeItem("/never/excluded");
        assertEquals(List.of(), m.excludedItems());
    }

    @Test
    void theRootFolderContainsEverything() {
        LocalMaestral m = open();
        m.excludeItem("/a");
        m.excludeItem("/b/c");
        m.includeItem("/");
        assertEquals(List.of(), m.excludedItems(), "including the root includes everything");

        m.excludeItem("/a");
        m.excludeItem("/");
        assertEquals(List.of("/"), m.excludedItems(), "excluding the root replaces its children");
        assertEquals("excluded", m.excludedStatus("/"));
        assertEquals("excluded", m.excludedStatus("/a"));
        assertEquals("excluded", m.excludedStatus("/x/y"));
        assertBadInput(() -> m.includeItem("/x"));
        m.includeItem("//");
        assertEquals(List.of(), m.excludedItems());
        assertEquals("included", m.excludedStatus("/"));
    }

    @Test
    void setExcludedItemsNormalizesAndRemovesDuplicates() {
        LocalMaestral m = open();
        m.setExcludedItems(List.of("/A", "/a/", "/B/c"));
        assertEquals(List.of("/a", "/b/c"), m.excludedItems());
        assertBadInput(() -> m.setExcludedItems(List.of("relative")));
    }

    @Test
    void remotePathsMustBeAbsolute() {
        LocalMaestral m = open();
        assertBadInput(() -> m.excludeItem("a"));
        assertBadInput(() -> m.excludeItem(""));
        assertBadInput(() -> m.includeItem("a"));
        assertBadInput(() -> m.excludedStatus("a"));
        assertBadInput(() -> m.excludeItem(null));
    }

    // ---- config values ----

    @Test
    void setConfAndSetStateRejectUnsupportedTypes() {
        LocalMaestral m = open();
        BadInputError e = assertThrows(BadInputError.class, () -> m.setConf("main", "when", new Date()));
        assertTrue(e.getMessage().contains("java.util.Date"), e.getMessage());
        assertBadInput(() -> m.setConf("main", "map", Map.of(1, "x")));
        assertBadInput(() -> m.setConf("main", "nan", Double.NaN));
        assertBadInput(() -> m.setState("main", "float", 1.5f));
        assertEquals(null, m.getConf("main", "when"));
        assertEquals(null, open().getConf("main", "when"));
    }

    @Test
    void setConfAndSetStateRefuseOversizedValuesAndKeepTheOldOnes() throws Exception {
        LocalMaestral m = open();
        m.setConf("main", "note", "old");
        m.setState("account", "note", "old");
        byte[] confBefore = Files.readAllBytes(folders.configFile(CONFIG));
        String big = "x".repeat(JsonStore.DEFAULT_MAX_VALUE_BYTES);
        for (Executable call : List.<Executable>of(() -> m.setConf("main", "note", big),
                () -> m.setState("account", "note", List.of(big)))) {
            BadInputError e = assertThrows(BadInputError.class, call);
            assertEquals("Value too large", e.title());
            for (String part : List.of("'note'", "limit of " + JsonStore.DEFAULT_MAX_VALUE_BYTES + " bytes",
                    JsonStore.MAX_VALUE_BYTES)) {
                assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
            }
            assertTrue(e.getMessage().length() < 300, "the value is not in the message");
        }
        BadInputError state = assertThrows(BadInputError.class, () -> m.setState("account", "note", big));
        assertTrue(state.getMessage().contains("'account'"), state.getMessage());
        assertEquals("old", m.getConf("main", "note"));
        assertEquals("old", m.getState("account", "note"));
        assertEquals("old", open().getState("account", "note"));
        assertArrayEquals(confBefore, Files.readAllBytes(folders.configFile(CONFIG)));
    }

    @Test
    void theStateFileLimitIsAPropertyAndItsErrorIsBadInput() {
        System.setProperty(JsonStore.MAX_FILE_BYTES, "2000");
        try {
            LocalMaestral m = open();
            m.setState("main", "a", "x".repeat(900));
            BadInputError e = assertThrows(BadInputError.class, () -> m.setState("main", "b", "x".repeat(1200)));
            assertEquals("Store too large", e.title());
            for (String part : List.of("'b'", "'main'", "limit of 2000 bytes", JsonStore.MAX_FILE_BYTES)) {
                assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
            }
            assertEquals(null, m.getState("main", "b"));
            assertEquals("x".repeat(900), open().getState("main", "a"));
        } finally {
            System.clearProperty(JsonStore.MAX_FILE_BYTES);
        }
    }

    // ---- local folder ----

    @Test
    void createDropboxDirectoryCreatesTheFolder() {
        LocalMaestral m = open();
        Path dir = tmp.resolve("home/Dropbox (Test)");
        m.createDropboxDirectory(dir.toString());
        assertTrue(Files.isDirectory(dir));
        assertEquals(dir.toString(), m.dropboxPath());
        assertFalse(m.pendingDropboxFolder());
        assertEquals(dir.toString(), open().dropboxPath(), "persisted");
    }

    @Test
    void createDropboxDirectoryOverAFileFails() throws Exception {
        LocalMaestral m = open();
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThrows(NoDropboxDirError.class, () -> m.createDropboxDirectory(file.toString()));
        assertEquals("", m.dropboxPath());
    }

    @Test
    void moveDropboxDirectoryMovesIt() throws Exception {
        LocalMaestral m = open();
        Path from = tmp.resolve("Dropbox");
        m.createDropboxDirectory(from.toString());
        Files.writeString(from.resolve("a.txt"), "content");
        Path to = tmp.resolve("elsewhere/Dropbox2");
        m.moveDropboxDirectory(to.toString());
        assertFalse(Files.exists(from));
        assertEquals("content", Files.readString(to.resolve("a.txt")));
        assertEquals(to.toString(), m.dropboxPath());
        assertEquals(to.toString(), open().dropboxPath(), "persisted");
    }

    @Test
    void moveDropboxDirectoryWithoutAFolderFails() {
        LocalMaestral m = open();
        assertThrows(NoDropboxDirError.class, () -> m.moveDropboxDirectory(tmp.resolve("x").toString()));
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    // ---- the rest ----

    @Test
    void fileStatusIsUnwatched() {
        LocalMaestral m = open();
        assertEquals("unwatched", m.getFileStatus("/some/path"));
        assertEquals("unwatched", m.getFileStatus(tmp.toString()));
    }

    @Test
    void shutdownDaemonCallsItsCallback() {
        LocalMaestral m = open();
        assertEquals(0, shutdowns.get());
        m.shutdownDaemon();
        assertEquals(1, shutdowns.get());
    }

    @Test
    void activityAndHistoryRejectANegativeLimit() {
        LocalMaestral m = open();
        assertBadInput(() -> m.getActivity(-1));
        assertBadInput(() -> m.getHistory(-1));
    }

    @Test
    void clearFatalErrorsKeepsThemEmpty() {
        LocalMaestral m = open();
        m.clearFatalErrors();
        assertEquals(List.of(), m.fatalErrors());
    }
}
