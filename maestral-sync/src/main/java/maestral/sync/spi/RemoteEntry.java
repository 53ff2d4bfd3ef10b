package maestral.sync.spi;

/**
 * One item of a remote.
 *
 * @param path its path: {@code "/"}-separated, starting with {@code "/"}, case preserved
 *     (the root itself is never an entry)
 * @param folder whether it is a folder
 * @param size its size in bytes, 0 for a folder
 * @param modifiedMillis when its content last changed, in milliseconds since the epoch
 * @param rev its revision: changes whenever its content changes; {@code null} for a folder
 * @param contentHash a hash of its content, equal to what
 *     {@link RemoteSession#contentHash(java.io.InputStream)} computes for the same bytes;
 *     {@code null} for a folder
 */
public record RemoteEntry(String path, boolean folder, long size, long modifiedMillis,
                          String rev, String contentHash) {
}
