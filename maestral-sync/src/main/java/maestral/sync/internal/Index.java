package maestral.sync.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import maestral.api.DatabaseError;

/**
 * The sync index: what was last synced, one row per path, in a SQLite database (WAL mode),
 * mirrored in memory so that readers never touch the database.
 *
 * <pre>
 * items(path TEXT PRIMARY KEY,   -- "/a/b.txt", case preserved
 *       folder INTEGER NOT NULL, -- 1 for a folder
 *       size INTEGER,            -- local size when synced
 *       mtime INTEGER,           -- local mtime in ns when synced
 *       hash TEXT,               -- content hash (the remote's algorithm), NULL for folders
 *       rev TEXT)                -- remote revision when synced, NULL for folders
 * meta(key TEXT PRIMARY KEY, value TEXT)  -- "schema", "cursor", "first_sync"
 * history(id INTEGER PRIMARY KEY, direction TEXT, item_type TEXT, change_type TEXT, status TEXT,
 *         path TEXT, path_from TEXT, local_path TEXT, local_path_from TEXT, size INTEGER,
 *         completed INTEGER, change_time INTEGER, sync_time INTEGER)  -- times in ms; the last
 *                                                                     -- HISTORY_KEPT events
 * </pre>
 *
 * <p>Changes are written in a transaction that {@link #commit()} ends; a crash loses at most
 * the last uncommitted changes, which the next reconcile finds again (equal content on both
 * sides is recorded without copying).
 *
 * <p><b>Writes from one thread at a time; reads from any thread.</b>
 */
public final class Index implements AutoCloseable {

    /** The schema version in {@code meta}. */
    static final String SCHEMA = "1";
    /** How many history events the database keeps. */
    public static final int HISTORY_KEPT = 1000;

    /**
     * One synced item.
     *
     * @param path its path
     * @param folder whether it is a folder
     * @param size the local size when synced
     * @param mtimeNanos the local mtime when synced
     * @param hash the content hash, {@code null} for a folder
     * @param rev the remote revision, {@code null} for a folder
     */
    public record Entry(String path, boolean folder, long size, long mtimeNanos, String hash, String rev) {
    }

    private final Connection db;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final PreparedStatement upsert;
    private final PreparedStatement delete;
    private final PreparedStatement addHistory;
    private int pending;
    private int historyAdded;

