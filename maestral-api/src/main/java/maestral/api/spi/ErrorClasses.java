package maestral.api.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import maestral.api.*;

/**
 * The classes of the {@link MaestralApiError} tree, with a factory for each, so that errors
 * can be rebuilt from their class name without reflection or loading classes by name.
 */
public final class ErrorClasses {

    /** Creates an error of one class from its fields. */
    @FunctionalInterface
    private interface Factory {
        MaestralApiError create(String title, String message, String dbxPath, String dbxPathDst,
                                String localPath, String localPathDst);
    }

    private record Entry(Class<? extends MaestralApiError> type, Factory factory) {
    }

    private static final Map<String, Entry> BY_NAME = new LinkedHashMap<>();

    static {
        for (Entry e : List.of(
            entry(MaestralApiError.class, MaestralApiError::new),
            entry(SyncError.class, SyncError::new),
            entry(InsufficientPermissionsError.class, InsufficientPermissionsError::new),
            entry(InsufficientSpaceError.class, InsufficientSpaceError::new),
            entry(PathError.class, PathError::new),
            entry(NotFoundError.class, NotFoundError::new),
            entry(ConflictError.class, ConflictError::new),
            entry(FileConflictError.class, FileConflictError::new),
            entry(FolderConflictError.class, FolderConflictError::new),
            entry(IsAFolderError.class, IsAFolderError::new),
            entry(NotAFolderError.class, NotAFolderError::new),
            entry(DropboxServerError.class, DropboxServerError::new),
            entry(RestrictedContentError.class, RestrictedContentError::new),
            entry(UnsupportedFileError.class, UnsupportedFileError::new),
            entry(FileSizeError.class, FileSizeError::new),
            entry(FileReadError.class, FileReadError::new),
            entry(NotLinkedError.class, NotLinkedError::new),
            entry(InvalidDbidError.class, InvalidDbidError::new),
            entry(KeyringAccessError.class, KeyringAccessError::new),
            entry(NoDropboxDirError.class, NoDropboxDirError::new),
            entry(CacheDirError.class, CacheDirError::new),
            entry(InotifyError.class, InotifyError::new),
            entry(InsufficientMemoryError.class, InsufficientMemoryError::new),
            entry(DatabaseError.class, DatabaseError::new),
            entry(DropboxAuthError.class, DropboxAuthError::new),
            entry(TokenExpiredError.class, TokenExpiredError::new),
            entry(TokenRevokedError.class, TokenRevokedError::new),
            entry(CursorResetError.class, CursorResetError::new),
            entry(BadInputError.class, BadInputError::new),
            entry(BusyError.class, BusyError::new))) {
            BY_NAME.put(e.type().getName(), e);
        }
    }

    private static final List<Class<? extends MaestralApiError>> CLASSES =
            BY_NAME.values().stream().<Class<? extends MaestralApiError>>map(Entry::type).toList();

    private ErrorClasses() {
    }

    private static Entry entry(Class<? extends MaestralApiError> type, Factory factory) {
        return new Entry(type, factory);
    }

    /** {@return every class of the tree, the root first} */
    public static List<Class<? extends MaestralApiError>> all() {
        return CLASSES;
    }

    /**
     * {@return whether it names a class of the tree}
     *
     * @param className a fully qualified class name
     */
    public static boolean isKnown(String className) {
        return BY_NAME.containsKey(className);
    }

    /**
     * Creates an error from its class name and fields.
     *
     * @param className a fully qualified class name; one outside the tree gives a
     *     {@code MaestralApiError}
     * @param title the title
     * @param message the message
     * @param dbxPath the remote path, or {@code null}
     * @param dbxPathDst the remote destination of a move, or {@code null}
     * @param localPath the local path, or {@code null}
     * @param localPathDst the local destination of a move, or {@code null}
     * @return the error, not thrown
     */
    public static MaestralApiError create(String className, String title, String message,
                                          String dbxPath, String dbxPathDst, String localPath,
                                          String localPathDst) {
        Entry entry = BY_NAME.get(className);
        Factory factory = entry == null ? MaestralApiError::new : entry.factory();
        return factory.create(title, message, dbxPath, dbxPathDst, localPath, localPathDst);
    }
}
