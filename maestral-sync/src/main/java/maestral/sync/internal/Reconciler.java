package maestral.sync.internal;

import java.util.Objects;
import maestral.sync.spi.RemoteEntry;

/**
 * The three-way decision for one path, from its local item, its remote entry and its index
 * entry (each {@code null} when absent). A side has <em>changed</em> when it differs from the
 * index: another kind, another content hash (local) or another revision (remote), present
 * where the index has nothing or absent where it has something.
 *
 * <ul>
 *   <li>Only one side changed: that side wins and its state is copied to the other.</li>
 *   <li>Both changed to the same state (both gone, both folders, equal content): only the
 *       index is updated.</li>
 *   <li>Deleted on one side, changed on the other: the changed item wins (it is restored).</li>
 *   <li>Otherwise a conflict: the local item is renamed to a conflicting copy (kept, and
 *       uploaded by a later pass), then the remote item is downloaded.</li>
 * </ul>
 */
public final class Reconciler {

    private Reconciler() {
    }

    /** What to do with a path. */
    public enum Action {
        /** Nothing: both sides are as synced. */
        NOTHING,
        /** Both sides agree: record that in the index. */
        RECORD,
        /** Gone on both sides: drop the index entry. */
        FORGET,
        /** Write the local file to the remote. */
        UPLOAD,
        /** Create the local folder on the remote. */
        CREATE_REMOTE_FOLDER,
        /** Delete the remote item. */
        DELETE_REMOTE,
        /** Write the remote file locally. */
        DOWNLOAD,
        /** Create the remote folder locally. */
        CREATE_LOCAL_FOLDER,
        /** Delete the local item. */
        DELETE_LOCAL,
        /** Both sides changed differently: rename the local item to a conflicting copy. */
        CONFLICT;

        /** {@return whether the action only touches the index} */
        public boolean indexOnly() {
            return this == NOTHING || this == RECORD || this == FORGET;
        }

        /** {@return whether the action deletes something} */
        public boolean deletes() {
            return this == DELETE_LOCAL || this == DELETE_REMOTE || this == FORGET;
        }
    }

    /**
     * Decides what to do with a path.
     *
     * @param local the local item, or {@code null}
     * @param remote the remote entry, or {@code null}
     * @param index the index entry, or {@code null}
     * @return the action
     */
    public static Action decide(TreeScanner.Item local, RemoteEntry remote, Index.Entry index) {
        boolean localChanged = !sameLocal(local, index);
        boolean remoteChanged = !sameRemote(remote, index);
        if (!localChanged && !remoteChanged) {
            return local == null && remote == null && index != null ? Action.FORGET : Action.NOTHING;
        }
        if (localChanged && !remoteChanged) {
            return push(local);
        }
        if (!localChanged) {
            return pull(remote);
        }
        if (local == null && remote == null) {
            return index == null ? Action.NOTHING : Action.FORGET;
        }
        if (local == null) {
            return pull(remote);
        }
        if (remote == null) {
            return push(local);
        }
        if (local.folder() && remote.folder()) {
            return Action.RECORD;
        }
        if (!local.folder() && !remote.folder() && Objects.equals(local.hash(), remote.contentHash())) {
            return Action.RECORD;
        }
        return Action.CONFLICT;
    }

    private static Action push(TreeScanner.Item local) {
        if (local == null) {
            return Action.DELETE_REMOTE;
        }
        return local.folder() ? Action.CREATE_REMOTE_FOLDER : Action.UPLOAD;
    }

    private static Action pull(RemoteEntry remote) {
        if (remote == null) {
            return Action.DELETE_LOCAL;
        }
        return remote.folder() ? Action.CREATE_LOCAL_FOLDER : Action.DOWNLOAD;
    }

    /** {@return whether the local item is what the index recorded} */
    static boolean sameLocal(TreeScanner.Item local, Index.Entry index) {
        if (local == null || index == null) {
            return local == null && index == null;
        }
        if (local.folder() != index.folder()) {
            return false;
        }
        return local.folder() || Objects.equals(local.hash(), index.hash());
    }

    /** {@return whether the remote entry is what the index recorded} */
    static boolean sameRemote(RemoteEntry remote, Index.Entry index) {
        if (remote == null || index == null) {
            return remote == null && index == null;
        }
        if (remote.folder() != index.folder()) {
            return false;
        }
        return remote.folder() || Objects.equals(remote.rev(), index.rev());
    }
}
