package maestral.api;

import java.io.Serial;

/** Not enough space on the remote or the local drive. */
public class InsufficientSpaceError extends SyncError {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error.
     *
     * @param title a short title
     * @param message what happened and what to do
     */
    public InsufficientSpaceError(String title, String message) {
        super(title, message);
    }

    /**
     * Creates the error.
     *
     * @param title a short title
     * @param message what happened and what to do
     * @param dbxPath the remote path, or {@code null}
     * @param dbxPathDst the remote destination of a move, or {@code null}
     * @param localPath the local path, or {@code null}
     * @param localPathDst the local destination of a move, or {@code null}
     */
    public InsufficientSpaceError(String title, String message, String dbxPath, String dbxPathDst,
            String localPath, String localPathDst) {
        super(title, message, dbxPath, dbxPathDst, localPath, localPathDst);
    }
}
