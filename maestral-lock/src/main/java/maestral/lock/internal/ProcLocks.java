package maestral.lock.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Who holds a POSIX record lock on a file, read from Linux's {@code /proc/locks} instead of
 * {@code fcntl(F_GETLK)}: the same answer from the kernel without opening the file, and
 * without the foreign-function set-up a fresh JVM pays on its first native call (about a
 * tenth of a second), which matters to a command that only asks whether a daemon runs.
 *
 * <p>A line of {@code /proc/locks} reads
 * {@code 1: POSIX  ADVISORY  WRITE 4242 fd:01:1234567 0 EOF}: the pid, then the device as
 * major and minor in hexadecimal and the inode in decimal. Waiters ({@code ->}), BSD
 * {@code FLOCK} and open-file-description ({@code OFDLCK}) locks are not POSIX record locks
 * of a process and are skipped, as {@code F_GETLK} would not name a pid for them.
 *
 * <p>The kernel hands the table out a page per read and lets go of its lock between reads, so
 * a line can be skipped while other locks come and go: a holder it names is certain, its
 * "nobody" is not ({@code Lock} then asks {@code F_GETLK}).
 */
public final class ProcLocks {

    /** The table of the running kernel. */
    public static final Path TABLE = Path.of("/proc/locks");

    private ProcLocks() {
    }

    /**
     * Finds the process holding a POSIX lock on the file.
     *
     * @param file the locked file
     * @param ownPid this process's pid, whose own locks are not reported (as with {@code F_GETLK})
     * @return the holder's pid, 0 when nobody else holds one, or empty when the table cannot be
     *     read here (not Linux, no {@code /proc}): then ask {@code fcntl}
     */
    public static OptionalLong holder(Path file, long ownPid) {
        if (!Files.isReadable(TABLE)) {
            return OptionalLong.empty();
        }
        long dev;
        long ino;
        try {
            Map<String, Object> attrs = Files.readAttributes(file, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
            dev = ((Number) attrs.get("dev")).longValue();
            ino = ((Number) attrs.get("ino")).longValue();
        } catch (NoSuchFileException e) {
            return OptionalLong.of(0); // nobody can hold a lock on a file that is not there
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return OptionalLong.empty();
        }
        String table;
        try {
            table = Files.readString(TABLE);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(holder(table, dev, ino, ownPid));
    }

    /**
     * {@return the pid holding a POSIX lock on the file in the table, or 0}
     *
     * @param table the text of {@code /proc/locks}
     * @param dev the file's device, as {@code stat}'s {@code st_dev}
     * @param ino the file's inode
     * @param ownPid this process's pid, whose locks are skipped
     */
    static long holder(String table, long dev, long ino, long ownPid) {
        String wanted = Long.toHexString(major(dev)) + ":" + Long.toHexString(minor(dev)) + ":" + ino;
        for (String line : table.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || !f[1].equals("POSIX")) {
                continue; // a waiter ("->"), a FLOCK or OFDLCK lock, or a short line
            }
            if (!sameFile(f[5], wanted)) {
                continue;
            }
            long pid;
            try {
                pid = Long.parseLong(f[4]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (pid > 0 && pid != ownPid) {
                return pid;
            }
        }
        return 0;
    }

    /** Compares "MAJ:MIN:INO" fields, whose hexadecimal parts may be zero-padded. */
    private static boolean sameFile(String field, String wanted) {
        String[] a = field.split(":");
        String[] b = wanted.split(":");
        if (a.length != 3) {
            return false;
        }
        try {
            return Long.parseLong(a[0], 16) == Long.parseLong(b[0], 16)
                    && Long.parseLong(a[1], 16) == Long.parseLong(b[1], 16)
                    && a[2].equals(b[2]);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Linux's {@code major()} of a {@code dev_t}. */
    static long major(long dev) {
        return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & 0xfffff000L);
    }

    /** Linux's {@code minor()} of a {@code dev_t}. */
    static long minor(long dev) {
        return (dev & 0xff) | ((dev >>> 12) & 0xffffff00L);
    }
}
