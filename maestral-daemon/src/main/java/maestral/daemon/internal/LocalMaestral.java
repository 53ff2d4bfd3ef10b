package maestral.daemon.internal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import maestral.api.AccountInfo;
import maestral.api.BadInputError;
import maestral.api.ErrorInfo;
import maestral.api.FileMetadata;
import maestral.api.Maestral;
import maestral.api.MaestralApiError;
import maestral.api.NoDropboxDirError;
import maestral.api.NotFoundError;
import maestral.api.NotLinkedError;
import maestral.api.SpaceUsage;
import maestral.api.SyncErrorInfo;
import maestral.api.SyncEvent;
import maestral.api.spi.Handshake;
import maestral.sync.Backends;
import maestral.sync.SyncEngine;
import maestral.sync.spi.RemoteBackend;
import maestral.sync.spi.RemoteEntry;
import maestral.sync.spi.RemoteSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Maestral} a daemon serves, and a proxy's fallback: configuration and state
 * persisted per configuration name, a status that follows start, stop, pause and resume, and
 * long polls that wake on every status change.
 *
 * <p>Syncing is done by a {@link SyncEngine} that {@link #startSync()} creates and
 * {@link #stopSync()} closes; its index is {@code <data>/NAME.db}. {@link #link(String)}
 * picks a {@link RemoteBackend} with {@link Backends#forTarget(String)} and stores the target
 * in the config ({@code main.remote}). Until linked, the calls that need a remote throw
 * {@link NotLinkedError}, as maestral does. The status getters read the engine's in-memory
 * snapshots and never wait for I/O.
 *
 * <p>The system property {@code maestral.sync.reconcileInterval} sets the seconds between
 * two full reconciles (default 60).
 *
 * <p><b>Safe for use by many threads at once.</b> The getters that
 * {@link maestral.api.spi.MaestralMethods#answeredFromMemory} names answer from memory, never
 * waiting on I/O or on another call: the uds transport runs them on its event loop.
 */
public final class LocalMaestral implements Maestral, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalMaestral.class);

    /** The status of a configuration that does not sync. */
    public static final String STOPPED = "Stopped";
    /** The status of a paused configuration. */
    public static final String PAUSED = "Paused";

    private final String configName;
    private final Folders folders;
    private final JsonStore conf;
    private final JsonStore state;
    private final IntConsumer applyLogLevel;
    private final Runnable onShutdownRequest;

    private final Object statusMonitor = new Object();
    /** Guarded by {@code statusMonitor}. */
    private String status = STOPPED;
    /** Guarded by {@code statusMonitor}. */
    private long statusVersion;
    /** Guarded by {@code statusMonitor}. */
    private boolean running;
    /** Guarded by {@code statusMonitor}. */
    private boolean paused;
    /** Guarded by {@code statusMonitor}. */
    private boolean closed;

    /** Serializes start, stop, link, unlink and folder changes. */
    private final Object lifecycle = new Object();
    /** Written under {@code lifecycle}. */
    private volatile RemoteSession session;
    /** Written under {@code lifecycle}. */
    private volatile SyncEngine engine;
    /** The history of the last engine, kept after it stops. */
    private volatile List<SyncEvent> lastHistory = List.of();

    /**
     * Loads the configuration's config and state.
     *
     * @param configName the configuration served
     * @param folders where its config and state live
     * @param applyLogLevel called with the new level (10 to 50) when it changes, and once now
     * @param onShutdownRequest called, after answering, when {@link #shutdownDaemon()} is called
     */
    public LocalMaestral(String configName, Folders folders, IntConsumer applyLogLevel,
                         Runnable onShutdownRequest) {
        this.configName = configName;
        this.folders = folders;
        this.conf = new JsonStore(folders.configFile(configName), Map.of(
                "main", Map.of("path", "", "excluded_items", List.of(), "remote", ""),
                "app", Map.of("log_level", 20, "notification_level", 15)));
        this.state = new JsonStore(folders.stateFile(configName), Map.of(
                "account", Map.of("account_id", ""),
                "app", Map.of("notification_snooze_until", 0.0)));
        this.applyLogLevel = applyLogLevel;
        this.onShutdownRequest = onShutdownRequest;
        applyLogLevel.accept(logLevel());
    }

    @Override
    public String version() {
        return Handshake.LIBRARY_VERSION;
    }

    @Override
    public String configName() {
        return configName;
    }

    @Override
    public String status() {
        SyncEngine e = engine;
        if (e != null) {
            return e.status();
        }
        synchronized (statusMonitor) {
            return status;
        }
    }

    @Override
    public boolean running() {
        SyncEngine e = engine;
        if (e != null) {
            return e.running();
        }
        synchronized (statusMonitor) {
            return running;
        }
    }

    @Override
    public boolean paused() {
        SyncEngine e = engine;
        if (e != null) {
            return e.paused();
        }
        synchronized (statusMonitor) {
            return paused;
        }
    }

    @Override
    public boolean syncing() {
        SyncEngine e = engine;
        return e != null && e.syncing();
    }

    @Override
    public boolean connected() {
        SyncEngine e = engine;
        return e != null && e.connected();
    }

    @Override
    public boolean pendingLink() {
        return String.valueOf(state.get("account", "account_id")).isEmpty() || remoteTarget().isEmpty();
    }

    /** {@return the linked target, {@code ""} when none} */
    private String remoteTarget() {
        Object target = conf.get("main", "remote");
        return target == null ? "" : target.toString();
    }

    @Override
    public boolean pendingDropboxFolder() {
        String path = dropboxPath();
        return path.isEmpty() || !Files.isDirectory(Path.of(path));
    }

    @Override
    public boolean pendingFirstDownload() {
        SyncEngine e = engine;
        if (e != null && e.firstSyncDone()) {
            return false;
        }
        return pendingLink() || !Boolean.TRUE.equals(state.get("sync", "first_download_done"));
    }

    @Override
    public String dropboxPath() {
        Object path = conf.get("main", "path");
        return path == null ? "" : path.toString();
    }

    @Override
    public List<String> excludedItems() {
        List<String> out = new ArrayList<>();
        if (conf.get("main", "excluded_items") instanceof List<?> items) {
            items.forEach(i -> out.add(String.valueOf(i)));
        }
        return out;
    }

    @Override
    public synchronized void setExcludedItems(List<String> items) {
        List<String> clean = new ArrayList<>();
        for (String item : items) {
            String p = normalize(item);
            if (!clean.contains(p)) {
                clean.add(p);
            }
        }
        set(conf, "main", "excluded_items", clean);
        excludedChanged();
    }

    private void excludedChanged() {
        SyncEngine e = engine;
        if (e != null) {
            e.setExcluded(excludedItems());
        }
    }

    @Override
    public synchronized void excludeItem(String dbxPath) {
        String p = normalize(dbxPath);
        List<String> items = new ArrayList<>(excludedItems());
        items.removeIf(i -> i.equals(p) || isInside(i, p));
        items.add(p);
        set(conf, "main", "excluded_items", items);
        excludedChanged();
    }

    @Override
    public synchronized void includeItem(String dbxPath) {
        String p = normalize(dbxPath);
        List<String> items = new ArrayList<>(excludedItems());
        boolean underExcluded = items.stream().anyMatch(i -> isInside(p, i));
        if (underExcluded) {
            throw new BadInputError("Cannot include item",
                    "'" + dbxPath + "' lies in an excluded folder: include that folder instead.", dbxPath,
                    null, null, null);
        }
        items.removeIf(i -> i.equals(p) || isInside(i, p));
        set(conf, "main", "excluded_items", items);
        excludedChanged();
    }

    @Override
    public String excludedStatus(String dbxPath) {
        String p = normalize(dbxPath);
        List<String> items = excludedItems();
        if (items.stream().anyMatch(i -> p.equals(i) || isInside(p, i))) {
            return "excluded";
        }
        if (items.stream().anyMatch(i -> isInside(i, p))) {
            return "partially excluded";
        }
        return "included";
    }

    /** {@return whether the normalized path lies below the normalized folder; everything but "/" lies below "/"} */
    private static boolean isInside(String path, String folder) {
        return folder.equals("/") ? !path.equals("/") : path.startsWith(folder + "/");
    }

    private static String normalize(String dbxPath) {
        if (dbxPath == null || !dbxPath.startsWith("/")) {
            throw new BadInputError("Invalid path", "a remote path starts with '/': '" + dbxPath + "'",
                    dbxPath, null, null, null);
        }
        String p = dbxPath.toLowerCase(Locale.ROOT);
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    @Override
    public int logLevel() {
        return ((Number) conf.get("app", "log_level")).intValue();
    }

    @Override
    public void setLogLevel(int level) {
        if (level != 10 && level != 20 && level != 30 && level != 40 && level != 50) {
            throw new BadInputError("Invalid log level",
                    "use 10 (DEBUG), 20 (INFO), 30 (WARNING), 40 (ERROR) or 50 (CRITICAL), not " + level);
        }
        conf.set("app", "log_level", level);
        applyLogLevel.accept(level);
        LOG.info("Log level set to {}", level);
    }

    @Override
    public int notificationLevel() {
        return ((Number) conf.get("app", "notification_level")).intValue();
    }

    @Override
    public void setNotificationLevel(int level) {
        if (level < 0 || level > 100) {
            throw new BadInputError("Invalid notification level", "use 0 to 100, not " + level);
        }
        conf.set("app", "notification_level", level);
    }

    @Override
    public double notificationSnooze() {
        double until = ((Number) state.get("app", "notification_snooze_until")).doubleValue();
        double left = (until - System.currentTimeMillis() / 1000.0) / 60.0;
        return Math.max(0.0, left);
    }

    @Override
    public void setNotificationSnooze(double minutes) {
        if (!(minutes >= 0) || Double.isInfinite(minutes)) {
            throw new BadInputError("Invalid snooze", "minutes must be 0 or more, not " + minutes);
        }
        state.set("app", "notification_snooze_until", System.currentTimeMillis() / 1000.0 + minutes * 60);
    }

    @Override
    public List<SyncErrorInfo> syncErrors() {
        SyncEngine e = engine;
        return e == null ? List.of() : e.syncErrors();
    }

    @Override
    public List<ErrorInfo> fatalErrors() {
        SyncEngine e = engine;
        return e == null ? List.of() : e.fatalErrors();
    }

    @Override
    public void clearFatalErrors() {
        SyncEngine e = engine;
        if (e != null) {
            e.clearFatalErrors();
        }
    }

    @Override
    public String getFileStatus(String localPath) {
        SyncEngine e = engine;
        if (e == null || localPath == null) {
            return "unwatched";
        }
        try {
            return e.fileStatus(Path.of(localPath));
        } catch (java.nio.file.InvalidPathException bad) {
            return "unwatched";
        }
    }

    @Override
    public List<SyncEvent> getActivity(int limit) {
        requireLimit(limit);
        SyncEngine e = engine;
        return e == null ? List.of() : e.activity(limit);
    }

    @Override
    public List<SyncEvent> getHistory(int limit) {
        requireLimit(limit);
        SyncEngine e = engine;
        List<SyncEvent> all = e == null ? lastHistory : e.history(limit);
        return List.copyOf(all.subList(Math.max(0, all.size() - limit), all.size()));
    }

    private static void requireLimit(int limit) {
        if (limit < 0) {
            throw new BadInputError("Invalid limit", "limit must be 0 or more, not " + limit);
        }
    }

    @Override
    public AccountInfo getAccountInfo() {
        try {
            return session().account();
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    @Override
    public SpaceUsage getSpaceUsage() {
        try {
            return session().spaceUsage();
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    @Override
    public List<FileMetadata> listFolder(String dbxPath, boolean recursive) {
        String path = remotePath(dbxPath);
        RemoteSession s = session();
        try {
            List<FileMetadata> out = new ArrayList<>();
            for (RemoteEntry e : s.list(path, recursive)) {
                out.add(metadata(e));
            }
            out.sort(Comparator.comparing(FileMetadata::pathLower).thenComparing(FileMetadata::pathDisplay));
            return out;
        } catch (FileNotFoundException e) {
            throw new NotFoundError("Folder not found", "There is no remote folder '" + dbxPath + "'.",
                    dbxPath, null, null, null);
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    @Override
    public FileMetadata getMetadata(String dbxPath) {
        String path = remotePath(dbxPath);
        try {
            RemoteEntry e = session().metadata(path);
            if (e == null) {
                throw new NotFoundError("Item not found", "There is nothing at '" + dbxPath + "'.",
                        dbxPath, null, null, null);
            }
            return metadata(e);
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    private static FileMetadata metadata(RemoteEntry e) {
        String name = e.path().equals("/") ? "" : e.path().substring(e.path().lastIndexOf('/') + 1);
        return new FileMetadata(name, e.path().toLowerCase(Locale.ROOT), e.path(), e.folder(), e.size(),
                e.folder() ? null : Instant.ofEpochMilli(e.modifiedMillis()), e.rev(), e.contentHash());
    }

    private static String remotePath(String dbxPath) {
        if (dbxPath == null || dbxPath.isEmpty()) {
            return "/";
        }
        if (!dbxPath.startsWith("/") || dbxPath.contains("//") || dbxPath.contains("/../")
                || dbxPath.endsWith("/..")) {
            throw new BadInputError("Invalid path", "a remote path starts with '/': '" + dbxPath + "'",
                    dbxPath, null, null, null);
        }
        return dbxPath.length() > 1 && dbxPath.endsWith("/") ? dbxPath.substring(0, dbxPath.length() - 1) : dbxPath;
    }

    /** {@return the open session with the linked remote, opened when needed} */
    private RemoteSession session() {
        RemoteSession s = session;
        if (s != null) {
            return s;
        }
        synchronized (lifecycle) {
            if (session == null) {
                if (pendingLink()) {
                    throw notLinked();
                }
                String target = remoteTarget();
                try {
                    session = backend(target).open(target);
                } catch (IOException e) {
                    throw unreachable(e);
                }
            }
            return session;
        }
    }

    private static RemoteBackend backend(String target) {
        try {
            return Backends.forTarget(target);
        } catch (IllegalArgumentException e) {
            throw new BadInputError("Cannot link", e.getMessage());
        }
    }

    private static MaestralApiError unreachable(IOException e) {
        return new MaestralApiError("Cannot reach the remote", String.valueOf(e.getMessage()));
    }

    private static NotLinkedError notLinked() {
        return new NotLinkedError("No Dropbox account linked",
                "Please link an account first (maestral link).");
    }

    /**
     * {@inheritDoc}
     *
     * <p>The target is handed to the first backend that accepts it (the embedded one takes an
     * absolute folder path or a {@code file:} URI). Linking to another remote than before
     * stops syncing and forgets the index. When no local folder is set up, the default one is
     * created: {@code ~/Maestral} (for a configuration other than {@code maestral}:
     * {@code ~/Maestral-NAME}).
     */
    @Override
    public void link(String target) {
        if (target == null || target.isBlank()) {
            throw new BadInputError("Cannot link", "give a target: a folder path or URI");
        }
        RemoteBackend backend = backend(target);
        synchronized (lifecycle) {
            RemoteSession opened;
            AccountInfo account;
            try {
                opened = backend.open(target);
                account = opened.account();
            } catch (IOException e) {
                throw new MaestralApiError("Cannot link", "'" + target + "': " + e.getMessage());
            }
            if (!target.equals(remoteTarget())) {
                stopSync();
                closeSession();
                deleteIndex();
            }
            if (session == null) {
                session = opened;
            } else {
                opened.close(); // the same remote: a running engine keeps its session
            }
            conf.set("main", "remote", target);
            state.set("account", "account_id", account.accountId());
            if (dropboxPath().isEmpty()) {
                createDropboxDirectory(defaultFolder().toString());
            }
            LOG.info("Linked to {} ({} backend)", target, backend.id());
        }
    }

    /** {@return the local folder a new user gets: {@code ~/Maestral}, or {@code ~/Maestral-NAME}} */
    private Path defaultFolder() {
        Path home = Path.of(home());
        return home.resolve(configName.equals("maestral") ? "Maestral" : "Maestral-" + configName);
    }

    /** {@return the home folder as the user's shell sees it: {@code $HOME} when set, else {@code user.home}} */
    public static String home() {
        String env = System.getenv("HOME");
        return env == null || env.isBlank() ? System.getProperty("user.home") : env;
    }

    @Override
    public void unlink() {
        synchronized (lifecycle) {
            stopSync();
            closeSession();
            deleteIndex();
            state.set("account", "account_id", "");
            conf.set("main", "remote", "");
            state.set("sync", "first_download_done", false);
        }
    }

    private void closeSession() {
        RemoteSession s = session;
        session = null;
        if (s != null) {
            s.close();
        }
    }

    private Path indexFile() {
        return folders.data().resolve(configName + ".db");
    }

    private void deleteIndex() {
        for (String suffix : List.of("", "-wal", "-shm")) {
            try {
                Files.deleteIfExists(Path.of(indexFile() + suffix));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot delete the sync index " + indexFile(), e);
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Choosing another folder than the current one forgets the index (its paths would
     * describe the old folder), so the next sync compares both sides afresh: nothing is
     * deleted, differences are kept as conflicting copies.
     */
    @Override
    public void createDropboxDirectory(String path) {
        Path dir = Path.of(path).toAbsolutePath().normalize();
        synchronized (lifecycle) {
            checkApart(dir);
            boolean wasRunning = engine != null;
            boolean other = !dir.toString().equals(dropboxPath());
            if (other) {
                stopSync();
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new NoDropboxDirError("Cannot create the local folder", e.getMessage(), null, null,
                        dir.toString(), null);
            }
            if (other) {
                deleteIndex();
            }
            conf.set("main", "path", dir.toString());
            if (wasRunning && other) {
                startSync();
            }
        }
    }

    @Override
    public void moveDropboxDirectory(String newPath) {
        synchronized (lifecycle) {
            if (pendingDropboxFolder()) {
                throw new NoDropboxDirError("No local folder", "There is no local folder to move.");
            }
            Path from = Path.of(dropboxPath());
            Path to = Path.of(newPath).toAbsolutePath().normalize();
            boolean wasRunning = engine != null;
            stopSync();
            try {
                Files.createDirectories(to.getParent());
                Files.move(from, to);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot move " + from + " to " + to + ": " + e.getMessage(), e);
            }
            conf.set("main", "path", to.toString());
            if (wasRunning) {
                startSync();
            }
        }
    }

    @Override
    public void startSync() {
        requireReadyToSync();
        synchronized (lifecycle) {
            if (engine == null) {
                Path root = Path.of(dropboxPath());
                checkApart(root);
                SyncEngine created = new SyncEngine(new SyncEngine.Options(root, indexFile(), session(),
                        reconcileInterval(), this::engineChanged));
                created.setExcluded(excludedItems());
                engine = created;
            }
            try {
                engine.start();
            } catch (IOException e) {
                SyncEngine failed = engine;
                engine = null;
                failed.close();
                throw new NoDropboxDirError("Cannot watch the local folder", String.valueOf(e.getMessage()));
            }
            synchronized (statusMonitor) {
                running = true;
                paused = false;
            }
        }
        engineChanged();
    }

    /** Refuses a local folder inside a folder-like remote target, or around it. */
    private void checkApart(Path root) {
        String remote = remoteTarget();
        Path r;
        if (remote.isEmpty()) {
            return;
        } else if (remote.startsWith("file:")) {
            r = Path.of(java.net.URI.create(remote));
        } else if (!remote.contains("://")) {
            r = Path.of(remote);
        } else {
            return;
        }
        r = r.toAbsolutePath().normalize();
        if (root.startsWith(r) || r.startsWith(root)) {
            throw new BadInputError("Cannot sync", "the local folder " + root + " and the remote folder "
                    + r + " overlap; choose folders apart");
        }
    }

    private static Duration reconcileInterval() {
        String s = System.getProperty("maestral.sync.reconcileInterval");
        try {
            double seconds = s == null ? 60 : Double.parseDouble(s);
            return Duration.ofMillis(Math.max(100, (long) (seconds * 1000)));
        } catch (NumberFormatException e) {
            LOG.warn("Ignoring maestral.sync.reconcileInterval={}: not a number of seconds", s);
            return Duration.ofSeconds(60);
        }
    }

    /** Called by the engine on every change: wakes long polls. */
    private void engineChanged() {
        synchronized (statusMonitor) {
            statusVersion++;
            statusMonitor.notifyAll();
        }
    }

    @Override
    public void stopSync() {
        synchronized (lifecycle) {
            SyncEngine e = engine;
            if (e != null) {
                e.close();
                lastHistory = e.history(SyncEngine.HISTORY_SIZE);
                if (e.firstSyncDone()) {
                    state.set("sync", "first_download_done", true);
                }
                engine = null;
            }
        }
        setState(false, false, STOPPED);
    }

    @Override
    public void pauseSync() {
        SyncEngine e = engine;
        if (e != null) {
            e.pause();
            synchronized (statusMonitor) {
                paused = true;
            }
            return;
        }
        synchronized (statusMonitor) {
            setState(running, true, PAUSED);
        }
    }

    @Override
    public void resumeSync() {
        requireReadyToSync();
        SyncEngine e = engine;
        if (e != null) {
            e.resume();
            synchronized (statusMonitor) {
                paused = false;
            }
        } else {
            startSync();
        }
    }

    @Override
    public void rebuildIndex() {
        requireReadyToSync();
        synchronized (lifecycle) {
            SyncEngine e = engine;
            if (e != null) {
                e.rebuildIndex();
            } else {
                deleteIndex();
            }
        }
    }

    private void requireReadyToSync() {
        if (pendingLink()) {
            throw notLinked();
        }
        if (pendingDropboxFolder()) {
            throw new NoDropboxDirError("No local folder",
                    "The local Dropbox folder is missing; create or choose one.");
        }
    }

    private void setState(boolean nowRunning, boolean nowPaused, String newStatus) {
        synchronized (statusMonitor) {
            running = nowRunning;
            paused = nowPaused;
            if (!newStatus.equals(status)) {
                status = newStatus;
                statusVersion++;
                statusMonitor.notifyAll();
                LOG.info("Status: {}", newStatus);
            }
        }
    }

    @Override
    public boolean statusChangeLongpoll(double timeoutSeconds) {
        if (!(timeoutSeconds >= 0)) {
            throw new BadInputError("Invalid timeout", "seconds must be 0 or more, not " + timeoutSeconds);
        }
        long deadline = System.nanoTime() + (long) Math.min(timeoutSeconds * 1e9, Long.MAX_VALUE / 4.0);
        synchronized (statusMonitor) {
            long seen = statusVersion;
            while (statusVersion == seen && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(statusMonitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return statusVersion != seen;
        }
    }

    @Override
    public Object getConf(String section, String name) {
        return conf.get(section, name);
    }

    @Override
    public void setConf(String section, String name, Object value) {
        set(conf, section, name, value);
    }

    @Override
    public Object getState(String section, String name) {
        return state.get(section, name);
    }

    @Override
    public void setState(String section, String name, Object value) {
        set(state, section, name, value);
    }

    private static void set(JsonStore store, String section, String name, Object value) {
        try {
            store.set(section, name, value);
        } catch (JsonStore.LimitException e) {
            throw new BadInputError(e.title(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new BadInputError("Invalid value", e.getMessage());
        }
    }

    @Override
    public void shutdownDaemon() {
        onShutdownRequest.run();
    }

    /** Stops syncing, closes the remote session and wakes every long poll; later long polls return at once. */
    @Override
    public void close() {
        stopSync();
        synchronized (lifecycle) {
            closeSession();
        }
        synchronized (statusMonitor) {
            closed = true;
            statusMonitor.notifyAll();
        }
    }
}
