package maestral.api;

import java.time.Instant;

/**
 * Metadata of a remote file or folder.
 *
 * @param name the item's name
 * @param pathLower its remote path in lower case
 * @param pathDisplay its remote path as displayed
 * @param folder whether it is a folder
 * @param size its size in bytes, 0 for a folder
 * @param modified when its content last changed, or {@code null} for a folder
 * @param rev its revision, or {@code null} for a folder
 * @param contentHash a hash of its content, or {@code null} for a folder
 */
public record FileMetadata(String name, String pathLower, String pathDisplay, boolean folder,
                           long size, Instant modified, String rev, String contentHash) {
}
