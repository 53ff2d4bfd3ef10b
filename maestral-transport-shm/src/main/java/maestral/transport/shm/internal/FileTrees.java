package maestral.transport.shm.internal;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/** Creates and checks private folders, and removes folder trees. */
public final class FileTrees {

    private static final long UID = new com.sun.security.auth.module.UnixSystem().getUid();

    private FileTrees() {
    }

    /** {@return the real user id of this process} */
    public static long uid() {
        return UID;
    }

    /**
     * Checks that a folder is this user's own and private: a folder (not a link), owned by
     * this process's uid, mode exactly {@code rwx------}.
     *
     * @param dir the folder
     * @throws java.nio.file.NoSuchFileException when it does not exist
     * @throws IOException naming the folder and what is wrong, also when it cannot be looked
     *     at (a folder of another user on the way)
     */
    public static void checkPrivate(Path dir) throws IOException {
        java.nio.file.attribute.PosixFileAttributes a;
        long owner;
        try {
            a = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            owner = ((Number) Files.getAttribute(dir, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("the shm folder " + dir + " cannot be looked at by uid " + UID
                    + " (permission denied): it belongs to another user", e);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: nothing to check
        }
        if (!a.isDirectory()) {
            throw new IOException("the shm folder " + dir + " is not a folder");
        }
        if (owner != UID) {
            throw new IOException("the shm folder " + dir + " belongs to uid " + owner + ", not to uid "
                    + UID + ": a daemon of another user, or a folder planted by one; refused");
        }
        if (!a.permissions().equals(PosixFilePermissions.fromString("rwx------"))) {
            throw new IOException("the shm folder " + dir + " has mode "
                    + PosixFilePermissions.toString(a.permissions()) + "; it must be rwx------");
        }
    }

    /**
     * Creates a folder of mode 0700, with its missing parents, and sets the mode on it.
     *
     * @param dir the folder
     * @throws IOException when it cannot be created
     */
    public static void createPrivateDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to set
        }
    }

    /**
     * Removes a folder and everything in it; a missing folder is fine, and so is a file that
     * vanishes meanwhile.
     *
     * @param root the folder
     * @throws IOException when something cannot be removed
     */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
