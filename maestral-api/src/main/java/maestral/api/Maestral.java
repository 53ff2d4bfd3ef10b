package maestral.api;

import java.util.List;

/**
 * The API a maestral daemon serves for one configuration, and that
 * {@code maestral.daemon.MaestralProxy} forwards to it from other processes.
 *
 * <p>Every member is callable through a proxy. Arguments and results are plain JDK types
 * ({@code String}, primitives, {@code List}, {@code Map}) and the records of this package;
 * config and state values are {@code null}, {@code Boolean}, {@code Integer}, {@code Long},
 * {@code Double}, {@code String}, and {@code List}s and {@code Map<String, ?>}s of these.
 * Errors are {@link MaestralApiError}s; through a proxy they arrive as the same class with the
 * same fields, and a failure to reach the daemon is a {@link CommunicationError}.
 *
 * <p><b>Implementations are safe for use by many threads at once.</b>
 */
public interface Maestral {

    /** {@return the library version of the serving process} */
    String version();

    /** {@return the configuration name this instance serves} */
    String configName();

    /**
     * {@return the last status message: {@code "Up to date"}, {@code "Syncing..."}, {@code "Paused"}, {@code "Stopped"}, {@code "Connecting..."}, ...}
     */
    String status();

    /** {@return whether sync is running (it may be paused)} */
    boolean running();

    /** {@return whether sync is paused} */
    boolean paused();

    /** {@return whether items are being synced right now} */
    boolean syncing();

    /** {@return whether the remote can be reached} */
    boolean connected();

    /** {@return whether no remote is linked yet} */
    boolean pendingLink();

    /** {@return whether the local folder is not set up yet} */
    boolean pendingDropboxFolder();

    /** {@return whether the first download has not completed yet} */
    boolean pendingFirstDownload();

    /** {@return the local folder, {@code ""} when not set up} */
    String dropboxPath();

    /** {@return the remote paths excluded from sync} */
    List<String> excludedItems();

    /**
     * Replaces the excluded items.
     *
     * @param items remote paths to exclude
     */
    void setExcludedItems(List<String> items);

    /**
     * Excludes a remote item from sync.
     *
     * @param dbxPath the remote path
     */
    void excludeItem(String dbxPath);

    /**
     * Includes a remote item in sync again.
     *
     * @param dbxPath the remote path
     */
    void includeItem(String dbxPath);

    /**
     * {@return {@code "excluded"}, {@code "partially excluded"} or {@code "included"}}
     *
     * @param dbxPath the remote path
     */
    String excludedStatus(String dbxPath);

    /** {@return the log level: 10 DEBUG, 20 INFO, 30 WARNING, 40 ERROR} */
    int logLevel();

    /**
     * Sets the log level; it takes effect at once.
     *
     * @param level 10 DEBUG, 20 INFO, 30 WARNING, 40 ERROR
     */
    void setLogLevel(int level);

    /** {@return the level from which events are notified} */
    int notificationLevel();

    /**
     * Sets the level from which events are notified.
     *
     * @param level the level from which events are notified
     */
    void setNotificationLevel(int level);

    /** {@return minutes for which notifications are snoozed} */
    double notificationSnooze();

    /**
     * Snoozes notifications.
     *
     * @param minutes minutes for which to snooze notifications, 0 to resume them
     */
    void setNotificationSnooze(double minutes);

    /** {@return the errors of single items} */
    List<SyncErrorInfo> syncErrors();

    /** {@return the errors that stopped syncing} */
    List<ErrorInfo> fatalErrors();

    /** Forgets the fatal errors. */
    void clearFatalErrors();

    /**
     * {@return {@code "uploading"}, {@code "downloading"}, {@code "up to date"}, {@code "error"} or {@code "unwatched"}}
     *
     * @param localPath a local path
     */
    String getFileStatus(String localPath);

    /**
     * {@return queued and running sync events}
     *
     * @param limit the most events to return
     */
    List<SyncEvent> getActivity(int limit);

    /**
     * {@return completed sync events, newest last}
     *
     * @param limit the most events to return
     */
    List<SyncEvent> getHistory(int limit);

    /**
     * {@return the linked account}
     *
     * @throws NotLinkedError when no account is linked
     */
    AccountInfo getAccountInfo();

    /**
     * {@return the space usage of the linked account}
     *
     * @throws NotLinkedError when no account is linked
     */
    SpaceUsage getSpaceUsage();

    /**
     * {@return the folder's entries}
     *
     * @param dbxPath a remote folder
     * @param recursive whether to list sub-folders too
     */
    List<FileMetadata> listFolder(String dbxPath, boolean recursive);

    /**
     * {@return its metadata}
     *
     * @param dbxPath a remote path
     * @throws NotFoundError when nothing is there
     */
    FileMetadata getMetadata(String dbxPath);

    /**
     * Connects to a remote.
     *
     * @param target what to link; the embedded backend takes a folder path or URI
     */
    void link(String target);

    /** Forgets the remote and its local index. */
    void unlink();

    /**
     * Creates the local folder.
     *
     * @param path the local folder to create
     */
    void createDropboxDirectory(String path);

    /**
     * Moves the local folder.
     *
     * @param newPath its new location
     */
    void moveDropboxDirectory(String newPath);

    /** Starts syncing; returns once the request is acknowledged. */
    void startSync();

    /** Stops syncing; returns once the request is acknowledged. */
    void stopSync();

    /** Pauses syncing; returns once the request is acknowledged. */
    void pauseSync();

    /** Resumes syncing; returns once the request is acknowledged. */
    void resumeSync();

    /** Rebuilds the sync index; returns once the request is acknowledged. */
    void rebuildIndex();

    /**
     * Blocks until the status changes or the timeout passes.
     *
     * @param timeoutSeconds the longest wait in seconds
     * @return {@code true} when the status changed, {@code false} on timeout
     */
    boolean statusChangeLongpoll(double timeoutSeconds);

    /**
     * {@return the persisted config value, {@code null} when unset}
     *
     * @param section the config section
     * @param name the option name
     */
    Object getConf(String section, String name);

    /**
     * Persists a config value.
     *
     * @param section the config section
     * @param name the option name
     * @param value the value, of a type listed in this interface's description
     */
    void setConf(String section, String name, Object value);

    /**
     * {@return the persisted state value, {@code null} when unset}
     *
     * @param section the state section
     * @param name the state name
     */
    Object getState(String section, String name);

    /**
     * Persists a state value.
     *
     * @param section the state section
     * @param name the state name
     * @param value the value, of a type listed in this interface's description
     */
    void setState(String section, String name, Object value);

    /** Acknowledges, then the serving daemon stops. */
    void shutdownDaemon();
}
