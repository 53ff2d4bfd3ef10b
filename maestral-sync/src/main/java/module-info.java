/**
 * The maestral sync engine: two-way sync of a local folder with a remote, an index in SQLite
 * (the xerial driver), local changes from the JDK {@code WatchService} plus a periodic full
 * reconcile, and remote changes from the backend's change feed. The embedded backend
 * {@code "folder"} makes a folder of this machine the remote.
 *
 * <p>The SQLite driver loads a native library (extracted to {@code java.io.tmpdir}, or
 * {@code org.sqlite.tmpdir}): launch with {@code --enable-native-access=org.xerial.sqlitejdbc}
 * on the module path, {@code ALL-UNNAMED} on the class path, to keep JDK 25 from warning.
 *
 * <p>System properties: {@code maestral.backend} names the backend {@code link} uses (default:
 * the first, by id, that accepts the target).
 *
 * @uses maestral.sync.spi.RemoteBackend
 * @provides maestral.sync.spi.RemoteBackend the {@code "folder"} backend
 */
module maestral.sync {
    requires transitive maestral.api;
    requires java.sql;
    requires org.xerial.sqlitejdbc;
    requires org.slf4j;

    exports maestral.sync;
    exports maestral.sync.spi;

    uses maestral.sync.spi.RemoteBackend;

    provides maestral.sync.spi.RemoteBackend with maestral.sync.internal.FolderBackend;
}
