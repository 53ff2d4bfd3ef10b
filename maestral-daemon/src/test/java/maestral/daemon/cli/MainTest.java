package maestral.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code maestral} command with no daemon running: every folder is under a temporary folder. */
class MainTest {

    private static final String NOT_RUNNING = "Maestral daemon is not running.";
    private static final String[] DIRS = {"runtime", "config", "data", "log"};

    @TempDir
    Path tmp;

    @BeforeEach
    void isolateFolders() {
        for (String d : DIRS) {
            System.setProperty("maestral.dir." + d, tmp.resolve(d).toString());
        }
    }

    @AfterEach
    void clearFolders() {
        for (String d : DIRS) {
            System.clearProperty("maestral.dir." + d);
        }
    }

    /** The outcome of one command. */
    private record Result(int status, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(args, o, e);
        }
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Result assertStatus(int expected, String... args) {
        Result r = run(args);
        assertEquals(expected, r.status(), () -> String.join(" ", args) + "\nout: " + r.out() + "\nerr: " + r.err());
        return r;
    }

    // ---- commands that need the daemon ----

    @Test
    void statusWithoutDaemon() {
        Result r = assertStatus(1, "status");
        assertEquals(List.of(NOT_RUNNING), r.lines());
    }

    @Test
    void verboseStatusWithoutDaemonPrintsTheFolders() {
        Result r = assertStatus(1, "status", "-v");
        assertTrue(r.out().startsWith(NOT_RUNNING), r.out());
        assertTrue(r.out().contains("Runtime folder: " + tmp.resolve("runtime")), r.out());
    }

    @Test
    void commandsThatNeedTheDaemonSayItIsNotRunning() {
        for (String command : new String[] {"pause", "resume", "activity", "history"}) {
            Result r = assertStatus(1, command);
            assertEquals(List.of(NOT_RUNNING), r.lines(), command);
        }
        Result r = assertStatus(1, "-c", "other", "pause");
        assertEquals(List.of(NOT_RUNNING), r.lines());
    }

    @Test
    void filestatusWithoutDaemonIsUnwatched() {
        Result r = assertStatus(0, "filestatus", "/some/path");
        assertEquals(List.of("unwatched"), r.lines());
        assertStatus(2, "filestatus");
        assertStatus(2, "filestatus", "/a", "/b");
    }

    @Test
    void stopWithoutDaemon() {
        Result r = assertStatus(0, "stop");
        assertEquals(List.of(NOT_RUNNING), r.lines());
    }

    // ---- bad usage ----

    @Test
    void noArgumentsIsBadUsageAndShowsTheUsage() {
        Result r = assertStatus(2);
        assertTrue(r.out().contains("usage: maestral"), r.out());
    }

    @Test
    void badUsageExits2() {
        assertTrue(assertStatus(2, "frobnicate").err().contains("frobnicate"));
        assertTrue(assertStatus(2, "status", "--bogus").err().contains("--bogus"));
        assertTrue(assertStatus(2, "-x").err().contains("-x"));
        assertTrue(assertStatus(2, "-c").err().contains("-c"));
        assertTrue(assertStatus(2, "--config-name").err().contains("--config-name"));
        assertTrue(assertStatus(2, "-c", "a b", "status").err().contains("whitespace"));
        assertStatus(2, "--config-name=", "status");
        assertStatus(2, "-c", "a/b", "status");
        assertStatus(2, "status", "extra");
        assertStatus(2, "log");
        assertStatus(2, "log", "verbosity");
        assertStatus(2, "excluded");
        assertStatus(2, "excluded", "frob");
        assertStatus(2, "excluded", "add");
        assertStatus(2, "link");
    }

    @Test
    void helpListsTheCommands() {
        for (String flag : new String[] {"--help", "-h"}) {
            Result r = assertStatus(0, flag);
            for (String command : new String[] {"start", "stop", "restart", "status", "pause", "resume",
                    "filestatus", "activity", "history", "ls", "log level", "excluded", "link", "unlink",
                    "configs", "doctor", "--config-name"}) {
                assertTrue(r.out().contains(command), command + " missing from\n" + r.out());
            }
            assertEquals("", r.err());
        }
    }

    // ---- commands that fall back to this process ----

    @Test
    void logLevel() {
        assertEquals(List.of("INFO"), assertStatus(0, "log", "level").lines());
        assertEquals(List.of("Log level set to DEBUG."), assertStatus(0, "log", "level", "DEBUG").lines());
        assertEquals(List.of("DEBUG"), assertStatus(0, "log", "level").lines());
        assertStatus(0, "log", "level", "40");
        assertEquals(List.of("ERROR"), assertStatus(0, "log", "level").lines());
        assertStatus(0, "log", "level", "warning");
        assertEquals(List.of("WARNING"), assertStatus(0, "log", "level").lines());
        Result loud = assertStatus(2, "log", "level", "LOUD");
        assertTrue(loud.err().contains("LOUD"), loud.err());
        assertStatus(2, "log", "level", "15");
        assertEquals(List.of("WARNING"), assertStatus(0, "log", "level").lines(), "unchanged");
        assertEquals(List.of("INFO"), assertStatus(0, "-c", "other", "log", "level").lines(),
                "each configuration has its own level");
    }

