package maestral.daemon.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JsonStore}: defaults, atomic persistence, damaged files, and size limits. */
class JsonStoreTest {

    private static final Map<String, Map<String, Object>> DEFAULTS = Map.of(
            "main", Map.of("path", "", "excluded_items", List.of()),
            "app", Map.of("log_level", 20));

    @TempDir
    Path tmp;

    private Path file() {
        return tmp.resolve("sub/dir/test.json");
    }

    @Test
    void defaultsWhenUnsetAndNullWhenUnknown() {
        JsonStore store = new JsonStore(file(), DEFAULTS);
        assertEquals(20, store.get("app", "log_level"));
        assertEquals("", store.get("main", "path"));
        assertEquals(List.of(), store.get("main", "excluded_items"));
        assertNull(store.get("app", "nothing"));
        assertNull(store.get("nothing", "log_level"));
        assertFalse(Files.exists(file()), "reading creates no file");
        assertEquals(file(), store.file());
    }

    @Test
    void setPersistsAndANewStoreReadsItBack() throws IOException {
        JsonStore store = new JsonStore(file(), DEFAULTS);
        store.set("app", "log_level", 10);
        store.set("main", "excluded_items", List.of("/a", "/b"));
        store.set("new", "nested", Map.of("k", List.of(1.5, true)));
        store.set("new", "nothing", null);
        assertEquals(10, store.get("app", "log_level"));

        JsonStore again = new JsonStore(file(), DEFAULTS);
        assertEquals(10, again.get("app", "log_level"));
        assertEquals(List.of("/a", "/b"), again.get("main", "excluded_items"));
        assertEquals(Map.of("k", List.of(1.5, true)), again.get("new", "nested"));
        assertEquals("", again.get("main", "path"), "unset names keep their defaults");
        // an explicit null is kept, and is not replaced by a default
        store.set("main", "path", null);
        assertNull(new JsonStore(file(), DEFAULTS).get("main", "path"));
        assertInstanceOf(Map.class, Json.read(Files.readString(file())), "the file is a JSON object");
        assertNoTemporaryFiles();
    }

    @Test
    void setReplacesTheFileAtomicallyLeavingNoTemporaryFile() throws IOException {
        JsonStore store = new JsonStore(file(), DEFAULTS);
        for (int i = 0; i < 5; i++) {
            store.set("app", "log_level", i);
            assertEquals(i, new JsonStore(file(), DEFAULTS).get("app", "log_level"));
            assertNoTemporaryFiles();
        }
        // a stale temporary file from a crash is overwritten, not read
        Files.writeString(file().resolveSibling("test.json.tmp"), "garbage");
        store.set("app", "log_level", 30);
        assertEquals(30, new JsonStore(file(), DEFAULTS).get("app", "log_level"));
        assertNoTemporaryFiles();
    }

