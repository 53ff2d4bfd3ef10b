package maestral.lock.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * POSIX calls of the C library through the Foreign Function &amp; Memory API: the few that
 * the JDK does not offer ({@code fcntl} record locks and their probe) or offers only with
 * surprises ({@code FileChannel} locks drop when any channel of the file closes).
 *
 * <p><b>Safe for use by many threads at once</b>; every call is a plain system call.
 */
@SuppressWarnings("restricted") // native access is this class's purpose
public final class Posix {

    /** The constants of this platform. */
    public static final Platform PLATFORM = Platform.current();

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle OPEN = variadic("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 2);
    private static final MethodHandle FCNTL = variadic("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), 2);
    private static final MethodHandle CLOSE = plain("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle KILL = plain("kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSID = plain("setsid", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Posix() {
    }

    private static MethodHandle plain(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), fd,
                Linker.Option.captureCallState("errno"));
    }

    private static MethodHandle variadic(String name, FunctionDescriptor fd, int firstVariadic) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), fd,
                Linker.Option.firstVariadicArg(firstVariadic), Linker.Option.captureCallState("errno"));
    }

    /**
     * A failed system call, with its errno.
     */
    public static final class ErrnoException extends IOException {
        private static final long serialVersionUID = 1L;

        /** The errno the call set. */
        private final int errno;

        ErrnoException(String call, int errno) {
            super(call + ": " + strerror(errno) + " (errno " + errno + ")");
            this.errno = errno;
        }

        /** {@return the errno the call set} */
        public int errno() {
            return errno;
        }
    }

    /**
     * {@code open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode)}.
     *
     * @param path the file
     * @param mode the permission bits of a new file
     * @return the file descriptor
     * @throws ErrnoException when it fails
     */
    public static int openReadWriteCreate(Path path, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment cPath = arena.allocateFrom(path.toString());
            int flags = PLATFORM.oRdwr() | PLATFORM.oCreat() | PLATFORM.oCloexec();
            int fd;
            do {
                fd = (int) OPEN.invokeExact(state, cPath, flags, mode);
            } while (fd < 0 && errno(state) == Platform.EINTR);
            if (fd < 0) {
                throw new ErrnoException("open " + path, errno(state));
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("open failed to link", t);
        }
    }

    /**
     * {@code close(fd)}.
     *
     * @param fd a file descriptor
     */
    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CALL_STATE), fd);
        } catch (Throwable t) {
            throw new AssertionError("close failed to link", t);
        }
    }

    /**
     * Tries to take or drop a whole-file write lock, without waiting:
     * {@code fcntl(fd, F_SETLK, {F_WRLCK or F_UNLCK, SEEK_SET, 0, 0})}.
     *
     * @param fd a file descriptor open for writing
     * @param lock {@code true} to lock, {@code false} to unlock
     * @return {@code true} when done; {@code false} when another process holds the lock
     * @throws ErrnoException on any other failure
     */
    public static boolean setLock(int fd, boolean lock) throws ErrnoException {
        FlockDescriptor d = PLATFORM.flock();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment flock = arena.allocate(d.size(), 8);
            flock.set(JAVA_SHORT, d.typeOffset(), (short) (lock ? PLATFORM.fWrlck() : PLATFORM.fUnlck()));
            flock.set(JAVA_SHORT, d.whenceOffset(), (short) Platform.SEEK_SET);
            int rc;
            do {
                rc = (int) FCNTL.invokeExact(state, fd, PLATFORM.fSetlk(), flock);
            } while (rc < 0 && errno(state) == Platform.EINTR);
            if (rc == 0) {
                return true;
            }
            int errno = errno(state);
            if (errno == PLATFORM.eagain() || errno == Platform.EACCES) {
                return false;
            }
            throw new ErrnoException("fcntl(F_SETLK)", errno);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("fcntl failed to link", t);
        }
    }

    /**
     * Asks the kernel who holds a lock that would conflict with a whole-file write lock,
     * without taking it: {@code fcntl(fd, F_GETLK, ...)}. Locks of the calling process never
     * conflict with its own, so they are not reported.
     *
     * @param fd a file descriptor open for writing
     * @return the pid of another process holding a lock on the file, or 0 when none does
     * @throws ErrnoException when the call fails
     */
    public static long lockHolder(int fd) throws ErrnoException {
        FlockDescriptor d = PLATFORM.flock();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment flock = arena.allocate(d.size(), 8);
            flock.set(JAVA_SHORT, d.typeOffset(), (short) PLATFORM.fWrlck());
            flock.set(JAVA_SHORT, d.whenceOffset(), (short) Platform.SEEK_SET);
            flock.set(JAVA_LONG, d.startOffset(), 0L);
            flock.set(JAVA_LONG, d.lenOffset(), 0L);
            int rc;
            do {
                rc = (int) FCNTL.invokeExact(state, fd, PLATFORM.fGetlk(), flock);
            } while (rc < 0 && errno(state) == Platform.EINTR);
            if (rc < 0) {
                throw new ErrnoException("fcntl(F_GETLK)", errno(state));
            }
            if (flock.get(JAVA_SHORT, d.typeOffset()) == PLATFORM.fUnlck()) {
                return 0;
            }
            return flock.get(JAVA_INT, d.pidOffset());
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("fcntl failed to link", t);
        }
    }

    /**
     * {@code kill(pid, signal)}.
     *
     * @param pid the process
     * @param signal the signal number; 0 only checks that the process exists
     * @return {@code true} when sent; {@code false} when no such process exists
     * @throws ErrnoException on any other failure (such as no permission)
     */
    public static boolean kill(long pid, int signal) throws ErrnoException {
        if (pid <= 0 || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("not a single process id: " + pid);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) KILL.invokeExact(state, (int) pid, signal);
            if (rc == 0) {
                return true;
            }
            int errno = errno(state);
            if (errno == Platform.ESRCH) {
                return false;
            }
            throw new ErrnoException("kill(" + pid + ", " + signal + ")", errno);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("kill failed to link", t);
        }
    }

    /**
     * {@code setsid()}: makes the calling process the leader of a new session with no
     * controlling terminal.
     *
     * @return the new session id
     * @throws ErrnoException when it fails (the caller already leads a process group)
     */
    public static long setsid() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int sid = (int) SETSID.invokeExact(state);
            if (sid < 0) {
                throw new ErrnoException("setsid", errno(state));
            }
            return sid;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("setsid failed to link", t);
        }
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
