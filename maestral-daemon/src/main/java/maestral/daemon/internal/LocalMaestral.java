package maestral.daemon.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
import maestral.api.NotLinkedError;
import maestral.api.SpaceUsage;
import maestral.api.SyncErrorInfo;
import maestral.api.SyncEvent;
import maestral.api.spi.Handshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Maestral} a daemon serves, and a proxy's fallback: configuration and state
 * persisted per configuration name, a status that follows start, stop, pause and resume, and
 * long polls that wake on every status change.
 *
 * <p>There is no sync engine yet: the calls that need a linked remote throw
 * {@link NotLinkedError}, as maestral does for a configuration that is not linked, and
 * nothing is ever watched.
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
        this.conf = new JsonStore(folders.configFile(configName), Map.of(
                "main", Map.of("path", "", "excluded_items", List.of()),
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
        synchronized (statusMonitor) {
            return status;
        }
    }

    @Override
    public boolean running() {
        synchronized (statusMonitor) {
            return running;
        }
    }

    @Override
    public boolean paused() {
        synchronized (statusMonitor) {
            return paused;
        }
    }

    @Override
    public boolean syncing() {
        return false; // no sync engine yet: nothing is ever being synced
    }

    @Override
    public boolean connected() {
        return false; // no remote backend yet
    }

    @Override
    public boolean pendingLink() {
        return String.valueOf(state.get("account", "account_id")).isEmpty();
    }

    @Override
    public boolean pendingDropboxFolder() {
        String path = dropboxPath();
        return path.isEmpty() || !Files.isDirectory(Path.of(path));
    }

    @Override
    public boolean pendingFirstDownload() {
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
        conf.set("main", "excluded_items", clean);
    }

    @Override
    public synchronized void excludeItem(String dbxPath) {
        String p = normalize(dbxPath);
        List<String> items = new ArrayList<>(excludedItems());
        items.removeIf(i -> i.equals(p) || isInside(i, p));
        items.add(p);
        conf.set("main", "excluded_items", items);
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
        conf.set("main", "excluded_items", items);
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
        return List.of();
    }

    @Override
    public List<ErrorInfo> fatalErrors() {
        return List.of();
    }

    @Override
    public void clearFatalErrors() {
        // nothing is recorded without a sync engine
    }

    @Override
    public String getFileStatus(String localPath) {
        return "unwatched";
    }

    @Override
    public List<SyncEvent> getActivity(int limit) {
        requireLimit(limit);
        return List.of();
    }

    @Override
    public List<SyncEvent> getHistory(int limit) {
        requireLimit(limit);
        return List.of();
    }

    private static void requireLimit(int limit) {
        if (limit < 0) {
            throw new BadInputError("Invalid limit", "limit must be 0 or more, not " + limit);
        }
    }

    @Override
    public AccountInfo getAccountInfo() {
        throw notLinked();
    }

    @Override
    public SpaceUsage getSpaceUsage() {
        throw notLinked();
    }

    @Override
    public List<FileMetadata> listFolder(String dbxPath, boolean recursive) {
        throw notLinked();
    }

    @Override
    public FileMetadata getMetadata(String dbxPath) {
        throw notLinked();
    }

    private static NotLinkedError notLinked() {
        return new NotLinkedError("No Dropbox account linked",
                "Please link an account first (maestral link).");
    }

    @Override
    public void link(String target) {
        throw new MaestralApiError("Cannot link",
                "This version has no remote backend yet; linking arrives with the sync engine.");
    }

    @Override
    public void unlink() {
        stopSync();
        state.set("account", "account_id", "");
    }

    @Override
    public void createDropboxDirectory(String path) {
        Path dir = Path.of(path).toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new NoDropboxDirError("Cannot create the local folder", e.getMessage(), null, null,
                    dir.toString(), null);
        }
        conf.set("main", "path", dir.toString());
    }

    @Override
    public void moveDropboxDirectory(String newPath) {
        if (pendingDropboxFolder()) {
            throw new NoDropboxDirError("No local folder", "There is no local folder to move.");
        }
        Path from = Path.of(dropboxPath());
        Path to = Path.of(newPath).toAbsolutePath().normalize();
        try {
            Files.createDirectories(to.getParent());
            Files.move(from, to);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move " + from + " to " + to + ": " + e.getMessage(), e);
        }
        conf.set("main", "path", to.toString());
    }

    @Override
    public void startSync() {
        requireReadyToSync();
        setState(true, false, "Connecting...");
    }

    @Override
    public void stopSync() {
        setState(false, false, STOPPED);
    }

    @Override
    public void pauseSync() {
        synchronized (statusMonitor) {
            setState(running, true, PAUSED);
        }
    }

    @Override
    public void resumeSync() {
        requireReadyToSync();
        setState(true, false, "Connecting...");
    }

    @Override
    public void rebuildIndex() {
        requireReadyToSync();
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
        } catch (IllegalArgumentException e) {
            throw new BadInputError("Invalid value", e.getMessage());
        }
    }

    @Override
    public void shutdownDaemon() {
        onShutdownRequest.run();
    }

    /** Stops syncing and wakes every long poll; later long polls return at once. */
    @Override
    public void close() {
        stopSync();
        synchronized (statusMonitor) {
            closed = true;
            statusMonitor.notifyAll();
        }
    }
}
