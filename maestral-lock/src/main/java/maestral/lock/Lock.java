package maestral.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import maestral.lock.internal.Posix;
import maestral.lock.internal.ProcLocks;

/**
 * A lock on a file that is both inter-process and inter-thread: at most one thread of one
 * process holds it. It never blocks, it is not re-entrant, and a thread of the holding process
 * may release it for another.
 *
 * <p>It is a POSIX record lock ({@code fcntl(F_SETLK)}) on {@code folder/NAME.lock}, so the
 * kernel drops it when the holding process dies, even by {@code SIGKILL}: no stale lock can
 * exist, and nothing ever deletes the file. {@link #locked()} and {@link #lockingPid()} ask the
 * kernel (its table {@code /proc/locks} on Linux when that names a holder, else
 * {@code F_GETLK}) and never take the lock, so probing cannot make a concurrent
 * {@link #acquire()} of another process fail.
 *
 * <p>Closing any descriptor of a file drops the POSIX locks that the process holds on it, so
 * this class keeps exactly one descriptor per lock file per process, opened on first use and
 * kept open; no code of this library opens the lock file any other way. Do not open it
 * yourself in a process that holds it.
 *
 * <p><b>Safe for use by many threads at once, through {@link #singleton} only</b>, which
 * returns one shared instance per lock file.
 */
public final class Lock {

    private static final ConcurrentMap<Path, Lock> INSTANCES = new ConcurrentHashMap<>();
    private static final long OWN_PID = ProcessHandle.current().pid();

    private final Path path;
    /** The open descriptor of {@link #path}, or -1 before first use. Guarded by {@code this}. */
    private int fd = -1;
    /** The inode {@link #fd} refers to. Guarded by {@code this}. */
    private Object fileKey;
    /** Whether this process holds the lock. Guarded by {@code this}. */
    private boolean held;

    private Lock(Path path) {
        this.path = path;
    }

    /**
     * {@return the one instance of this process for that file}
     *
     * @param name the lock's name; the file is {@code NAME.lock} in {@code java.io.tmpdir}
     * @throws IllegalArgumentException when the name is not a plain file name
     */
    public static Lock singleton(String name) {
        return singleton(name, null);
    }

    /**
     * {@return the one instance of this process for that file}
     *
     * @param name the lock's name; the file is {@code NAME.lock} in {@code folder}
     * @param folder the folder of the lock file, created (mode 0700) when missing;
     *     {@code null} for {@code java.io.tmpdir}
     * @throws IllegalArgumentException when the name is not a plain file name
     * @throws UncheckedIOException when the folder cannot be created
     */
    public static Lock singleton(String name, Path folder) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains("/") || name.indexOf('\0') >= 0
                || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("lock name must be a plain file name: '" + name + "'");
        }
        Path dir = folder != null ? folder : Path.of(System.getProperty("java.io.tmpdir"));
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            dir = dir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the lock folder " + dir + ": " + e, e);
        }
        return INSTANCES.computeIfAbsent(dir.resolve(name + ".lock"), Lock::new);
    }

    /** {@return the lock file} */
    public Path path() {
        return path;
    }

    /**
     * Takes the lock if no thread of this process and no other process holds it. Never blocks.
     *
     * @return {@code true} when this call took it; {@code false} when any thread here (also the
     *     calling one) or any other process holds it
     * @throws UncheckedIOException when the lock file cannot be opened or locked
     */
    public synchronized boolean acquire() {
        if (held) {
            return false;
        }
        try {
            for (int attempt = 0; attempt < 100; attempt++) {
                try {
                    openCurrentFile();
                } catch (NoSuchFileException e) {
                    continue; // deleted between open and stat: open it again
                }
                if (!Posix.setLock(fd, true)) {
                    return false;
                }
                // The file may have been replaced or deleted between open and lock: then this
                // lock is on a file nobody else will ever open. Drop it and lock the current file.
                if (descriptorOnCurrentFile()) {
                    held = true;
                    return true;
                }
                Posix.setLock(fd, false);
            }
            throw new IOException("the lock file keeps being replaced: " + path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Releases the lock; any thread of the holding process may call it.
     *
     * @throws IllegalStateException when this process does not hold the lock; nothing changes
     */
    public synchronized void release() {
        if (!held) {
            throw new IllegalStateException("this process does not hold the lock " + path
                    + lockingPid().stream().mapToObj(pid -> " (process " + pid + " holds it)")
                    .findFirst().orElse(""));
        }
        try {
            Posix.setLock(fd, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unlock " + path + ": " + e.getMessage(), e);
        }
        held = false;
    }

    /**
     * Tells whether any thread of this process or any other process holds the lock. Never
     * takes the lock.
     *
     * @return whether the lock is held
     */
    public synchronized boolean locked() {
        return held || otherHolder() != 0;
    }

    /**
     * Tells which process holds the lock. Never takes the lock.
     *
     * @return this process's pid when a thread here holds it, the holder's pid when another
     *     process holds it, empty when it is free
     */
    public synchronized OptionalLong lockingPid() {
        if (held) {
            return OptionalLong.of(OWN_PID);
        }
        long pid = otherHolder();
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /**
     * Tells whether the file this process holds the lock on is still the file at
     * {@link #path()}: someone may have deleted or replaced it, and a process opening the path
     * now would lock another file.
     *
     * @return {@code true} when this process holds the lock and the file is still in place
     */
    public synchronized boolean holdsCurrentFile() {
        try {
            return held && descriptorOnCurrentFile();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "Lock[" + path + "]";
    }

    /** {@return the pid of another process holding the lock, or 0} */
    private long otherHolder() {
        // Linux: no native call needed when the kernel's table names a holder. Its "nobody" is
        // not trusted: the table is read a page at a time, and a line can be skipped while
        // other locks come and go (seen with 200 shm sessions being made); F_GETLK decides.
        OptionalLong fromTable = ProcLocks.holder(path, OWN_PID);
        if (fromTable.isPresent() && fromTable.getAsLong() != 0) {
            return fromTable.getAsLong();
        }
        try {
            if (!Files.exists(path)) {
                return 0; // nobody can hold a lock on a file that is not there
            }
            openCurrentFile();
            return Posix.lockHolder(fd);
        } catch (NoSuchFileException e) {
            return 0; // deleted meanwhile
        } catch (IOException e) {
            throw new UncheckedIOException("cannot probe the lock " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens the file at {@link #path} unless {@link #fd} already refers to it. Only called
     * while this process does not hold the lock, so closing a stale descriptor drops nothing.
     */
    private void openCurrentFile() throws IOException {
        if (fd >= 0) {
            if (descriptorOnCurrentFile()) {
                return;
            }
            Posix.close(fd);
            fd = -1;
        }
        int opened = Posix.openReadWriteCreate(path, 0600);
        try {
            fileKey = currentFileKey();
        } catch (IOException | RuntimeException e) {
            // Deleted between open and stat. Keep no descriptor whose file is unknown: with a
            // stale or null fileKey every later call would fail.
            Posix.close(opened);
            throw e;
        }
        fd = opened;
    }

    /** {@return whether {@link #fd} refers to the file now at {@link #path}; false when none is there} */
    private boolean descriptorOnCurrentFile() throws IOException {
        try {
            return fileKey.equals(currentFileKey());
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private Object currentFileKey() throws IOException {
        // stat(2), not open(2): opening and closing another descriptor would drop the lock.
        return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }
}
