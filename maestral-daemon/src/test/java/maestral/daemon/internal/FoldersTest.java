package maestral.daemon.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Folders}: resolution from the environment (a pure function) and the private runtime folder. */
class FoldersTest {

    private static final Path HOME = Path.of("/home/ann");
    private static final long UID = 1234;

    @TempDir
    Path tmp;

    @AfterEach
    void clearProperties() {
        TestFolders.clear();
    }

    private static Folders linux(Map<String, String> env) {
        return Folders.resolve(env, "Linux", HOME, UID);
    }

    private static Map<String, String> env(String... keyValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }

    @Test
    void linuxUsesTheXdgVariablesWhenSet() {
        Folders f = linux(env("XDG_RUNTIME_DIR", "/run/user/1234", "XDG_CACHE_HOME", "/c",
                "XDG_CONFIG_HOME", "/cfg", "XDG_DATA_HOME", "/d", "XDG_STATE_HOME", "/s"));
        assertEquals(Path.of("/run/user/1234/maestral"), f.runtime());
        assertEquals(Path.of("/cfg/maestral"), f.config());
        assertEquals(Path.of("/d/maestral"), f.data());
        assertEquals(Path.of("/s/maestral"), f.log());
        assertEquals(Path.of("/tmp/maestral-1234"), f.socketFallback());
        assertEquals(107, f.socketPathLimit());
    }

    @Test
    void linuxRuntimeFallsBackToTheCacheHome() {
        assertEquals(Path.of("/c/maestral"), linux(env("XDG_CACHE_HOME", "/c")).runtime());
    }

    @Test
    void linuxFallsBackToTheHomeFoldersWhenNothingIsSet() {
        Folders f = linux(Map.of());
        assertEquals(HOME.resolve(".cache/maestral"), f.runtime());
        assertEquals(HOME.resolve(".config/maestral"), f.config());
        assertEquals(HOME.resolve(".local/share/maestral"), f.data());
        assertEquals(HOME.resolve(".local/state/maestral"), f.log());
    }

    @Test
    void emptyBlankAndRelativeValuesCountAsUnset() {
        for (String bad : new String[] {"", "   ", "relative/dir", "."}) {
            Folders f = linux(env("XDG_RUNTIME_DIR", bad, "XDG_CACHE_HOME", bad, "XDG_CONFIG_HOME", bad,
                    "XDG_DATA_HOME", bad, "XDG_STATE_HOME", bad));
            assertEquals(HOME.resolve(".cache/maestral"), f.runtime(), "value '" + bad + "'");
            assertEquals(HOME.resolve(".config/maestral"), f.config(), "value '" + bad + "'");
            assertEquals(HOME.resolve(".local/share/maestral"), f.data(), "value '" + bad + "'");
            assertEquals(HOME.resolve(".local/state/maestral"), f.log(), "value '" + bad + "'");
            assertTrue(f.runtime().isAbsolute());
        }
        // an empty runtime variable falls back to a set cache home, not to the working folder
        assertEquals(Path.of("/c/maestral"), linux(env("XDG_RUNTIME_DIR", "", "XDG_CACHE_HOME", "/c")).runtime());
    }

    @Test
    void macOsUsesTheLibraryFolders() {
        Folders f = Folders.resolve(env("XDG_RUNTIME_DIR", "/run/user/1", "XDG_CONFIG_HOME", "/cfg"),
                "Mac OS X", Path.of("/Users/ann"), UID);
        Path support = Path.of("/Users/ann/Library/Application Support/maestral");
        assertEquals(support, f.runtime());
        assertEquals(support, f.config());
        assertEquals(support, f.data());
        assertEquals(Path.of("/Users/ann/Library/Logs/maestral"), f.log());
        assertEquals(103, f.socketPathLimit());
        assertEquals(Path.of("/tmp/maestral-1234"), f.socketFallback());
    }

    @Test
    void filesOfAConfiguration() {
        Folders f = linux(env("XDG_RUNTIME_DIR", "/r", "XDG_CONFIG_HOME", "/cfg", "XDG_DATA_HOME", "/d",
                "XDG_STATE_HOME", "/s"));
        assertEquals(Path.of("/r/maestral/work.lock"), f.lockFile("work"));
        assertEquals(Path.of("/r/maestral/work.sock"), f.socketFile("work"));
        assertEquals(Path.of("/r/maestral/work.instance"), f.instanceFile("work"));
        assertEquals(Path.of("/cfg/maestral/work.json"), f.configFile("work"));
        assertEquals(Path.of("/d/maestral/work.state.json"), f.stateFile("work"));
        assertEquals(Path.of("/s/maestral/work.log"), f.logFile("work"));
    }

    @Test
    void socketFileFitsExactlyAtTheLimitAndFallsBackOneByteLater() {
        // "/" + k chars + "/maestral/x.sock" is k + 17 bytes
        Folders fits = linux(env("XDG_RUNTIME_DIR", "/" + "a".repeat(90)));
        Path at = fits.socketFile("x");
        assertEquals(107, at.toString().length());
        assertEquals(fits.runtime().resolve("x.sock"), at);

        Folders over = linux(env("XDG_RUNTIME_DIR", "/" + "a".repeat(91)));
        assertEquals(Path.of("/tmp/maestral-1234/x.sock"), over.socketFile("x"));
        // the lock stays in the runtime folder
        assertEquals(over.runtime().resolve("x.lock"), over.lockFile("x"));
    }

