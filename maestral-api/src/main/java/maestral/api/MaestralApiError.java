package maestral.api;

import java.io.Serial;

/**
 * The root of the errors the {@link Maestral} API raises. Each carries a short title, a
 * message for the user, and up to four paths the error is about.
 *
 * <p>Through a proxy an error arrives as the same class with the same fields; the daemon's
 * stack trace is attached as its cause.
 */
public class MaestralApiError extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String title;
    private final String message;
    private final String dbxPath;
    private final String dbxPathDst;
    private final String localPath;
    private final String localPathDst;

    /**
     * Creates the error.
     *
     * @param title a short title
     * @param message what happened and what to do
     */
    public MaestralApiError(String title, String message) {
        this(title, message, null, null, null, null);
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
    public MaestralApiError(String title, String message, String dbxPath, String dbxPathDst,
                            String localPath, String localPathDst) {
        super(join(title, message));
        this.title = title;
        this.message = message;
        this.dbxPath = dbxPath;
        this.dbxPathDst = dbxPathDst;
        this.localPath = localPath;
        this.localPathDst = localPathDst;
    }

    private static String join(String title, String message) {
        if (title == null || title.isEmpty()) {
            return message;
        }
        if (message == null || message.isEmpty()) {
            return title;
        }
        return title + ". " + message;
    }

    /** {@return the short title} */
    public String title() {
        return title;
    }

    /** {@return the message for the user; {@link #getMessage()} is {@code "title. message"}} */
    public String message() {
        return message;
    }

    /** {@return the remote path, or {@code null}} */
    public String dbxPath() {
        return dbxPath;
    }

    /** {@return the remote destination of a move, or {@code null}} */
    public String dbxPathDst() {
        return dbxPathDst;
    }

    /** {@return the local path, or {@code null}} */
    public String localPath() {
        return localPath;
    }

    /** {@return the local destination of a move, or {@code null}} */
    public String localPathDst() {
        return localPathDst;
    }
}
