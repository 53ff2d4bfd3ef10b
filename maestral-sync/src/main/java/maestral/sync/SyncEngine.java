package maestral.sync;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import maestral.api.ErrorInfo;
import maestral.api.SyncErrorInfo;
import maestral.api.SyncEvent;
import maestral.sync.internal.Index;
import maestral.sync.internal.RecursiveWatcher;
import maestral.sync.internal.SyncCore;
import maestral.sync.spi.RemoteSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two-way sync of a local folder with a remote: the engine behind a maestral daemon.
 *
 * <p>One <em>sync thread</em> runs reconcile passes (see {@code docs/sync.md}): a full
 * three-way comparison of the local tree, the remote listing and the SQLite index, then the
 * actions it decides. A pass runs when the local {@link java.nio.file.WatchService} watcher
 * or the remote's change feed reports a change, and at least every
 * {@link Options#reconcileInterval()}. Unchanged files are not read again (their hash is
 * cached by size, mtime and inode), so a pass over an unchanged tree costs a directory walk.
 *
 * <p>{@link #start()}, {@link #stop()}, {@link #pause()} and {@link #rebuildIndex()} are
 * acknowledged: they return once the sync thread has done what they ask (or a deadline of
 * {@link #ACK_TIMEOUT} passed, which they report). Every getter reads an in-memory snapshot
 * and never waits for I/O or for the sync thread.
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class SyncEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);

    /** The longest wait of an acknowledged call. */
    public static final Duration ACK_TIMEOUT = Duration.ofSeconds(20);
    /** The most history events kept (in memory and in the index database). */
    public static final int HISTORY_SIZE = Index.HISTORY_KEPT;

    /** Status while up to date. */
    public static final String UP_TO_DATE = "Up to date";
    /** Status while syncing (progress is added while transfers run). */
    public static final String SYNCING = "Syncing...";
    /** Status while paused. */
    public static final String PAUSED = "Paused";
    /** Status while stopped. */
    public static final String STOPPED = "Stopped";
    /** Status while the remote cannot be listed. */
    public static final String CONNECTING = "Connecting...";
    /** Status during the first pass, before anything is known. */
    public static final String INDEXING = "Indexing...";
    /** The index's meta key of the remote's identity. */
    private static final String REMOTE_IDENTITY = "remote_identity";

    /**
     * What an engine syncs, and how.
     *
     * @param localRoot the local folder (must exist)
     * @param indexFile the SQLite index file (created when missing)
     * @param remote the remote session; the engine does not close it
     * @param reconcileInterval the longest time between two full reconciles
     * @param onChange called (on engine threads, quickly) after every change of status,
     *     activity or errors
     */
    public record Options(Path localRoot, Path indexFile, RemoteSession remote, Duration reconcileInterval,
                          Runnable onChange) {
        /**
         * Checks the options.
         *
         * @param localRoot the local folder
         * @param indexFile the index file
         * @param remote the remote session
         * @param reconcileInterval the longest time between two full reconciles
         * @param onChange the change listener
         */
        public Options {
            Objects.requireNonNull(localRoot, "localRoot");
            Objects.requireNonNull(indexFile, "indexFile");
            Objects.requireNonNull(remote, "remote");
            if (reconcileInterval == null || reconcileInterval.isNegative() || reconcileInterval.isZero()) {
                throw new IllegalArgumentException("reconcileInterval must be positive: " + reconcileInterval);
            }
            onChange = onChange == null ? () -> { } : onChange;
        }
    }

    private final Options options;
    private final Path root;
    private final Index index;
    private final SyncCore core;

    // ---- published state: read by getters without locks ----
    private volatile String status = STOPPED;
    private volatile boolean running;
    private volatile boolean paused;
    private volatile boolean syncing;
    private volatile boolean connected;
    private volatile boolean firstSyncDone;
    private volatile List<String> excluded = List.of();
    private volatile AtomicReferenceArray<SyncEvent> activity = new AtomicReferenceArray<>(0);
    private volatile int activityStart;
    private volatile long passBytes;
    private volatile String passVerb = "Syncing";
    private volatile long passBytesDone;
    private final AtomicInteger passDone = new AtomicInteger();
    private final Map<String, String> pending = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<SyncEvent> history = new ConcurrentLinkedDeque<>();
    private final AtomicInteger historySize = new AtomicInteger();
    private final Map<String, SyncErrorInfo> errors = new ConcurrentHashMap<>();
    private final ConcurrentLinkedDeque<ErrorInfo> fatal = new ConcurrentLinkedDeque<>();
    private volatile String lastCursor;

    // ---- control: between callers and the sync thread, never taken by getters ----
    private final Object control = new Object();
    /** Guarded by {@code control}. */
    private boolean dirty;
    /** {@code dirty} as last written under {@code control}: lets a burst of events skip the lock. */
    private volatile boolean dirtyHint;
    /** Guarded by {@code control}. */
    private boolean stopRequested;
    /** Guarded by {@code control}. */
    private boolean pauseRequested;
    /** Guarded by {@code control}. */
    private boolean inPass;
    /** Guarded by {@code control}. */
    private boolean rebuildRequested;
    /** Guarded by {@code control}. */
    private boolean closed;
    /** Guarded by {@code control}. */
    private Thread syncThread;
    /** Guarded by {@code control}. */
    private Thread feedThread;
    /** Guarded by {@code control}. */
    private RecursiveWatcher watcher;

    /**
     * Opens the index; starts nothing.
     *
     * @param options what to sync
     * @throws maestral.api.DatabaseError when the index cannot be opened
     */
    public SyncEngine(Options options) {
        this.options = options;
        this.root = options.localRoot().toAbsolutePath().normalize();
        this.index = new Index(options.indexFile());
        this.firstSyncDone = "done".equals(index.meta("first_sync"));
        for (SyncEvent e : index.history(HISTORY_SIZE)) {
            history.add(e);
            historySize.incrementAndGet();
            SyncCore.reserveIdsUpTo(e.id());
        }
        this.core = new SyncCore(root, options.remote(), index, this::isExcluded, new Reporter());
    }

    // ==================== lifecycle ====================

    /**
     * Starts syncing: watches the local folder, follows the remote's change feed and runs a
     * first full reconcile. Nothing happens when already running.
     *
     * @throws IOException when the local folder cannot be watched
     */
    public void start() throws IOException {
        synchronized (control) {
            if (closed) {
                throw new IllegalStateException("the sync engine is closed");
            }
            if (syncThread != null) {
                return;
            }
            stopRequested = false;
            pauseRequested = false;
            dirty = true;
            dirtyHint = true;
            watcher = new RecursiveWatcher(root, "maestral-local-watch", changed -> poke());
            syncThread = Thread.ofPlatform().name("maestral-sync").daemon().unstarted(this::syncLoop);
            feedThread = Thread.ofPlatform().name("maestral-remote-feed").daemon().unstarted(this::feedLoop);
            running = true;
            paused = false;
            setStatus(CONNECTING);
            syncThread.start();
            feedThread.start();
        }
        LOG.info("Sync started: {} with the remote", root);
    }

    /**
     * Stops syncing; returns once every engine thread has ended (the action in progress is
     * finished first), or after {@link #ACK_TIMEOUT}.
     *
     * @return whether every thread ended in time
     */
    public boolean stop() {
        Thread sync;
        Thread feed;
        RecursiveWatcher w;
        synchronized (control) {
            stopRequested = true;
            control.notifyAll();
            sync = syncThread;
            feed = feedThread;
            w = watcher;
            syncThread = null;
            feedThread = null;
            watcher = null;
        }
        boolean ended = true;
        if (w != null) {
            w.close();
        }
        if (feed != null) {
            feed.interrupt();
            ended &= join(feed);
        }
        if (sync != null) {
            ended &= join(sync);
        }
        running = false;
        paused = false;
        syncing = false;
        connected = false;
        clearActivity();
        setStatus(STOPPED);
        if (!ended) {
            LOG.warn("Sync threads did not end within {}", ACK_TIMEOUT);
        }
        return ended;
    }

    private static boolean join(Thread t) {
        try {
            t.join(ACK_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    /**
     * Pauses syncing; returns once no action runs any more (the one in progress is finished
     * first), or after {@link #ACK_TIMEOUT}.
     *
     * @return whether the engine paused in time
     */
    public boolean pause() {
        synchronized (control) {
            if (syncThread == null) {
                return true;
            }
            pauseRequested = true;
            paused = true;
            control.notifyAll();
            boolean ok = awaitControl(() -> !inPass);
            syncing = false;
            setStatus(PAUSED);
            return ok;
        }
    }

    /** Resumes syncing with a full reconcile. */
    public void resume() {
        synchronized (control) {
            if (syncThread == null) {
                return;
            }
            pauseRequested = false;
            paused = false;
            dirty = true;
            dirtyHint = true;
            setStatus(CONNECTING);
            control.notifyAll();
        }
    }

    /**
     * Forgets the index, so that the next pass compares both sides afresh (equal items are
     * recorded, different ones kept both as conflicts); returns once the index is cleared, or
     * after {@link #ACK_TIMEOUT}.
     *
     * @return whether the index was cleared in time
     */
    public boolean rebuildIndex() {
        synchronized (control) {
            if (syncThread == null || !inPass) {
                // the sync thread touches the index only in a pass, which starts under this lock
                index.clear();
                core.localScanner().forgetAll();
                firstSyncDone = false;
                dirty = true;
                dirtyHint = true;
                control.notifyAll();
                return true;
            }
            rebuildRequested = true;
            dirty = true;
            dirtyHint = true;
            control.notifyAll();
            return awaitControl(() -> !rebuildRequested);
        }
    }

    /** Called with {@code control} held. */
    private boolean awaitControl(java.util.function.BooleanSupplier done) {
        long end = System.nanoTime() + ACK_TIMEOUT.toNanos();
        while (!done.getAsBoolean()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(control, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Waits until a pass found nothing to do, no change is pending and the engine runs
     * unpaused.
     *
     * @param timeout the longest wait
     * @return whether that happened in time
     * @throws InterruptedException when interrupted
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (control) {
            while (!(UP_TO_DATE.equals(status) && !dirty && !inPass && syncThread != null && !pauseRequested)) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(control, left);
            }
            return true;
        }
    }

    /** Stops syncing and closes the index. */
    @Override
    public void close() {
        stop();
        synchronized (control) {
            if (closed) {
                return;
            }
            closed = true;
        }
        index.close();
    }

    private void poke() {
        if (dirtyHint) {
            return; // a pass is due that has not scanned yet: it will see this change
        }
        synchronized (control) {
            dirty = true;
            dirtyHint = true;
            control.notifyAll();
        }
    }

    // ==================== the threads ====================

    private void syncLoop() {
        long nextFull = 0;
        while (true) {
            synchronized (control) {
                while (true) {
                    if (stopRequested) {
                        inPass = false;
                        control.notifyAll();
                        return;
                    }
                    long now = System.nanoTime();
                    if (!pauseRequested && (dirty || now - nextFull >= 0)) {
                        break;
                    }
                    inPass = false;
                    control.notifyAll();
                    try {
                        long wait = pauseRequested ? ACK_TIMEOUT.toNanos() : nextFull - now;
                        TimeUnit.NANOSECONDS.timedWait(control, Math.max(1, wait));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                inPass = true;
                dirty = false;
                dirtyHint = false;
                if (rebuildRequested) {
                    index.clear();
                    index.setMeta(REMOTE_IDENTITY, "");
                    core.localScanner().forgetAll();
                    firstSyncDone = false;
                    rebuildRequested = false;
                    control.notifyAll();
                }
            }
            settle();
            if (!firstSyncDone && !status.startsWith("Downloading") && !status.startsWith("Uploading")) {
                setStatus(INDEXING);
            }
            nextFull = System.nanoTime() + options.reconcileInterval().toNanos();
            runPass();
        }
    }

    /** Lets a burst of watch events end before scanning (50 ms). */
    private void settle() {
        synchronized (control) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            long left;
            while ((left = end - System.nanoTime()) > 0 && !stopRequested && !pauseRequested) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(control, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            dirty = false;
            dirtyHint = false;
        }
    }

    private void runPass() {
        SyncCore.Result result;
        try {
            String cursor = lastCursor;
            requireSameRemote();
            result = core.pass();
            connected = true;
            if (cursor != null) {
                index.setMeta("cursor", cursor);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Reconcile failed: {}", e.toString());
            connected = false;
            syncing = false;
            addFatal(e);
            setStatus(CONNECTING);
            return;
        } finally {
            index.commit();
        }
        syncing = false;
        clearActivity();
        boolean again = result.again();
        synchronized (control) {
            if (again) {
                dirty = true;
                dirtyHint = true;
            }
            if (!result.aborted() && !dirty && !pauseRequested && !stopRequested) {
                if (!firstSyncDone) {
                    firstSyncDone = true;
                    index.setMeta("first_sync", "done");
                    index.commit();
                }
                setStatus(UP_TO_DATE);
            }
            control.notifyAll();
        }
    }

    /**
     * Syncs only with the remote this index was synced with (see {@link RemoteSession#identity}):
     * an unmounted or replaced remote folder would otherwise look as if everything in it had
     * been deleted, and the pass would delete the local copies.
     */
    private void requireSameRemote() throws IOException {
        String now = options.remote().identity();
        if (now.isEmpty()) {
            return;
        }
        String known = index.meta(REMOTE_IDENTITY);
        if (known == null || known.isEmpty() || index.size() == 0) {
            index.setMeta(REMOTE_IDENTITY, now);
            return;
        }
        if (!known.equals(now)) {
            throw new IOException("the remote is not the one last synced (its identity changed from "
                    + known + " to " + now + "): was it unmounted, replaced or emptied? Nothing is synced "
                    + "until it is back; rebuild the index to sync with it as it is now");
        }
    }

    private void addFatal(Exception e) {
        ErrorInfo info = new ErrorInfo(e.getClass().getSimpleName(), "Cannot reach the remote",
                String.valueOf(e.getMessage()), "");
        if (fatal.stream().noneMatch(f -> f.message().equals(info.message()))) {
            fatal.add(info);
            while (fatal.size() > 20) {
                fatal.pollFirst();
            }
        }
    }

    private void feedLoop() {
        RemoteSession remote = options.remote();
        String cursor = null;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                if (cursor == null) {
                    cursor = remote.cursor();
                    lastCursor = cursor;
                }
                String next = remote.awaitChanges(cursor, Duration.ofSeconds(30));
                if (!next.equals(cursor)) {
                    cursor = next;
                    lastCursor = next;
                    poke();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.debug("Change feed failed: {}", e.toString());
                cursor = null;
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    // ==================== what a pass reports ====================

    private final class Reporter implements SyncCore.Reporter {
        @Override
        public void planned(List<SyncEvent> events, long bytes) {
            AtomicReferenceArray<SyncEvent> a = new AtomicReferenceArray<>(events.toArray(new SyncEvent[0]));
            for (SyncEvent e : events) {
                pending.put(e.dbxPath(), e.direction());
            }
            boolean allDown = events.stream().allMatch(e -> e.direction().equals("down"));
            boolean allUp = events.stream().allMatch(e -> e.direction().equals("up"));
            passVerb = allDown ? "Downloading" : allUp ? "Uploading" : "Syncing";
            passDone.set(0);
            passBytes = bytes;
            passBytesDone = 0;
            activityStart = 0;
            activity = a;
            syncing = true;
            setStatus(progress());
        }

        @Override
        public void updated(int position, SyncEvent event, long bytesDone) {
            AtomicReferenceArray<SyncEvent> a = activity;
            if (position < a.length()) {
                a.set(position, event);
            }
            passBytesDone = bytesDone;
            if (!event.status().equals("syncing") && !event.status().equals("queued")) {
                pending.remove(event.dbxPath());
                activityStart = position + 1;
                passDone.incrementAndGet();
                if (!event.status().equals("skipped")) {
                    index.addHistory(event);
                    history.add(event);
                    if (historySize.incrementAndGet() > HISTORY_SIZE) {
                        history.pollFirst();
                        historySize.decrementAndGet();
                    }
                }
            }
            setStatus(progress());
        }

        @Override
        public void error(String path, SyncErrorInfo error) {
            if (error == null) {
                if (errors.remove(path) != null) {
                    options.onChange().run();
                }
            } else {
                errors.put(path, error);
                options.onChange().run();
            }
        }

        @Override
        public boolean abort() {
            synchronized (control) {
                return pauseRequested || stopRequested;
            }
        }
    }

    private void clearActivity() {
        activity = new AtomicReferenceArray<>(0);
        activityStart = 0;
        pending.clear();
        options.onChange().run();
    }

    /** {@return the status while a pass acts: direction, files and bytes done of the pass} */
    private String progress() {
        String text = passVerb + " " + passDone.get() + "/" + activity.length() + " files";
        if (passBytes > 0) {
            text += " (" + bytes(passBytesDone) + "/" + bytes(passBytes) + ")";
        }
        return text + "...";
    }

    /**
     * {@return a byte count as people read it: {@code "512 B"}, {@code "1.2 MB"}}
     *
     * @param n bytes
     */
    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    private void setStatus(String s) {
        if (!s.equals(status)) {
            status = s;
            LOG.debug("Status: {}", s);
        }
        options.onChange().run();
    }

    // ==================== getters: snapshots only ====================

    /** {@return the status message} */
    public String status() {
        return status;
    }

    /** {@return whether syncing was started and not stopped (it may be paused)} */
    public boolean running() {
        return running;
    }

    /** {@return whether syncing is paused} */
    public boolean paused() {
        return paused;
    }

    /** {@return whether items are being synced now} */
    public boolean syncing() {
        return syncing;
    }

    /** {@return whether the last listing of the remote succeeded} */
    public boolean connected() {
        return connected;
    }

    /** {@return whether a first full sync completed with this index} */
    public boolean firstSyncDone() {
        return firstSyncDone;
    }

    /** {@return the local folder} */
    public Path localRoot() {
        return root;
    }

    /**
     * {@return queued and running events, at most {@code limit}}
     *
     * @param limit the most events
     */
    public List<SyncEvent> activity(int limit) {
        AtomicReferenceArray<SyncEvent> a = activity;
        List<SyncEvent> out = new ArrayList<>();
        for (int i = Math.min(activityStart, a.length()); i < a.length() && out.size() < limit; i++) {
            SyncEvent e = a.get(i);
            if (e.status().equals("queued") || e.status().equals("syncing")) {
                out.add(e);
            }
        }
        return List.copyOf(out);
    }

    /**
     * {@return past events, newest last, at most {@code limit}}
     *
     * @param limit the most events
     */
    public List<SyncEvent> history(int limit) {
        List<SyncEvent> all = new ArrayList<>(history);
        return List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
    }

    /** {@return the sync errors of single items} */
    public List<SyncErrorInfo> syncErrors() {
        return List.copyOf(errors.values());
    }

    /** {@return the errors that kept the engine from syncing at all, oldest first} */
    public List<ErrorInfo> fatalErrors() {
        return List.copyOf(fatal);
    }

    /** Forgets the fatal errors. */
    public void clearFatalErrors() {
        fatal.clear();
        options.onChange().run();
    }

    /**
     * Sets the excluded items (selective sync): paths compared without regard to case, each
     * excluding itself and everything below it. Excluded items are neither uploaded nor
     * downloaded nor deleted; what exists of them stays where it is.
     *
     * @param items the excluded paths
     */
    public void setExcluded(List<String> items) {
        List<String> lower = new ArrayList<>();
        for (String i : items) {
            lower.add(i.toLowerCase(Locale.ROOT));
        }
        excluded = List.copyOf(lower);
        poke();
    }

    private boolean isExcluded(String path) {
        List<String> items = excluded;
        if (items.isEmpty()) {
            return false;
        }
        String p = path.toLowerCase(Locale.ROOT);
        for (String i : items) {
            if (i.equals("/") || p.equals(i) || p.startsWith(i + "/")) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@return {@code "uploading"}, {@code "downloading"}, {@code "up to date"}, {@code "error"}
     * or {@code "unwatched"} (outside the folder, excluded, not synced, or not running)}
     *
     * @param localPath a local path
     */
    public String fileStatus(Path localPath) {
        Path p = localPath.toAbsolutePath().normalize();
        if (!running || !p.startsWith(root)) {
            return "unwatched";
        }
        if (p.equals(root)) {
            return "up to date";
        }
        StringBuilder sb = new StringBuilder();
        for (Path part : root.relativize(p)) {
            sb.append('/').append(part);
        }
        String path = sb.toString();
        if (isExcluded(path)) {
            return "unwatched";
        }
        String direction = pending.get(path);
        if (direction != null) {
            return direction.equals("up") ? "uploading" : "downloading";
        }
        if (errors.containsKey(path)) {
            return "error";
        }
        return index.get(path) != null ? "up to date" : "unwatched";
    }
}
