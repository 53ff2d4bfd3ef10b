package maestral.api.spi;

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
 * @param stackTrace where the daemon threw, as text: the frames above the dispatcher (the
 *     transport's own frames below it are left out), at most {@value #MAX_FRAMES} for the
 *     error and each of up to {@value #MAX_CAUSES} causes; or {@code ""}
 */
public record RemoteError(String className, String title, String message, String dbxPath,
                          String dbxPathDst, String localPath, String localPathDst,
                          String stackTrace) {

    /** The title given to an error that is not a {@link MaestralApiError}. */
    public static final String UNEXPECTED_TITLE = "Unexpected error in the daemon";

    /** The most frames of the error, and of each cause, that the stack trace keeps. */
    public static final int MAX_FRAMES = 24;
    /** The most causes the stack trace follows. */
    public static final int MAX_CAUSES = 3;
    /** The most characters of a message that the stack trace's headings keep. */
    private static final int MAX_HEADING = 500;

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
        String m = error.getMessage();
        String detail = m == null ? name : name + ": "
                + (m.length() <= MAX_HEADING ? m : m.substring(0, MAX_HEADING) + "… (" + m.length() + " chars)");
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
        StringBuilder text = new StringBuilder(1024);
        Throwable t = error;
        for (int depth = 0; t != null && depth <= MAX_CAUSES; depth++, t = t.getCause()) {
            if (depth > 0) {
                text.append("Caused by: ");
            }
            String heading = t.toString();
            text.append(heading, 0, Math.min(heading.length(), MAX_HEADING))
                    .append(heading.length() > MAX_HEADING ? "…\n" : "\n");
            StackTraceElement[] frames = t.getStackTrace();
            int shown = 0;
            for (StackTraceElement f : frames) {
                if (f.getClassName().equals(MaestralDispatcher.class.getName())) {
                    break; // below it: the transport's frames, the same for every call
                }
                if (shown++ == MAX_FRAMES) {
                    text.append("\t...\n");
                    break;
                }
                text.append("\tat ").append(f).append('\n');
            }
        }
        return text.toString();
    }
}
