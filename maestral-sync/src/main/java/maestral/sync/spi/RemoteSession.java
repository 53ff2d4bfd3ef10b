package maestral.sync.spi;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import maestral.api.AccountInfo;
import maestral.api.SpaceUsage;

/**
 * An open connection to one remote. Paths are {@code "/"}-separated and start with
 * {@code "/"}; {@code "/"} is the remote's root.
 *
 * <p>Changes are conditional where losing data is possible: {@link #write} and
 * {@link #delete} take the revision the caller last saw and throw
 * {@link RemoteConflictException} when the item has changed since, so the engine never
 * overwrites or deletes a version it has not seen.
 *
 * <p><b>Implementations are safe for use by many threads at once</b>; {@link #close()} ends
 * every wait in {@link #awaitChanges}.
 */
public interface RemoteSession extends AutoCloseable {

    /**
     * {@return every entry below the folder, recursively or not, in no particular order}
     *
     * @param folder the folder, {@code "/"} for the root
     * @param recursive whether to list sub-folders too
     * @throws java.io.FileNotFoundException when the folder does not exist
     * @throws IOException when the remote cannot be read
     */
    List<RemoteEntry> list(String folder, boolean recursive) throws IOException;

    /**
     * {@return the entry at the path, or {@code null} when nothing is there}
     *
     * @param path the path
     * @throws IOException when the remote cannot be read
     */
    RemoteEntry metadata(String path) throws IOException;

    /**
     * Opens a file for reading.
     *
     * @param path the file
     * @return its content; the caller closes it
     * @throws IOException when it cannot be read, or is gone
     */
    InputStream read(String path) throws IOException;

    /**
     * Writes a file at once: readers see the old content or the new, never a mix. Missing
     * parent folders are created.
     *
     * @param path the file
     * @param content its new content, read to the end
     * @param expectedRev the revision the caller last saw there, or {@code null} when the
     *     caller expects nothing to be there
     * @return the new entry
     * @throws RemoteConflictException when the item is not at {@code expectedRev}
     * @throws IOException when it cannot be written
     */
    RemoteEntry write(String path, InputStream content, String expectedRev) throws IOException;

    /**
     * Deletes a file, or an empty folder.
     *
     * @param path the item
     * @param expectedRev the revision of the file the caller last saw; {@code null} for a folder
     * @throws RemoteConflictException when the file is at another revision, or the folder is
     *     not empty
     * @throws IOException when it cannot be deleted
     */
    void delete(String path, String expectedRev) throws IOException;

    /**
     * Creates a folder and its missing parents; nothing happens when it exists.
     *
     * @param path the folder
     * @return its entry
     * @throws RemoteConflictException when a file is in the way
     * @throws IOException when it cannot be created
     */
    RemoteEntry createFolder(String path) throws IOException;

    /**
     * Moves an item; the destination must not exist.
     *
     * @param from the item
     * @param to its new path
     * @return the entry at its new path
     * @throws RemoteConflictException when something is at {@code to}
     * @throws IOException when it cannot be moved
     */
    RemoteEntry move(String from, String to) throws IOException;

    /**
     * {@return the hash this remote gives the content, as in {@link RemoteEntry#contentHash()}}
     *
     * @param content the bytes, read to the end (not closed)
     * @throws IOException when the stream fails
     */
    String contentHash(InputStream content) throws IOException;

    /** {@return a cursor naming the remote's state now, for {@link #awaitChanges}} */
    String cursor();

    /**
     * Waits until the remote changes after the cursor (the change feed).
     *
     * @param cursor a cursor from {@link #cursor()} or an earlier call
     * @param timeout the longest wait
     * @return the new cursor: equal to {@code cursor} when nothing changed in time
     * @throws InterruptedException when the waiting thread is interrupted
     * @throws IllegalStateException when the session is closed
     */
    String awaitChanges(String cursor, Duration timeout) throws InterruptedException;

    /**
     * {@return the account behind this remote}
     *
     * @throws IOException when the remote cannot be reached
     */
    AccountInfo account() throws IOException;

    /**
     * {@return the space used and allocated on the remote}
     *
     * @throws IOException when the remote cannot be reached
     */
    SpaceUsage spaceUsage() throws IOException;

    /**
     * {@return a name for this remote that stays the same as long as it is the same remote, or
     * {@code ""} when the backend cannot tell}: the engine remembers it with what it synced and
     * syncs nothing while it differs, so that a remote that was unmounted, replaced or emptied
     * behind its back is not taken for "everything was deleted there"
     *
     * @throws IOException when the remote cannot be read
     */
    default String identity() throws IOException {
        return "";
    }

    /** Releases the session; waits in {@link #awaitChanges} return. */
    @Override
    void close();
}