    @Test
    void socketLimitCountsBytesNotCharacters() {
        // 50 two-byte characters: 67 characters but 117 bytes
        Folders f = linux(env("XDG_RUNTIME_DIR", "/" + "é".repeat(50)));
        assertTrue(f.runtime().resolve("x.sock").toString().length() <= 107);
        assertEquals(Path.of("/tmp/maestral-1234/x.sock"), f.socketFile("x"));
    }

    @Test
    void macOsLongHomeFallsBackAtItsOwnLimit() {
        String user = "u".repeat(103 - "/Users//Library/Application Support/maestral/m.sock".length());
        Folders fits = Folders.resolve(Map.of(), "Mac OS X", Path.of("/Users/" + user), 501);
        assertEquals(103, fits.socketFile("m").toString().getBytes(StandardCharsets.UTF_8).length);
        assertEquals(fits.runtime().resolve("m.sock"), fits.socketFile("m"));

        Folders over = Folders.resolve(Map.of(), "Mac OS X", Path.of("/Users/" + user + "u"), 501);
        assertEquals(Path.of("/tmp/maestral-501/m.sock"), over.socketFile("m"));
    }

    @Test
    void socketFileThrowsNamingTheLimitWhenEvenTheFallbackIsTooLong() {
        Folders f = linux(env("XDG_RUNTIME_DIR", "/r"));
        String name = "n".repeat(100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.socketFile(name));
        assertTrue(e.getMessage().contains("107"), e.getMessage());
        assertTrue(e.getMessage().contains(name), e.getMessage());

        Folders mac = Folders.resolve(Map.of(), "Mac OS X", Path.of("/Users/a"), 501);
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> mac.socketFile(name));
        assertTrue(m.getMessage().contains("103"), m.getMessage());
    }

    @Test
    void systemPropertiesOverrideEachFolder() {
        TestFolders.set(tmp);
        Folders f = Folders.current();
        assertEquals(tmp.resolve("runtime"), f.runtime());
        assertEquals(tmp.resolve("config"), f.config());
        assertEquals(tmp.resolve("data"), f.data());
        assertEquals(tmp.resolve("log"), f.log());
        assertEquals(Path.of("/tmp/maestral-" + CurrentUser.uid()), f.socketFallback());
    }

    @Test
    void relativePropertiesAreMadeAbsoluteAndBlankOnesIgnored() {
        System.setProperty("maestral.dir.config", "rel/cfg");
        System.setProperty("maestral.dir.data", "  ");
        Folders f = Folders.current();
        assertEquals(Path.of("rel/cfg").toAbsolutePath(), f.config());
        assertTrue(f.data().isAbsolute());
        assertTrue(f.data().endsWith("maestral"), f.data().toString());
    }

    @Test
    void ensurePrivateCreatesAMissingFolderWithMode0700() throws IOException {
        Path dir = tmp.resolve("a/b/maestral");
        assertSame(dir, Folders.ensurePrivate(dir));
        assertTrue(Files.isDirectory(dir));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        // and accepts it the second time
        assertSame(dir, Folders.ensurePrivate(dir));
    }

    @Test
    void ensurePrivateRejectsAFolderOthersMayAccess() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Folders.ensurePrivate(dir));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("rwxr-xr-x"), e.getMessage());
        // nothing was changed
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    }

    @Test
    void ensurePrivateRejectsAFolderItsOwnerCannotUse() throws IOException {
        for (String mode : new String[] {"rw-------", "r-x------", "-wx------"}) {
            Path dir = Files.createDirectory(tmp.resolve("m" + mode.replace('-', '_')));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Folders.ensurePrivate(dir),
                    mode);
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(mode), e.getMessage());
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void ensurePrivateRejectsAFolderOfAnotherUser() throws IOException {
        assumeTrue(CurrentUser.uid() == 0, "only root can give a folder away");
        Path dir = Files.createDirectory(tmp.resolve("theirs"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(dir, "unix:uid", 65534);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Folders.ensurePrivate(dir));
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("65534"), e.getMessage());
        assertEquals(65534, ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).intValue());
    }

    @Test
    void ensurePrivateRejectsAFileInPlaceOfTheFolder() throws IOException {
        Path file = Files.writeString(tmp.resolve("maestral"), "not a folder");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Folders.ensurePrivate(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
        assertTrue(Files.isRegularFile(file));
    }

    @Test
    void ensurePrivateRejectsASymbolicLink() throws IOException {
        Path target = Files.createDirectory(tmp.resolve("target"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), target);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Folders.ensurePrivate(link));
        assertTrue(e.getMessage().contains(link.toString()), e.getMessage());
    }

    @Test
    void ensureExistsCreatesParents() {
        Path dir = tmp.resolve("x/y/z");
        assertEquals(dir, Folders.ensureExists(dir));
        assertTrue(Files.isDirectory(dir));
        assertEquals(dir, Folders.ensureExists(dir));
        assertFalse(Files.isRegularFile(dir));
    }
}