    @Test
    void excludedItems() {
        assertEquals(List.of("No excluded items."), assertStatus(0, "excluded", "list").lines());
        assertEquals(List.of("Excluded '/A'."), assertStatus(0, "excluded", "add", "/A").lines());
        assertEquals(List.of("/a"), assertStatus(0, "excluded", "list").lines());
        assertEquals(List.of("Included '/a'."), assertStatus(0, "excluded", "remove", "/a").lines());
        assertEquals(List.of("No excluded items."), assertStatus(0, "excluded", "list").lines());
    }

    @Test
    void excludedWithBadPathsFails() {
        Result relative = assertStatus(1, "excluded", "add", "relative");
        assertTrue(relative.err().contains("Invalid path"), relative.err());
        assertStatus(0, "excluded", "add", "/a");
        Result inside = assertStatus(1, "excluded", "remove", "/a/b");
        assertTrue(inside.err().contains("/a/b"), inside.err());
        assertEquals(List.of("/a"), assertStatus(0, "excluded", "list").lines());
    }

    @Test
    void lsAndLinkFailWithoutAnAccount() {
        Result ls = assertStatus(1, "ls");
        assertTrue(ls.err().contains("No Dropbox account linked"), ls.err());
        assertStatus(1, "link", "/somewhere");
        assertEquals(List.of("Unlinked."), assertStatus(0, "unlink").lines());
    }

    @Test
    void linkOfflineWritesTheConfigAndLsListsTheRemote() throws Exception {
        Path remote = Files.createDirectories(tmp.resolve("remote/photos"));
        Files.writeString(remote.resolve("cat.jpg"), "meow");
        Path local = tmp.resolve("My Folder");
        Result linked = assertStatus(0, "link", tmp.resolve("remote").toString(), "--folder", local.toString());
        assertEquals(List.of("Linked to " + tmp.resolve("remote") + ".", "Local folder: " + local,
                "Run 'maestral start' to sync."), linked.lines());
        assertTrue(Files.isDirectory(local));
        assertEquals(List.of("/photos/"), assertStatus(0, "ls").lines());
        assertEquals(List.of("/photos/", "/photos/cat.jpg"), assertStatus(0, "ls", "-r").lines());
        assertEquals(List.of("/photos/cat.jpg"), assertStatus(0, "ls", "/photos").lines());
        Result missing = assertStatus(1, "ls", "/nothing");
        assertTrue(missing.err().contains("Folder not found"), missing.err());
        assertStatus(2, "ls", "--folder", "/x");
        assertStatus(2, "link", "--folder");
        assertEquals(List.of("Unlinked."), assertStatus(0, "unlink").lines());
        assertStatus(1, "ls");
        assertTrue(Files.exists(remote.resolve("cat.jpg")), "unlink leaves the remote alone");
    }

    @Test
    void configsListsConfigurationsWithConfig() {
        Result none = assertStatus(0, "configs");
        assertTrue(none.out().startsWith("No configurations"), none.out());
        assertStatus(0, "log", "level", "DEBUG");
        assertStatus(0, "-c", "work", "excluded", "add", "/x");
        assertEquals(List.of("maestral", "work"), assertStatus(0, "configs").lines());
    }

    @Test
    void configsIgnoresStateFilesWhenConfigAndDataShareAFolder() {
        // as on macOS, where both live in ~/Library/Application Support/maestral
        System.setProperty("maestral.dir.data", tmp.resolve("config").toString());
        assertStatus(0, "log", "level", "DEBUG");
        assertStatus(0, "unlink"); // writes the state file
        assertTrue(Files.exists(tmp.resolve("config/maestral.state.json")));
        assertEquals(List.of("maestral"), assertStatus(0, "configs").lines());
    }

    @Test
    void doctorShowsTheFolders() {
        Result r = assertStatus(0, "doctor");
        assertTrue(r.out().contains("Runtime folder: " + tmp.resolve("runtime")), r.out());
        assertTrue(r.out().contains("Config file:    " + tmp.resolve("config/maestral.json")), r.out());
        assertTrue(r.out().contains("Lock holder:    none"), r.out());
        assertTrue(r.out().contains("Instance:       no record"), r.out());
        assertTrue(r.out().contains("uds"), r.out());
        assertFalse(r.out().contains("PROBLEM"), r.out());
    }

    @Test
    void doctorReportsAnOpenRuntimeFolder() throws Exception {
        Path runtime = Files.createDirectories(tmp.resolve("runtime"));
        Files.setPosixFilePermissions(runtime, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Result r = assertStatus(0, "doctor");
        assertTrue(r.out().contains("PROBLEM:") && r.out().contains("rwxr-xr-x"), r.out());
    }
}
