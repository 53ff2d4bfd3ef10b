package maestral.api;

/**
 * A sync error of one item, as data.
 *
 * @param type the simple name of the {@link SyncError} class
 * @param title a short title
 * @param message what happened and what to do
 * @param dbxPath the remote path, or {@code null}
 * @param dbxPathDst the remote destination of a move, or {@code null}
 * @param localPath the local path, or {@code null}
 * @param localPathDst the local destination of a move, or {@code null}
 */
public record SyncErrorInfo(String type, String title, String message, String dbxPath,
                            String dbxPathDst, String localPath, String localPathDst) {
}
