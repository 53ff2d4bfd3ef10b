package maestral.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import maestral.sync.spi.RemoteSession;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Random sequences of user operations on both sides (create, modify, delete and move files
 * and folders), interleaved with random stretches of syncing, pauses and engine restarts on
 * the same index, always end in identical trees, and every version a user wrote survives
 * somewhere unless a user overwrote or deleted it.
 *
 * <p>Operations are applied while the engine is paused (acknowledged: no action runs), so the
 * engine sees them as a user's edits between its actions. Tries: {@code -Dmaestral.sync.tries}
 * (Maven property, default 25).
 */
class SyncPropertiesTest {

    private static final Duration CONVERGE = Duration.ofSeconds(40);
    // Some names are files on one side and folders on the other, so kinds change and clash.
    private static final String[] FILES = {"f1.txt", "f2", "a/f3.txt", "a/c/f4.txt", "b/f5", "b/f1.txt", "d", "a/c"};
    private static final String[] FOLDERS = {"a", "b", "a/c", "d", "f2"};

    enum Kind { WRITE, DELETE, MOVE, MKDIR, RMDIR, REPLACE, SYNC, RESTART }

    /**
     * One step.
     *
     * @param kind what
     * @param remoteSide on which side (user operations)
     * @param a a number choosing the item
     * @param b a number choosing the destination or the duration
     */
    record Op(Kind kind, boolean remoteSide, int a, int b) {
        @Override
        public String toString() {
            return kind + (kind == Kind.SYNC || kind == Kind.RESTART ? "" : (remoteSide ? "@remote" : "@local"))
                    + "(" + a + "," + b + ")";
        }
    }

    private Path tmp;
    private Path local;
    private Path remoteDir;
    private RemoteSession remote;
    private SyncEngine engine;
    private int version;
    /** Whether operations run while the engine syncs (else between pauses). */
    private boolean live;
    private final Set<String> written = new HashSet<>();
    private final Set<String> destroyed = new HashSet<>();

    @BeforeTry
    void setUp() throws IOException {
        tmp = Files.createTempDirectory("sync-property");
        local = Files.createDirectories(tmp.resolve("local"));
        remoteDir = Files.createDirectories(tmp.resolve("remote"));
        remote = Backends.forTarget(remoteDir.toString()).open(remoteDir.toString());
        written.clear();
        destroyed.clear();
        version = 0;
        live = false;
    }

    @AfterTry
    void tearDown() {
        try {
            if (engine != null) {
                engine.close();
                engine = null;
            }
            remote.close();
        } finally {
            Trees.delete(tmp);
        }
    }

