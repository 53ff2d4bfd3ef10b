package maestral.sync.internal;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a folder tree with the JDK {@link WatchService}: every folder is registered, new
 * folders as they appear. Each event that is not about an ignored temporary file calls the
 * listener with the changed file ({@code null} after an overflow, meaning "anything may have
 * changed": the listener then reconciles in full).
 *
 * <p>One thread, named as given, runs until {@link #close()}.
 */
public final class RecursiveWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecursiveWatcher.class);

    private final Path root;
    private final WatchService service;
    private final Consumer<Path> listener;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Registers the tree and starts watching it.
     *
     * @param root the tree
     * @param threadName the watcher thread's name
     * @param listener called on the watcher thread with the changed file, or {@code null}
     * @throws IOException when the tree cannot be watched
     */
    public RecursiveWatcher(Path root, String threadName, Consumer<Path> listener) throws IOException {
        this.root = root;
        this.service = root.getFileSystem().newWatchService();
        this.listener = listener;
        registerTree(root);
        this.thread = Thread.ofPlatform().name(threadName).daemon().unstarted(this::run);
        thread.start();
    }

    private void registerTree(Path start) {
        try {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    if (!dir.equals(root) && TreeScanner.ignored(dir.getFileName().toString())) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    dir.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | ClosedWatchServiceException e) {
            if (!closed) {
                LOG.debug("Cannot watch {}: {}", start, e.toString());
            }
        }
    }

    private void run() {
        while (!closed) {
            WatchKey key;
            try {
                key = service.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            Path dir = (Path) key.watchable();
            for (WatchEvent<?> event : key.pollEvents()) {
                try {
                    if (event.kind() == OVERFLOW) {
                        listener.accept(null);
                        continue;
                    }
                    Path child = dir.resolve((Path) event.context());
                    if (TreeScanner.ignored(child.getFileName().toString())) {
                        continue;
                    }
                    if (event.kind() == ENTRY_CREATE && Files.isDirectory(child)) {
                        registerTree(child);
                    }
                    listener.accept(child);
                } catch (RuntimeException e) {
                    LOG.warn("Watch listener failed: {}", e.toString());
                }
            }
            key.reset();
        }
    }

    /** Stops watching and ends the thread (waits 5 s at most). */
    @Override
    public void close() {
        closed = true;
        try {
            service.close();
        } catch (IOException e) {
            LOG.debug("Closing the watch service: {}", e.toString());
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
