package maestral.api;

import java.time.Instant;

/**
 * One queued, running or completed sync of an item.
 *
 * @param id a number unique within the serving daemon
 * @param direction {@code "up"} or {@code "down"}
 * @param itemType {@code "file"} or {@code "folder"}
 * @param changeType {@code "added"}, {@code "deleted"}, {@code "modified"} or {@code "moved"}
 * @param status {@code "queued"}, {@code "syncing"}, {@code "done"}, {@code "failed"},
 *     {@code "skipped"} or {@code "aborted"}
 * @param dbxPath the remote path
 * @param dbxPathFrom the remote source of a move, or {@code null}
 * @param localPath the local path
 * @param localPathFrom the local source of a move, or {@code null}
 * @param size bytes to transfer
 * @param completed bytes transferred so far
 * @param changeTime when the change was made, or {@code null}
 * @param syncTime when the sync completed, or {@code null}
 */
public record SyncEvent(long id, String direction, String itemType, String changeType,
                        String status, String dbxPath, String dbxPathFrom, String localPath,
                        String localPathFrom, long size, long completed, Instant changeTime,
                        Instant syncTime) {
}
