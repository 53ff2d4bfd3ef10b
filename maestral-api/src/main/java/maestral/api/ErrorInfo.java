package maestral.api;

/**
 * A fatal error that stopped syncing, as data.
 *
 * @param type the simple name of the error class
 * @param title a short title
 * @param message what happened and what to do
 * @param traceback the stack trace as text, or {@code ""}
 */
public record ErrorInfo(String type, String title, String message, String traceback) {
}
