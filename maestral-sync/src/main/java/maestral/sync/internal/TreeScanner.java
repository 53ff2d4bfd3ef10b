package maestral.sync.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Lists a folder tree with a content hash per file, hashing only files whose size, mtime or
 * identity changed since they were last hashed. A file whose mtime lies within
 * {@link #RACY} of the moment it was hashed is hashed again at every scan, because a write
 * in the same clock tick would leave size and mtime unchanged (git's "racy clean" problem).
 *
 * <p>Names starting with {@value #TEMP_PREFIX} (the engine's and the folder backend's
 * temporary files), the folder backend's identity file {@value #IDENTITY_FILE} and symbolic
 * links are not listed.
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class TreeScanner {

    /** The prefix of temporary files that scanners ignore. */
    public static final String TEMP_PREFIX = ".maestral-tmp-";
    /** How recent an mtime must be for its hash not to be trusted, in nanoseconds. */
    static final long RACY = TimeUnit.SECONDS.toNanos(2);

    /** Hashes content. */
    @FunctionalInterface
    public interface Hasher {
        /**
         * {@return the hash of the remaining bytes}
         *
         * @param in the bytes
         * @throws IOException when reading fails
         */
        String hash(InputStream in) throws IOException;
    }

    /**
     * One item found.
     *
     * @param folder whether it is a folder
     * @param size bytes, 0 for a folder
     * @param mtimeNanos modification time in nanoseconds since the epoch
     * @param fileKey the file's identity (device and inode), or {@code null}
     * @param hash the content hash, {@code null} for a folder
     */
    public record Item(boolean folder, long size, long mtimeNanos, String fileKey, String hash) {
    }

    private record Cached(long size, long mtimeNanos, String fileKey, String hash, long hashedAt) {
    }

    private final Path root;
    private final Hasher hasher;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    /**
     * Creates a scanner of a tree.
     *
     * @param root the tree's root folder
     * @param hasher the content hash
     */
    public TreeScanner(Path root, Hasher hasher) {
        this.root = root;
        this.hasher = hasher;
    }

    /** {@return the root folder} */
    public Path root() {
        return root;
    }

    /** The name of the folder backend's identity file in its root, which scanners ignore. */
    public static final String IDENTITY_FILE = ".maestral-remote";

    /** {@return whether a file name is ignored} */
    static boolean ignored(String name) {
        return name.startsWith(TEMP_PREFIX) || name.equals(IDENTITY_FILE);
    }

    /**
     * {@return the local file of a path}
     *
     * @param path a path such as {@code "/a/b.txt"}
     */
    public Path resolve(String path) {
        return path.equals("/") ? root : root.resolve(path.substring(1));
    }

    /**
     * {@return the path of a local file under the root}
     *
     * @param file a file under the root
     */
    public String pathOf(Path file) {
        Path rel = root.relativize(file);
        StringBuilder sb = new StringBuilder();
        for (Path part : rel) {
            sb.append('/').append(part);
        }
        return sb.isEmpty() ? "/" : sb.toString();
    }

    /**
     * Lists a folder's items.
     *
     * @param folder a path, {@code "/"} for the root
     * @param recursive whether to list sub-folders too
     * @return the items by path (the folder itself not included)
     * @throws IOException when the folder cannot be read
     */
    public Map<String, Item> scan(String folder, boolean recursive) throws IOException {
        Path start = resolve(folder);
        if (!Files.isDirectory(start)) {
            throw new NoSuchFileException(start.toString());
        }
        Map<String, Item> out = new HashMap<>();
        Files.walkFileTree(start, java.util.Set.of(), recursive ? Integer.MAX_VALUE : 1,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        if (dir.equals(start)) {
                            return FileVisitResult.CONTINUE;
                        }
                        if (ignored(dir.getFileName().toString())) {
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                        out.put(pathOf(dir), new Item(true, 0, 0, null, null));
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (ignored(file.getFileName().toString())) {
                            return FileVisitResult.CONTINUE;
                        }
                        if (attrs.isDirectory()) { // a folder at the depth limit
                            out.put(pathOf(file), new Item(true, 0, 0, null, null));
                        } else if (attrs.isRegularFile()) {
                            try {
                                out.put(pathOf(file), fileItem(file, attrs));
                            } catch (IOException gone) {
                                // changed or removed while scanning: the next scan sees it
                            }
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException exc) {
                        return FileVisitResult.CONTINUE; // vanished while scanning
                    }
                });
        return out;
    }

    /**
     * {@return the item at a path, or {@code null} when nothing (or something ignored) is there}
     *
     * @param path the path
     * @throws IOException when it cannot be read
     */
    public Item stat(String path) throws IOException {
        Path file = resolve(path);
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (attrs.isDirectory()) {
            return new Item(true, 0, 0, null, null);
        }
        return attrs.isRegularFile() ? fileItem(file, attrs) : null;
    }

    private Item fileItem(Path file, BasicFileAttributes attrs) throws IOException {
        String path = pathOf(file);
        long size = attrs.size();
        long mtime = attrs.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        String key = Objects.toString(attrs.fileKey(), null);
        Cached c = cache.get(path);
        if (c != null && c.size == size && c.mtimeNanos == mtime && Objects.equals(c.fileKey, key)
                && c.hashedAt - mtime > RACY) {
            return new Item(false, size, mtime, key, c.hash);
        }
        long hashedAt = nowNanos();
        String hash;
        try (InputStream in = Files.newInputStream(file)) {
            hash = hasher.hash(in);
        }
        // Keep the hash only when the file did not change while it was read.
        BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (after.size() == size && after.lastModifiedTime().to(TimeUnit.NANOSECONDS) == mtime) {
            cache.put(path, new Cached(size, mtime, key, hash, hashedAt));
        } else {
            cache.remove(path);
        }
        return new Item(false, size, mtime, key, hash);
    }

    /**
     * Records a hash known for a file just written, so that it need not be read again once
     * its mtime is old enough.
     *
     * @param path the path
     * @param item its item
     */
    public void remember(String path, Item item) {
        if (!item.folder()) {
            cache.put(path, new Cached(item.size(), item.mtimeNanos(), item.fileKey(), item.hash(), nowNanos()));
        }
    }

    /** Forgets every cached hash. */
    public void forgetAll() {
        cache.clear();
    }

    private static long nowNanos() {
        java.time.Instant now = java.time.Instant.now();
        return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    }
}
