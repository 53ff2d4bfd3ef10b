package maestral.daemon;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import maestral.api.CommunicationError;
import maestral.api.AccountInfo;
import maestral.api.ErrorInfo;
import maestral.api.FileMetadata;
import maestral.api.SpaceUsage;
import maestral.api.SyncErrorInfo;
import maestral.api.SyncEvent;
import maestral.api.Maestral;
import maestral.api.spi.RemoteMaestral;
import maestral.api.spi.TransportClient;
import maestral.daemon.internal.ConfigNames;
import maestral.daemon.internal.Connector;
import maestral.daemon.internal.Folders;
import maestral.daemon.internal.LocalMaestral;

/**
 * The {@link Maestral} of a configuration's daemon, seen from another process: every call is
 * forwarded to the daemon over the best transport both sides have (or the one named by
 * {@code maestral.transport} / {@code MAESTRAL_TRANSPORT}), and an error the daemon raises is
 * rethrown as its own class. With {@code fallback} and no daemon running, a real
 * {@code Maestral} runs in this process instead.
 *
 * <p>Every call has a deadline ({@code maestral.callTimeout} seconds, default 30; a long poll
 * gets its own timeout on top) and fails with a {@link CommunicationError} when the daemon
 * cannot be reached, dies, or does not answer in time; the daemon may have acted on a call that
 * failed so.
 *
 * <p><b>Safe for use by many threads at once</b>: calls are multiplexed over one connection,
 * and a call that blocks in the daemon does not delay the others.
 */
public final class MaestralProxy implements Maestral, AutoCloseable {

    private final String configName;
    private final TransportClient client;
    private final LocalMaestral local;
    private final Maestral target;
    private volatile boolean closed;

    /** Connects to the daemon of the configuration {@code "maestral"}, without fallback. */
    public MaestralProxy() {
        this("maestral", false);
    }

    /**
     * Connects to the daemon of a configuration, without fallback.
     *
     * @param configName the configuration
     * @throws CommunicationError when no daemon runs or it cannot be reached
     */
    public MaestralProxy(String configName) {
        this(configName, false);
    }

    /**
     * Connects to the daemon of a configuration.
     *
     * @param configName the configuration
     * @param fallback whether to run a {@code Maestral} in this process when no daemon runs
     * @throws CommunicationError when no daemon runs and {@code fallback} is false, or when a
     *     daemon holds the lock but cannot be reached (the message says why)
     */
    public MaestralProxy(String configName, boolean fallback) {
        this.configName = ConfigNames.check(configName);
        Folders folders = Folders.current();
        Optional<TransportClient> connected =
                Connector.connectIfRunning(folders, configName, timeout("maestral.connectTimeout", 5));
        if (connected.isPresent()) {
            this.client = connected.get();
            this.local = null;
            this.target = RemoteMaestral.over(client, timeout("maestral.callTimeout", 30));
        } else if (fallback) {
            this.client = null;
            this.local = new LocalMaestral(configName, folders, level -> { }, () -> { });
            this.target = local;
        } else {
            throw new CommunicationError("Could not get proxy for '" + configName + "'");
        }
    }