    @Test
    void anUnsupportedValueIsRejectedAndChangesNothing() throws IOException {
        JsonStore store = new JsonStore(file(), DEFAULTS);
        store.set("app", "log_level", 30);
        String before = Files.readString(file());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.set("app", "log_level", new Date()));
        assertTrue(e.getMessage().contains("java.util.Date"), e.getMessage());
        assertEquals(30, store.get("app", "log_level"));
        assertEquals(before, Files.readString(file()));
    }

    @Test
    void aDamagedFileIsMovedAsideAndDefaultsAreUsed() throws IOException {
        for (String damaged : new String[] {"{\"app\": {\"log_level\": 10", "[1, 2]", "", "null", "\"text\""}) {
            Path file = Files.createDirectories(tmp.resolve("d" + damaged.length() + damaged.hashCode()))
                    .resolve("test.json");
            Files.writeString(file, damaged);
            JsonStore store = new JsonStore(file, DEFAULTS);
            assertEquals(20, store.get("app", "log_level"), "'" + damaged + "'");
            assertFalse(Files.exists(file), "'" + damaged + "'");
            Path aside = file.resolveSibling("test.json.damaged");
            assertEquals(damaged, Files.readString(aside), "the damaged file is kept as it was");

            store.set("app", "log_level", 40);
            assertEquals(40, new JsonStore(file, DEFAULTS).get("app", "log_level"));
            assertEquals(damaged, Files.readString(aside));
        }
    }

    @Test
    void aFileThatIsNotUtf8IsMovedAside() throws IOException {
        Files.createDirectories(file().getParent());
        byte[] garbage = {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'};
        Files.write(file(), garbage);
        JsonStore store = new JsonStore(file(), DEFAULTS);
        assertEquals(20, store.get("app", "log_level"));
        assertFalse(Files.exists(file()));
        assertTrue(Files.exists(file().resolveSibling("test.json.damaged")));
    }

    @Test
    void sectionsThatAreNotObjectsAreIgnored() throws IOException {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "{\"app\": 5, \"main\": {\"path\": \"/x\"}}");
        JsonStore store = new JsonStore(file(), DEFAULTS);
        assertEquals(20, store.get("app", "log_level"));
        assertEquals("/x", store.get("main", "path"));
        assertTrue(Files.exists(file()));
    }

    @Test
    void stringsSurviveTheFile() {
        List<String> values = List.of("quote \" backslash \\ \n\t\0", "é 😀 \u2028", "\ud83d", "x\ude00y",
                "\ud83d\ude00\ud83d");
        JsonStore store = new JsonStore(file(), DEFAULTS);
        for (int i = 0; i < values.size(); i++) {
            store.set("s", "v" + i, values.get(i));
        }
        JsonStore again = new JsonStore(file(), DEFAULTS);
        for (int i = 0; i < values.size(); i++) {
            assertEquals(values.get(i), again.get("s", "v" + i), "value " + i);
        }
    }

    @Test
    void concurrentSetsAreAllPersisted() throws Exception {
        JsonStore store = new JsonStore(file(), DEFAULTS);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        store.set("t" + thread, "n" + i, i);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        JsonStore again = new JsonStore(file(), DEFAULTS);
        for (int t = 0; t < 4; t++) {
            for (int i = 0; i < 10; i++) {
                assertEquals(i, again.get("t" + t, "n" + i));
            }
        }
        assertNoTemporaryFiles();
    }

    // ---- size limits ----

    /** {@return a string whose JSON text as a value, quotes and newline included, takes {@code bytes}} */
    private static String valueOfSize(int bytes) {
        String s = "x".repeat(bytes - 3);
        assertEquals(bytes, Json.write(s).getBytes(StandardCharsets.UTF_8).length);
        return s;
    }

    @Test
    void aValueAtTheLimitIsKeptAndOneByteMoreIsRefused() throws IOException {
        JsonStore store = new JsonStore(file(), DEFAULTS, 1000, 1 << 20);
        String atLimit = valueOfSize(1000);
        store.set("app", "big", atLimit);
        assertEquals(atLimit, new JsonStore(file(), DEFAULTS, 1000, 1 << 20).get("app", "big"));

        byte[] before = Files.readAllBytes(file());
        JsonStore.LimitException e = assertThrows(JsonStore.LimitException.class,
                () -> store.set("app", "big", valueOfSize(1001)));
        assertEquals("Value too large", e.title());
        assertMessage(e, "'big'", "'app'", "1001 bytes", "limit of 1000 bytes", JsonStore.MAX_VALUE_BYTES);
        assertArrayEquals(before, Files.readAllBytes(file()), "the file is unchanged");
        assertEquals(atLimit, store.get("app", "big"));
        assertNoTemporaryFiles();
    }

    @Test
    void aValueCountsInUtf8BytesAndNestedValuesCount() {
        JsonStore store = new JsonStore(file(), DEFAULTS, 1000, 1 << 20);
        // 333 three-byte characters take 999 bytes, 1002 with the quotes and newline
        assertThrows(JsonStore.LimitException.class, () -> store.set("app", "wide", "\u20ac".repeat(333)));
        assertThrows(JsonStore.LimitException.class,
                () -> store.set("app", "deep", Map.of("k", List.of(valueOfSize(1000)))));
        assertNull(store.get("app", "wide"));
        assertNull(store.get("app", "deep"));
        assertFalse(Files.exists(file()), "nothing was written");
    }

    @Test
    void aChangeThatMakesTheFileTooLargeIsRefused() throws IOException {
        JsonStore store = new JsonStore(file(), DEFAULTS, 1000, 2500);
        store.set("a", "one", valueOfSize(1000));
        store.set("a", "two", valueOfSize(1000));
        byte[] before = Files.readAllBytes(file());
        JsonStore.LimitException e = assertThrows(JsonStore.LimitException.class,
                () -> store.set("b", "three", valueOfSize(1000)));
        assertEquals("Store too large", e.title());
        assertMessage(e, "'three'", "'b'", "test.json", "limit of 2500 bytes", JsonStore.MAX_FILE_BYTES);
        long size = bytesIn(e);
        assertTrue(size > 2500 && size < 3100, e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file()));
        assertNull(store.get("b", "three"));
        assertNull(new JsonStore(file(), DEFAULTS).get("b", "three"));

        // replacing a value by a smaller one is fine, and then there is room again
        store.set("a", "two", 1);
        store.set("b", "three", valueOfSize(1000));
        assertEquals(1, new JsonStore(file(), DEFAULTS).get("a", "two"));
        assertTrue(Files.size(file()) <= 2500);
    }

    @Test
    void aHugeStringIsRefusedWithoutEncodingIt() throws IOException {
        JsonStore store = new JsonStore(file(), DEFAULTS);
        store.set("app", "log_level", 10);
        byte[] before = Files.readAllBytes(file());
        // every quote doubles when encoded: the text would take 128 MiB and more
        String huge = "\"".repeat(64 << 20);
        JsonStore.LimitException e = assertThrows(JsonStore.LimitException.class,
                () -> store.set("app", "log_level", huge));
        assertMessage(e, "'log_level'", "'app'", "limit of " + JsonStore.DEFAULT_MAX_VALUE_BYTES + " bytes");
        long size = bytesIn(e);
        assertTrue(size > JsonStore.DEFAULT_MAX_VALUE_BYTES, e.getMessage());
        assertTrue(size < 2L * huge.length(), "the size is a bound found without encoding: " + e.getMessage());
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file()));
        assertEquals(10, store.get("app", "log_level"));
    }

    @Test
    void aHugeNameIsRefusedWithAShortMessage() {
        JsonStore store = new JsonStore(file(), DEFAULTS, 1000, 5000);
        String name = "n".repeat(10_000);
        JsonStore.LimitException e = assertThrows(JsonStore.LimitException.class,
                () -> store.set("app", name, 1));
        assertEquals("Store too large", e.title());
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        assertTrue(e.getMessage().contains("'" + "n".repeat(60) + "...'"), e.getMessage());
        assertFalse(Files.exists(file()));
    }

    @Test
    void theLimitsComeFromSystemProperties() {
        System.setProperty(JsonStore.MAX_VALUE_BYTES, "100");
        System.setProperty(JsonStore.MAX_FILE_BYTES, " 300 ");
        try {
            JsonStore store = new JsonStore(file(), DEFAULTS);
            store.set("a", "v", valueOfSize(100));
            JsonStore.LimitException value = assertThrows(JsonStore.LimitException.class,
                    () -> store.set("a", "w", valueOfSize(101)));
            assertMessage(value, "limit of 100 bytes");
            store.set("a", "w", valueOfSize(100));
            JsonStore.LimitException file = assertThrows(JsonStore.LimitException.class,
                    () -> store.set("a", "x", valueOfSize(100)));
            assertMessage(file, "limit of 300 bytes");
        } finally {
            System.clearProperty(JsonStore.MAX_VALUE_BYTES);
            System.clearProperty(JsonStore.MAX_FILE_BYTES);
        }
    }

    @Test
    void aBadLimitPropertyFailsNamingIt() {
        for (String property : List.of(JsonStore.MAX_VALUE_BYTES, JsonStore.MAX_FILE_BYTES)) {
            for (String bad : List.of("0", "-5", "1.5", "ten", "", "4294967296")) {
                System.setProperty(property, bad);
                try {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> new JsonStore(file(), DEFAULTS));
                    assertMessage(e, property, "positive whole number of bytes", "'" + bad + "'");
                } finally {
                    System.clearProperty(property);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new JsonStore(file(), DEFAULTS, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new JsonStore(file(), DEFAULTS, 10, -1));
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
        }
    }

    /** {@return the size in bytes a limit message gives} */
    private static long bytesIn(Exception e) {
        Matcher m = Pattern.compile("at least (\\d+) bytes").matcher(e.getMessage());
        assertTrue(m.find(), e.getMessage());
        return Long.parseLong(m.group(1));
    }

    private void assertNoTemporaryFiles() throws IOException {
        try (Stream<Path> files = Files.list(file().getParent())) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertEquals(List.of("test.json"), names);
        }
    }
}
