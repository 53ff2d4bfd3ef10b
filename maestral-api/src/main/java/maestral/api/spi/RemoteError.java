package maestral.api.spi;

import java.io.PrintWriter;
import java.io.StringWriter;
import maestral.api.MaestralApiError;

/**
 * An error raised in the daemon, as data that any transport can encode: its class name, the
 * fields of {@link MaestralApiError}, and its stack trace as text.
 *
 * <p>{@link #toException()} rebuilds a class of the {@code MaestralApiError} tree as itself;
 * any other class arrives as a plain {@code MaestralApiError} whose message names it. No
 * class is ever loaded by the name that arrives.
 *
 * @param className the fully qualified class name of the original error
 * @param title the title; for an error outside the tree, a generic one
 * @param message the message; for an error outside the tree, its class and message
 * @param dbxPath the remote path, or {@code null}
 * @param dbxPathDst the remote destination of a move, or {@code null}
 * @param localPath the local path, or {@code null}
 * @param localPathDst the local destination of a move, or {@code null}
 * @param stackTrace the daemon's stack trace as text, or {@code ""}
 */
public record RemoteError(String className, String title, String message, String dbxPath,
                          String dbxPathDst, String localPath, String localPathDst,
                          String stackTrace) {

    /** The title given to an error that is not a {@link MaestralApiError}. */
    public static final String UNEXPECTED_TITLE = "Unexpected error in the daemon";

    /**
     * {@return it as data}
     *
     * @param error an error raised while carrying out a call
     */
    public static RemoteError of(Throwable error) {
        String trace = stackTraceOf(error);
        if (error instanceof MaestralApiError e) {
            return new RemoteError(e.getClass().getName(), e.title(), e.message(), e.dbxPath(),
                    e.dbxPathDst(), e.localPath(), e.localPathDst(), trace);
        }
        String name = error.getClass().getName();
        String detail = error.getMessage() == null ? name : name + ": " + error.getMessage();
        return new RemoteError(name, UNEXPECTED_TITLE, detail, null, null, null, null, trace);
    }

    /**
     * {@return the error as its own class when it belongs to the {@code MaestralApiError} tree, else as a {@code MaestralApiError}; the daemon's stack trace is its cause}
     */
    public MaestralApiError toException() {
        MaestralApiError error = ErrorClasses.create(className, title, message, dbxPath,
                dbxPathDst, localPath, localPathDst);
        if (stackTrace != null && !stackTrace.isEmpty()) {
            error.initCause(new RemoteStackTrace(stackTrace));
        }
        return error;
    }

    private static String stackTraceOf(Throwable error) {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            error.printStackTrace(out);
        }
        return text.toString();
    }
}
