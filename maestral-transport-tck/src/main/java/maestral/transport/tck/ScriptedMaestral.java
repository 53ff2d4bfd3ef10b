package maestral.transport.tck;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import maestral.api.AccountInfo;
import maestral.api.ErrorInfo;
import maestral.api.FileMetadata;
import maestral.api.Maestral;
import maestral.api.NotLinkedError;
import maestral.api.SpaceUsage;
import maestral.api.SyncErrorInfo;
import maestral.api.SyncEvent;
import maestral.api.spi.ErrorClasses;

/**
 * A {@link Maestral} whose answers are scripted by its arguments, so that a test can ask for
 * any return type, any error, a payload of any size, or a call that blocks:
 *
 * <ul>
 *   <li>{@code getMetadata("/error/NAME")} throws the error class with simple name
 *       {@code NAME} with every field set; {@code getMetadata("/foreign")} throws an
 *       {@link IllegalStateException}, a class outside the error tree;</li>
 *   <li>{@code listFolder("/big/N", r)} returns {@code N} entries (about 100 bytes each);</li>
 *   <li>{@code getFileStatus("/block/MS")} blocks for {@code MS} milliseconds;</li>
 *   <li>{@code excludedStatus(p)} answers {@code "echo:" + p};</li>
 *   <li>{@code getConf(s, NAME)} for {@code NAME} in {@link #CONF_SAMPLES} returns that sample
 *       value; other names and {@code getState} return what was set.</li>
 * </ul>
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class ScriptedMaestral implements Maestral {

    /** Config values of every supported type, by the name that returns them. */
    public static final Map<String, Object> CONF_SAMPLES = samples();

    private final String configName;
    private final Object statusMonitor = new Object();
    private volatile String status = "Up to date";
    private volatile List<String> excluded = List.of("/excluded");
    private volatile int logLevel = 20;
    private volatile int notificationLevel = 15;
    private volatile double snooze = 0.0;
    private final Map<String, Object> conf = java.util.Collections.synchronizedMap(new java.util.HashMap<>());
    private final Map<String, Object> state = java.util.Collections.synchronizedMap(new java.util.HashMap<>());
    private final List<String> acknowledged = new CopyOnWriteArrayList<>();
    private final AtomicInteger blockedNow = new AtomicInteger();

    /**
     * Creates the scripted object.
     *
     * @param configName the configuration name to report
     */
    public ScriptedMaestral(String configName) {
        this.configName = configName;
    }

    private static Map<String, Object> samples() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("null", null);
        m.put("bool", Boolean.TRUE);
        m.put("int", 42);
        m.put("long", 1L << 40);
        m.put("double", 2.5);
        m.put("string", "grüße \u2603 \uD83D\uDE00");
        m.put("latin1", "façade ÿ");
        m.put("empty", "");
        m.put("lone surrogates", "a\uD800b\uDFFFc\uDC00\uD83D");
        m.put("nul", "nul\u0000in\u0000the middle\u0000");
        m.put("byte", (byte) -7);
        m.put("short", (short) -300);
        m.put("char", '\uD800');
        m.put("float", 1.5f);
        m.put("instant", java.time.Instant.ofEpochSecond(-1, 999_999_999));
        m.put("records", List.of(new maestral.api.AccountInfo("id", "a@b", "A B", "basic"),
                new maestral.api.SpaceUsage(1, 2, "individual"),
                new maestral.api.ErrorInfo("T", "t", "m", null),
                new maestral.api.SyncErrorInfo("T", "t", "m", "/a", null, "/l", null),
                new maestral.api.FileMetadata("n", "/n", "/N", false, 3, null, "r", "h"),
                new maestral.api.SyncEvent(1, "up", "file", "added", "done", "/a", null, "/l", null,
                        3, 2, java.time.Instant.EPOCH, null)));
        m.put("list", List.of("a", 1, 2.0, false));
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("k", List.of(1L, "two"));
        nested.put("empty", Map.of());
        nested.put("nothing", null);
        m.put("map", nested);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** {@return the names of the acknowledged calls carried out so far, in order} */
    public List<String> acknowledged() {
        return List.copyOf(acknowledged);
    }

    /** {@return how many calls are blocked in {@code getFileStatus("/block/...")} now} */
    public int blockedNow() {
        return blockedNow.get();
    }

    /**
     * Sets the status and wakes every long poll.
     *
     * @param newStatus the new status message
     */
    public void changeStatus(String newStatus) {
        synchronized (statusMonitor) {
            status = newStatus;
            statusMonitor.notifyAll();
        }
    }

    /**
     * {@return a listing of {@code n} entries}
     *
     * @param n how many entries
     */
    public static List<FileMetadata> listing(int n) {
        List<FileMetadata> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = "file-" + i + "-" + "x".repeat(i % 17) + ".txt";
            out.add(new FileMetadata(name, "/big/" + name.toLowerCase(), "/Big/" + name, i % 10 == 0,
                    i * 1000L, i % 10 == 0 ? null : Instant.ofEpochSecond(1_700_000_000L + i, i),
                    "rev" + i, i % 3 == 0 ? null : "hash" + i));
        }
        return out;
    }

    /**
     * {@return {@code n} sync events}
     *
     * @param n how many events
     */
    public static List<SyncEvent> events(int n) {
        List<SyncEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new SyncEvent(i, i % 2 == 0 ? "up" : "down", "file", "modified", "queued",
                    "/a/" + i, i % 5 == 0 ? "/from/" + i : null, "/home/u/Dropbox/a/" + i, null,
                    i * 10L, i, Instant.ofEpochMilli(1_700_000_000_000L + i), null));
        }
        return out;
    }

    @Override
    public String version() {
        return "scripted-1.0";
    }

    @Override
    public String configName() {
        return configName;
    }

    @Override
    public String status() {
        return status;
    }

    @Override
    public boolean running() {
        return true;
    }

    @Override
    public boolean paused() {
        return false;
    }

    @Override
    public boolean syncing() {
        return true;
    }

    @Override
    public boolean connected() {
        return false;
    }

    @Override
    public boolean pendingLink() {
        return true;
    }

    @Override
    public boolean pendingDropboxFolder() {
        return false;
    }

    @Override
    public boolean pendingFirstDownload() {
        return true;
    }

    @Override
    public String dropboxPath() {
        return "/home/ünï cødé/Dropbox";
    }

    @Override
    public List<String> excludedItems() {
        return excluded;
    }

    @Override
    public void setExcludedItems(List<String> items) {
        excluded = List.copyOf(items);
    }

    @Override
    public synchronized void excludeItem(String dbxPath) {
        List<String> next = new ArrayList<>(excluded);
        next.add(dbxPath);
        excluded = List.copyOf(next);
    }

    @Override
    public synchronized void includeItem(String dbxPath) {
        List<String> next = new ArrayList<>(excluded);
        next.remove(dbxPath);
        excluded = List.copyOf(next);
    }

    @Override
    public String excludedStatus(String dbxPath) {
        return "echo:" + dbxPath;
    }

    @Override
    public int logLevel() {
        return logLevel;
    }

    @Override
    public void setLogLevel(int level) {
        logLevel = level;
    }

    @Override
    public int notificationLevel() {
        return notificationLevel;
    }

    @Override
    public void setNotificationLevel(int level) {
        notificationLevel = level;
    }

    @Override
    public double notificationSnooze() {
        return snooze;
    }

    @Override
    public void setNotificationSnooze(double minutes) {
        snooze = minutes;
    }

    @Override
    public List<SyncErrorInfo> syncErrors() {
        return List.of(
                new SyncErrorInfo("NotFoundError", "Not found", "It is gone", "/a", null, "/l/a", null),
                new SyncErrorInfo("FileConflictError", "Conflict", "Both", "/b", "/c", "/l/b", "/l/c"));
    }

    @Override
    public List<ErrorInfo> fatalErrors() {
        return List.of(new ErrorInfo("DatabaseError", "Index broken", "Rebuild it", "trace\n  at x"));
    }

    @Override
    public void clearFatalErrors() {
        acknowledged.add("clearFatalErrors");
    }

    @Override
    public String getFileStatus(String localPath) {
        if (localPath.startsWith("/block/")) {
            long ms = Long.parseLong(localPath.substring("/block/".length()));
            blockedNow.incrementAndGet();
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                blockedNow.decrementAndGet();
            }
            return "up to date";
        }
        return "uploading";
    }

    @Override
    public List<SyncEvent> getActivity(int limit) {
        return events(limit);
    }

    @Override
    public List<SyncEvent> getHistory(int limit) {
        return events(limit).reversed();
    }

    @Override
    public AccountInfo getAccountInfo() {
        throw new NotLinkedError("No Dropbox account linked", "Please link an account first.");
    }

    @Override
    public SpaceUsage getSpaceUsage() {
        return new SpaceUsage(123_456_789L, -1L, "individual");
    }

    @Override
    public List<FileMetadata> listFolder(String dbxPath, boolean recursive) {
        if (dbxPath.startsWith("/big/")) {
            return listing(Integer.parseInt(dbxPath.substring("/big/".length())));
        }
        return listing(recursive ? 5 : 3);
    }

    @Override
    public FileMetadata getMetadata(String dbxPath) {
        if (dbxPath.equals("/foreign")) {
            throw new IllegalStateException("boom in the daemon");
        }
        if (dbxPath.startsWith("/error/")) {
            String simpleName = dbxPath.substring("/error/".length());
            String className = ErrorClasses.all().stream().map(Class::getName)
                    .filter(n -> n.endsWith("." + simpleName)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no error class " + simpleName));
            throw ErrorClasses.create(className, "Title of " + simpleName, "Message of " + simpleName,
                    "/dbx/" + simpleName, "/dbx-dst/" + simpleName, "/local/" + simpleName, null);
        }
        return listing(1).getFirst();
    }

    @Override
    public void link(String target) {
        acknowledged.add("link " + target);
    }

    @Override
    public void unlink() {
        acknowledged.add("unlink");
    }

    @Override
    public void createDropboxDirectory(String path) {
        acknowledged.add("createDropboxDirectory " + path);
    }

    @Override
    public void moveDropboxDirectory(String newPath) {
        acknowledged.add("moveDropboxDirectory " + newPath);
    }

    @Override
    public void startSync() {
        acknowledged.add("startSync");
    }

    @Override
    public void stopSync() {
        acknowledged.add("stopSync");
    }

    @Override
    public void pauseSync() {
        acknowledged.add("pauseSync");
    }

    @Override
    public void resumeSync() {
        acknowledged.add("resumeSync");
    }

    @Override
    public void rebuildIndex() {
        acknowledged.add("rebuildIndex");
    }

    @Override
    public boolean statusChangeLongpoll(double timeoutSeconds) {
        long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
        synchronized (statusMonitor) {
            String before = status;
            while (before.equals(status)) {
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
            return true;
        }
    }

    @Override
    public Object getConf(String section, String name) {
        if (CONF_SAMPLES.containsKey(name)) {
            return CONF_SAMPLES.get(name);
        }
        return conf.get(section + "/" + name);
    }

    @Override
    public void setConf(String section, String name, Object value) {
        conf.put(section + "/" + name, value);
    }

    @Override
    public Object getState(String section, String name) {
        return state.get(section + "/" + name);
    }

    @Override
    public void setState(String section, String name, Object value) {
        state.put(section + "/" + name, value);
    }

    @Override
    public void shutdownDaemon() {
        acknowledged.add("shutdownDaemon");
    }
}