    private static Duration timeout(String property, double defaultSeconds) {
        String value = System.getProperty(property);
        try {
            double seconds = value == null ? defaultSeconds : Double.parseDouble(value);
            if (!(seconds > 0)) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos((long) (seconds * 1e9));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " must be a positive number of seconds, not '"
                    + value + "'");
        }
    }

    /** {@return whether calls run in this process because no daemon was running} */
    public boolean isFallback() {
        return local != null;
    }

    /** {@return the id of the transport in use ({@code "uds"}, {@code "shm"}), {@code "local"} when falling back} */
    public String transport() {
        return client == null ? "local" : client.serverHello().transportId();
    }

    /** Releases the connection (or the fallback instance); later calls fail. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (client != null) {
            client.close();
        }
        if (local != null) {
            local.close();
        }
    }

    private Maestral target() {
        if (closed) {
            throw new CommunicationError("This MaestralProxy for '" + configName + "' is closed");
        }
        return target;
    }

    @Override
    public String toString() {
        return "MaestralProxy[" + configName + ", " + (closed ? "closed" : transport()) + "]";
    }

    @Override
    public String version() {
        return target().version();
    }

    @Override
    public String configName() {
        return target().configName();
    }

    @Override
    public String status() {
        return target().status();
    }

    @Override
    public boolean running() {
        return target().running();
    }

    @Override
    public boolean paused() {
        return target().paused();
    }

    @Override
    public boolean syncing() {
        return target().syncing();
    }

    @Override
    public boolean connected() {
        return target().connected();
    }

    @Override
    public boolean pendingLink() {
        return target().pendingLink();
    }

    @Override
    public boolean pendingDropboxFolder() {
        return target().pendingDropboxFolder();
    }

    @Override
    public boolean pendingFirstDownload() {
        return target().pendingFirstDownload();
    }

    @Override
    public String dropboxPath() {
        return target().dropboxPath();
    }

    @Override
    public List<String> excludedItems() {
        return target().excludedItems();
    }

    @Override
    public void setExcludedItems(List<String> items) {
        target().setExcludedItems(items);
    }

    @Override
    public void excludeItem(String dbxPath) {
        target().excludeItem(dbxPath);
    }

    @Override
    public void includeItem(String dbxPath) {
        target().includeItem(dbxPath);
    }

    @Override
    public String excludedStatus(String dbxPath) {
        return target().excludedStatus(dbxPath);
    }

    @Override
    public int logLevel() {
        return target().logLevel();
    }

    @Override
    public void setLogLevel(int level) {
        target().setLogLevel(level);
    }

    @Override
    public int notificationLevel() {
        return target().notificationLevel();
    }

    @Override
    public void setNotificationLevel(int level) {
        target().setNotificationLevel(level);
    }

    @Override
    public double notificationSnooze() {
        return target().notificationSnooze();
    }

    @Override
    public void setNotificationSnooze(double minutes) {
        target().setNotificationSnooze(minutes);
    }

    @Override
    public List<SyncErrorInfo> syncErrors() {
        return target().syncErrors();
    }

    @Override
    public List<ErrorInfo> fatalErrors() {
        return target().fatalErrors();
    }

    @Override
    public void clearFatalErrors() {
        target().clearFatalErrors();
    }

    @Override
    public String getFileStatus(String localPath) {
        return target().getFileStatus(localPath);
    }

    @Override
    public List<SyncEvent> getActivity(int limit) {
        return target().getActivity(limit);
    }

    @Override
    public List<SyncEvent> getHistory(int limit) {
        return target().getHistory(limit);
    }

    @Override
    public AccountInfo getAccountInfo() {
        return target().getAccountInfo();
    }

    @Override
    public SpaceUsage getSpaceUsage() {
        return target().getSpaceUsage();
    }

    @Override
    public List<FileMetadata> listFolder(String dbxPath, boolean recursive) {
        return target().listFolder(dbxPath, recursive);
    }

    @Override
    public FileMetadata getMetadata(String dbxPath) {
        return target().getMetadata(dbxPath);
    }

    @Override
    public void link(String target) {
        target().link(target);
    }

    @Override
    public void unlink() {
        target().unlink();
    }

    @Override
    public void createDropboxDirectory(String path) {
        target().createDropboxDirectory(path);
    }

    @Override
    public void moveDropboxDirectory(String newPath) {
        target().moveDropboxDirectory(newPath);
    }

    @Override
    public void startSync() {
        target().startSync();
    }

    @Override
    public void stopSync() {
        target().stopSync();
    }

    @Override
    public void pauseSync() {
        target().pauseSync();
    }

    @Override
    public void resumeSync() {
        target().resumeSync();
    }

    @Override
    public void rebuildIndex() {
        target().rebuildIndex();
    }

    @Override
    public boolean statusChangeLongpoll(double timeoutSeconds) {
        return target().statusChangeLongpoll(timeoutSeconds);
    }

    @Override
    public Object getConf(String section, String name) {
        return target().getConf(section, name);
    }

    @Override
    public void setConf(String section, String name, Object value) {
        target().setConf(section, name, value);
    }

    @Override
    public Object getState(String section, String name) {
        return target().getState(section, name);
    }

    @Override
    public void setState(String section, String name, Object value) {
        target().setState(section, name, value);
    }

    @Override
    public void shutdownDaemon() {
        target().shutdownDaemon();
    }
}
