package maestral.sync.internal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import maestral.api.AccountInfo;
import maestral.api.SpaceUsage;
import maestral.sync.spi.RemoteConflictException;
import maestral.sync.spi.RemoteEntry;
import maestral.sync.spi.RemoteSession;

/**
 * A session of the folder backend. The revision of a file is its SHA-256 (so equal content
 * has equal revisions); writes go to a hidden temporary file beside the target and are
 * moved over it atomically; the change feed is a {@link RecursiveWatcher} on the folder,
 * started at the first {@link #cursor()}. Nothing is stored outside the folder, and inside
 * it only transient temporary files. Conditions of conditional changes are checked just
 * before the change, under this session's lock: another process writing the same folder at
 * that instant can still win the race.
 */
final class FolderSession implements RemoteSession {

    private final Path root;
    private final TreeScanner scanner;
    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final Object changes = new Object();
    /** Guarded by {@code changes}. */
    private long generation;
    /** Guarded by {@code changes}. */
    private boolean closed;
    /** Guarded by {@code changes}. */
    private RecursiveWatcher watcher;

    FolderSession(Path root) {
        this.root = root;
        this.scanner = new TreeScanner(root, Sha256::of);
        removeStaleTemporaries();
    }

    private void removeStaleTemporaries() {
        try (var files = Files.walk(root)) {
            files.filter(p -> p.getFileName().toString().startsWith(TreeScanner.TEMP_PREFIX))
                    .filter(p -> {
                        try {
                            return Files.getLastModifiedTime(p).toMillis() < System.currentTimeMillis() - 3_600_000;
                        } catch (IOException e) {
                            return false;
                        }
                    }).forEach(p -> {
                        try {
                            Files.deleteIfExists(p);
                        } catch (IOException ignored) {
                            // another try at the next open
                        }
                    });
        } catch (IOException | java.io.UncheckedIOException e) {
            // nothing to clean
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A random name kept in {@value TreeScanner#IDENTITY_FILE} in the root, written on first
     * use. A disk unmounted from the folder leaves its mount point without that file, so the
     * folder gets a new identity and the engine stops instead of deleting the local copies.
     */
    @Override
    public synchronized String identity() throws IOException {
        Path file = root.resolve(TreeScanner.IDENTITY_FILE);
        try {
            return Files.readString(file).trim();
        } catch (java.nio.file.NoSuchFileException absent) {
            String id = UUID.randomUUID().toString();
            Path temp = root.resolve(TreeScanner.TEMP_PREFIX + UUID.randomUUID());
            Files.writeString(temp, id + "\n");
            try {
                Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            return id;
        }
    }

    private static String checkPath(String path) {
        if (path == null || !path.startsWith("/") || path.contains("/../") || path.endsWith("/..")
                || path.contains("//")) {
            throw new IllegalArgumentException("not a remote path: '" + path + "'");
        }
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static RemoteEntry entry(String path, TreeScanner.Item item) {
        return item.folder() ? new RemoteEntry(path, true, 0, 0, null, null)
                : new RemoteEntry(path, false, item.size(), TimeUnit.NANOSECONDS.toMillis(item.mtimeNanos()),
                        item.hash(), item.hash());
    }

    @Override
    public List<RemoteEntry> list(String folder, boolean recursive) throws IOException {
        String f = checkPath(folder);
        Map<String, TreeScanner.Item> items;
        try {
            items = scanner.scan(f, recursive);
        } catch (NoSuchFileException e) {
            throw new FileNotFoundException("No such remote folder: " + f);
        }
        List<RemoteEntry> out = new ArrayList<>(items.size());
        items.forEach((p, item) -> out.add(entry(p, item)));
        return out;
    }

    @Override
    public RemoteEntry metadata(String path) throws IOException {
        String p = checkPath(path);
        if (p.equals("/")) {
            return new RemoteEntry("/", true, 0, 0, null, null);
        }
        TreeScanner.Item item = scanner.stat(p);
        return item == null ? null : entry(p, item);
    }

    @Override
    public InputStream read(String path) throws IOException {
        Path file = scanner.resolve(checkPath(path));
        if (Files.isDirectory(file)) {
            throw new IOException("Is a folder: " + path);
        }
        return Files.newInputStream(file);
    }

    @Override
    public synchronized RemoteEntry write(String path, InputStream content, String expectedRev) throws IOException {
        String p = checkPath(path);
        Path target = scanner.resolve(p);
        Path parent = target.getParent();
        try {
            Files.createDirectories(parent);
        } catch (FileAlreadyExistsException | NotDirectoryException e) {
            throw new RemoteConflictException("A file is in the way of the folder of " + p);
        }
        Path temp = parent.resolve(TreeScanner.TEMP_PREFIX + UUID.randomUUID());
        try {
            Files.copy(content, temp);
            TreeScanner.Item current = scanner.stat(p);
            if (expectedRev == null ? current != null
                    : current == null || current.folder() || !expectedRev.equals(current.hash())) {
                throw new RemoteConflictException("Remote " + p + " is not at the expected revision "
                        + expectedRev + " any more");
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        TreeScanner.Item written = scanner.stat(p);
        if (written == null) {
            throw new NoSuchFileException(target.toString(), null, "removed right after it was written");
        }
        return entry(p, written);
    }

    @Override
    public synchronized void delete(String path, String expectedRev) throws IOException {
        String p = checkPath(path);
        if (p.equals("/")) {
            throw new IllegalArgumentException("the root cannot be deleted");
        }
        TreeScanner.Item current = scanner.stat(p);
        if (current == null) {
            return;
        }
        if (current.folder()) {
            if (expectedRev != null) {
                throw new RemoteConflictException("Remote " + p + " is a folder now");
            }
            try {
                Files.delete(scanner.resolve(p));
            } catch (DirectoryNotEmptyException e) {
                throw new RemoteConflictException("Remote folder " + p + " is not empty");
            }
            return;
        }
        if (expectedRev == null || !expectedRev.equals(current.hash())) {
            throw new RemoteConflictException("Remote " + p + " is not at the expected revision " + expectedRev);
        }
        Files.deleteIfExists(scanner.resolve(p));
    }

    @Override
    public synchronized RemoteEntry createFolder(String path) throws IOException {
        String p = checkPath(path);
        try {
            Files.createDirectories(scanner.resolve(p));
        } catch (FileAlreadyExistsException | NotDirectoryException e) {
            throw new RemoteConflictException("A file is in the way of folder " + p);
        }
        return new RemoteEntry(p, true, 0, 0, null, null);
    }

    @Override
    public synchronized RemoteEntry move(String from, String to) throws IOException {
        String f = checkPath(from);
        String t = checkPath(to);
        Path target = scanner.resolve(t);
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new RemoteConflictException("Something is at " + t);
        }
        Files.createDirectories(target.getParent());
        Files.move(scanner.resolve(f), target, StandardCopyOption.ATOMIC_MOVE);
        return metadata(t);
    }

    @Override
    public String contentHash(InputStream content) throws IOException {
        return Sha256.of(content);
    }

    @Override
    public String cursor() {
        synchronized (changes) {
            if (watcher == null && !closed) {
                try {
                    watcher = new RecursiveWatcher(root, "maestral-remote-watch-" + id, changed -> {
                        synchronized (changes) {
                            generation++;
                            changes.notifyAll();
                        }
                    });
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return id + ":" + generation;
        }
    }

    @Override
    public String awaitChanges(String cursor, Duration timeout) throws InterruptedException {
        synchronized (changes) {
            if (closed) {
                throw new IllegalStateException("the session is closed");
            }
        }
        String now = cursor();
        if (!now.equals(cursor)) {
            return now;
        }
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (changes) {
            long seen = generation;
            while (generation == seen && !closed) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(changes, left);
            }
            return id + ":" + generation;
        }
    }

    @Override
    public AccountInfo account() {
        byte[] digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(root.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new AccountInfo("folder:" + HexFormat.of().formatHex(digest, 0, 8), "",
                root.toString(), "local");
    }

    @Override
    public SpaceUsage spaceUsage() throws IOException {
        long used = 0;
        for (RemoteEntry e : list("/", true)) {
            used += e.size();
        }
        FileStore store = Files.getFileStore(root);
        return new SpaceUsage(used, store.getTotalSpace(), "individual");
    }

    @Override
    public void close() {
        RecursiveWatcher w;
        synchronized (changes) {
            closed = true;
            w = watcher;
            watcher = null;
            changes.notifyAll();
        }
        if (w != null) {
            w.close();
        }
    }
}