    /**
     * Opens (or creates) the index.
     *
     * @param file the database file
     * @throws DatabaseError when it cannot be opened
     */
    public Index(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            db = new org.sqlite.JDBC().connect("jdbc:sqlite:" + file.toAbsolutePath(), new Properties());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE IF NOT EXISTS items(path TEXT PRIMARY KEY, folder INTEGER NOT NULL,"
                        + " size INTEGER, mtime INTEGER, hash TEXT, rev TEXT)");
                s.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)");
                s.execute("CREATE TABLE IF NOT EXISTS history(id INTEGER PRIMARY KEY, direction TEXT,"
                        + " item_type TEXT, change_type TEXT, status TEXT, path TEXT, path_from TEXT,"
                        + " local_path TEXT, local_path_from TEXT, size INTEGER, completed INTEGER,"
                        + " change_time INTEGER, sync_time INTEGER)");
                s.execute("INSERT OR IGNORE INTO meta VALUES('schema', '" + SCHEMA + "')");
                try (ResultSet rs = s.executeQuery("SELECT path, folder, size, mtime, hash, rev FROM items")) {
                    while (rs.next()) {
                        Entry e = new Entry(rs.getString(1), rs.getInt(2) != 0, rs.getLong(3), rs.getLong(4),
                                rs.getString(5), rs.getString(6));
                        entries.put(e.path(), e);
                    }
                }
            }
            db.setAutoCommit(false);
            upsert = db.prepareStatement("INSERT OR REPLACE INTO items VALUES(?, ?, ?, ?, ?, ?)");
            delete = db.prepareStatement("DELETE FROM items WHERE path = ?");
            addHistory = db.prepareStatement("INSERT OR REPLACE INTO history VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        } catch (SQLException | IOException e) {
            throw new DatabaseError("Cannot open the sync index", file + ": " + e.getMessage());
        }
    }

    /**
     * {@return the entry of a path, or {@code null}}
     *
     * @param path the path
     */
    public Entry get(String path) {
        return entries.get(path);
    }

    /** {@return a snapshot of every entry by path} */
    public Map<String, Entry> snapshot() {
        return Map.copyOf(entries);
    }

    /** {@return how many entries there are} */
    public int size() {
        return entries.size();
    }

    /**
     * Records an entry.
     *
     * @param e the entry
     */
    public void put(Entry e) {
        entries.put(e.path(), e);
        try {
            upsert.setString(1, e.path());
            upsert.setInt(2, e.folder() ? 1 : 0);
            upsert.setLong(3, e.size());
            upsert.setLong(4, e.mtimeNanos());
            upsert.setString(5, e.hash());
            upsert.setString(6, e.rev());
            upsert.executeUpdate();
            counted();
        } catch (SQLException ex) {
            throw failed(ex);
        }
    }

    /**
     * Forgets a path.
     *
     * @param path the path
     */
    public void remove(String path) {
        if (entries.remove(path) == null) {
            return;
        }
        try {
            delete.setString(1, path);
            delete.executeUpdate();
            counted();
        } catch (SQLException ex) {
            throw failed(ex);
        }
    }

    /** Forgets every entry (a rebuild of the index). */
    public void clear() {
        entries.clear();
        try (Statement s = db.createStatement()) {
            s.execute("DELETE FROM items");
            commit();
        } catch (SQLException ex) {
            throw failed(ex);
        }
    }

    /**
     * {@return a meta value, or {@code null}}
     *
     * @param key the key
     */
    public String meta(String key) {
        try (PreparedStatement s = db.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            s.setString(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException ex) {
            throw failed(ex);
        }
    }

    /**
     * Sets a meta value.
     *
     * @param key the key
     * @param value the value
     */
    public void setMeta(String key, String value) {
        try (PreparedStatement s = db.prepareStatement("INSERT OR REPLACE INTO meta VALUES(?, ?)")) {
            s.setString(1, key);
            s.setString(2, value);
            s.executeUpdate();
            counted();
        } catch (SQLException ex) {
            throw failed(ex);
        }
    }

    /**
     * Records a finished event in the history, keeping the last {@link #HISTORY_KEPT}.
     *
     * @param e the event
     */
    public void addHistory(maestral.api.SyncEvent e) {
        try {
            addHistory.setLong(1, e.id());
            addHistory.setString(2, e.direction());
            addHistory.setString(3, e.itemType());
            addHistory.setString(4, e.changeType());
            addHistory.setString(5, e.status());
            addHistory.setString(6, e.dbxPath());
            addHistory.setString(7, e.dbxPathFrom());
            addHistory.setString(8, e.localPath());
            addHistory.setString(9, e.localPathFrom());
            addHistory.setLong(10, e.size());
            addHistory.setLong(11, e.completed());
            addHistory.setObject(12, e.changeTime() == null ? null : e.changeTime().toEpochMilli());
            addHistory.setObject(13, e.syncTime() == null ? null : e.syncTime().toEpochMilli());
            addHistory.executeUpdate();
            if (++historyAdded % 200 == 0) {
                try (PreparedStatement s = db.prepareStatement(
                        "DELETE FROM history WHERE id <= (SELECT MAX(id) FROM history) - ?")) {
                    s.setInt(1, HISTORY_KEPT);
                    s.executeUpdate();
                }
            }
            counted();
        } catch (SQLException ex) {
            throw failed(ex);
        }
    }

    /**
     * {@return the last events of the history, oldest first}
     *
     * @param limit the most events
     */
    public java.util.List<maestral.api.SyncEvent> history(int limit) {
        java.util.List<maestral.api.SyncEvent> out = new java.util.ArrayList<>();
        try (PreparedStatement s = db.prepareStatement("SELECT * FROM (SELECT id, direction, item_type,"
                + " change_type, status, path, path_from, local_path, local_path_from, size, completed,"
                + " change_time, sync_time FROM history ORDER BY id DESC LIMIT ?) ORDER BY id")) {
            s.setInt(1, limit);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    long change = rs.getLong(12);
                    boolean noChange = rs.wasNull();
                    long sync = rs.getLong(13);
                    boolean noSync = rs.wasNull();
                    out.add(new maestral.api.SyncEvent(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                            rs.getString(9), rs.getLong(10), rs.getLong(11),
                            noChange ? null : java.time.Instant.ofEpochMilli(change),
                            noSync ? null : java.time.Instant.ofEpochMilli(sync)));
                }
            }
        } catch (SQLException ex) {
            throw failed(ex);
        }
        return out;
    }

    private void counted() throws SQLException {
        if (++pending >= 500) {
            commit();
        }
    }

    /** Commits what was changed since the last commit. */
    public void commit() {
        try {
            db.commit();
            pending = 0;
        } catch (SQLException ex) {
            throw failed(ex);
        }
    }

    private static DatabaseError failed(SQLException e) {
        return new DatabaseError("Sync index failure", e.getMessage());
    }

    /** Commits and closes the database. */
    @Override
    public void close() {
        try {
            try {
                db.commit();
            } finally {
                upsert.close();
                delete.close();
                addHistory.close();
                db.close();
            }
        } catch (SQLException ex) {
            throw failed(ex);
        }
    }
}