    @Provide
    Arbitrary<List<Op>> scenarios() {
        Arbitrary<Op> op = Combinators.combine(
                Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, Arbitraries.just(Kind.WRITE)),
                        net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.DELETE)),
                        net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.MOVE)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.MKDIR)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.RMDIR)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.REPLACE)),
                        net.jqwik.api.Tuple.of(3, Arbitraries.just(Kind.SYNC)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.RESTART))),
                Arbitraries.of(true, false), Arbitraries.integers().between(0, 99),
                Arbitraries.integers().between(0, 99)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(14);
    }

    @Property(shrinking = ShrinkingMode.BOUNDED)
    void bothSidesConvergeAndNoVersionIsLost(@ForAll("scenarios") List<Op> ops) throws Exception {
        open();
        engine.start();
        engine.pause();
        for (Op op : ops) {
            apply(op);
        }
        engine.resume();
        assertTrue(converged(), () -> "no convergence within " + CONVERGE + " after " + ops
                + "\nlocal  " + Trees.of(local) + "\nremote " + Trees.of(remoteDir));
        Map<String, String> tree = Trees.of(local);
        assertEquals(tree, Trees.of(remoteDir), "identical trees after " + ops);
        Set<String> present = new HashSet<>(tree.values());
        Set<String> lost = new TreeSet<>();
        for (String v : written) {
            if (!destroyed.contains(v) && !present.contains(v)) {
                lost.add(v);
            }
        }
        assertTrue(lost.isEmpty(), () -> "versions lost: " + lost + " after " + ops + "\ntree " + tree);
    }

    /**
     * The same operations applied while the engine runs (no pause between them): users and
     * the engine race, and still both sides end identical. Versions are not counted here:
     * what a user overwrites at the instant the engine reads it cannot be attributed.
     */
    @Property(tries = 10, shrinking = ShrinkingMode.BOUNDED)
    void bothSidesConvergeWhenUsersEditWhileItSyncs(@ForAll("scenarios") List<Op> ops) throws Exception {
        open();
        engine.start();
        live = true;
        for (Op op : ops) {
            try {
                apply(op);
            } catch (IOException | UncheckedIOException raced) {
                // the engine changed that item a moment ago: like a user's, this edit fails
            }
        }
        assertTrue(converged(), () -> "no convergence within " + CONVERGE + " after " + ops
                + "\nlocal  " + Trees.of(local) + "\nremote " + Trees.of(remoteDir));
        assertEquals(Trees.of(local), Trees.of(remoteDir), "identical trees after " + ops);
    }

    private void open() {
        engine = new SyncEngine(new SyncEngine.Options(local, tmp.resolve("data/index.db"), remote,
                Duration.ofSeconds(1), null));
    }

    private boolean converged() throws InterruptedException {
        long end = System.nanoTime() + CONVERGE.toNanos();
        while (System.nanoTime() < end) {
            if (engine.awaitIdle(Duration.ofMillis(300)) && Trees.of(local).equals(Trees.of(remoteDir))) {
                return true;
            }
        }
        return false;
    }

    private void apply(Op op) throws Exception {
        Path side = op.remoteSide() ? remoteDir : local;
        switch (op.kind()) {
            case SYNC -> {
                if (!live) {
                    engine.resume();
                }
                Thread.sleep(op.b() * 3L); // 0 to 0.3 s of syncing, then pause mid-way
                if (!live) {
                    engine.pause();
                }
            }
            case RESTART -> {
                engine.close();
                open();
                engine.start();
                if (!live) {
                    engine.pause();
                }
            }
            case WRITE -> {
                Path file = side.resolve(FILES[op.a() % FILES.length]);
                if (Files.isDirectory(file) || blockedByFile(side, file)) {
                    return;
                }
                destroy(file);
                String content = "v" + (++version) + (op.remoteSide() ? "-remote-" : "-local-") + op.a();
                Trees.write(file, content);
                written.add(content);
            }
            case DELETE -> {
                List<Path> files = files(side);
                if (!files.isEmpty()) {
                    Path file = files.get(op.a() % files.size());
                    destroy(file);
                    Files.delete(file);
                }
            }
            case MOVE -> {
                List<Path> items = new ArrayList<>(files(side));
                items.addAll(folders(side));
                if (items.isEmpty()) {
                    return;
                }
                Path from = items.get(op.a() % items.size());
                String[] names = Files.isDirectory(from) ? FOLDERS : FILES;
                Path to = side.resolve(names[op.b() % names.length]);
                if (Files.exists(to) || to.startsWith(from) || blockedByFile(side, to)) {
                    return;
                }
                Files.createDirectories(to.getParent());
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            }
            case MKDIR -> {
                Path dir = side.resolve(FOLDERS[op.a() % FOLDERS.length]);
                if (!blockedByFile(side, dir) && !Files.isRegularFile(dir)) {
                    Files.createDirectories(dir);
                }
            }
            case REPLACE -> {
                // a folder becomes a file of the same name, or a file a folder with a new file in it
                List<Path> items = new ArrayList<>(files(side));
                items.addAll(folders(side));
                if (items.isEmpty()) {
                    return;
                }
                Path item = items.get(op.a() % items.size());
                for (Path f : filesBelow(item)) {
                    destroy(f);
                }
                boolean wasFolder = Files.isDirectory(item);
                Trees.delete(item);
                String content = "v" + (++version) + (op.remoteSide() ? "-remote-" : "-local-") + "r" + op.a();
                Trees.write(wasFolder ? item : item.resolve("x.txt"), content);
                written.add(content);
            }
            case RMDIR -> {
                List<Path> dirs = folders(side);
                if (!dirs.isEmpty()) {
                    Path dir = dirs.get(op.a() % dirs.size());
                    for (Path f : filesBelow(dir)) {
                        destroy(f);
                    }
                    Trees.delete(dir);
                }
            }
        }
    }

    /** {@return whether a parent of the path is a file, so nothing can be created there} */
    private static boolean blockedByFile(Path side, Path path) {
        for (Path p = path.getParent(); p != null && p.startsWith(side) && !p.equals(side); p = p.getParent()) {
            if (Files.isRegularFile(p)) {
                return true;
            }
        }
        return false;
    }

    /** A user overwrites or deletes this file: its content may legitimately vanish. */
    private void destroy(Path file) throws IOException {
        if (Files.isRegularFile(file)) {
            destroyed.add(Files.readString(file));
        }
    }

    private List<Path> files(Path side) {
        return filesBelow(side);
    }

    private static List<Path> filesBelow(Path dir) {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith(".maestral-tmp-"))
                    .filter(p -> !p.getFileName().toString().equals(".maestral-remote")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> folders(Path side) {
        try (var s = Files.walk(side)) {
            return s.filter(Files::isDirectory).filter(p -> !p.equals(side)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
