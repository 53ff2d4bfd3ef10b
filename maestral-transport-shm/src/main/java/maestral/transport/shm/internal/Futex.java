package maestral.transport.shm.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Waiting on a 32-bit word of a shared mapping until another process changes it: on Linux the
 * {@code futex} system call through the Foreign Function &amp; Memory API (shared, not
 * private, futexes, so that waiters and wakers may be different processes); elsewhere, or when
 * native access is denied, a short park, so that a waiter sees a change within
 * {@link #FALLBACK_PARK_NANOS}.
 *
 * <p>The pattern of every waiter and waker of this transport:
 * <pre>{@code
 * waiter: flag = 1; v = word; if (!condition) Futex.await(word, v, timeout); flag = 0;
 * waker:  word += 1; if (flag != 0) Futex.wake(word);
 * }</pre>
 * Both sides use volatile accesses, so a waker either sees the flag or the waiter sees the new
 * word (and {@code futex} returns at once because the word is no longer {@code v}).
 *
 * <p><b>Safe for use by many threads at once</b>; every call is a plain system call.
 */
@SuppressWarnings("restricted") // native access is this class's purpose
public final class Futex {

    /** The pause of the fallback wait, so its longest delay: 200 µs. */
    public static final long FALLBACK_PARK_NANOS = 200_000;

    private static final long SYS_FUTEX = 202; // x86_64; aarch64 below
    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;

    private static final MethodHandle SYSCALL = link();

    private Futex() {
    }

    private static MethodHandle link() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            MemorySegment fn = linker.defaultLookup().find("syscall").orElse(null);
            if (fn == null) {
                return null;
            }
            // long syscall(long number, ...): futex(uaddr, op, val, timeout, uaddr2, val3)
            MethodHandle h = linker.downcallHandle(fn, FunctionDescriptor.of(JAVA_LONG, JAVA_LONG,
                    ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(1));
            MemorySegment probe = Arena.global().allocate(JAVA_INT);
            long r = (long) h.invokeExact(sysFutex(arch), probe, FUTEX_WAKE, 1, MemorySegment.NULL,
                    MemorySegment.NULL, 0);
            return r >= 0 ? h : null;
        } catch (Throwable t) { // no native access, no such symbol: park instead
            return null;
        }
    }

    private static long sysFutex(String arch) {
        return arch.equals("aarch64") ? 98 : SYS_FUTEX;
    }

    private static final long NUMBER = sysFutex(System.getProperty("os.arch", ""));

    /** {@return whether waits are woken directly (a futex), rather than by polling} */
    public static boolean direct() {
        return SYSCALL != null;
    }

    /**
     * Waits until the word at {@code offset} of {@code segment} is no longer {@code expected},
     * a wake-up, a spurious return, or {@code timeoutNanos}; callers check their condition again
     * after it returns, whatever the reason.
     *
     * @param segment a shared mapping
     * @param offset the offset of a 4-byte-aligned int in it
     * @param expected the value seen before deciding to wait
     * @param timeoutNanos the longest wait, positive
     */
    public static void await(MemorySegment segment, long offset, int expected, long timeoutNanos) {
        if (SYSCALL == null) {
            LockSupport.parkNanos(Math.min(timeoutNanos, FALLBACK_PARK_NANOS));
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = arena.allocate(16, 8);
            ts.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            ts.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            long unused = (long) SYSCALL.invokeExact(NUMBER, word(segment, offset), FUTEX_WAIT, expected,
                    ts, MemorySegment.NULL, 0);
        } catch (Throwable t) {
            LockSupport.parkNanos(Math.min(timeoutNanos, FALLBACK_PARK_NANOS));
        }
    }

    /**
     * The word's address as a segment of its own, not tied to the mapping's arena: a thread
     * asleep in the kernel must not keep the mapping from being closed (a wait on a word whose
     * mapping is gone sleeps until a wake-up of the same file or its timeout; a wake of it is
     * at worst a spurious wake-up, which every waiter tolerates).
     */
    private static MemorySegment word(MemorySegment segment, long offset) {
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("the mapping is closed");
        }
        java.util.Objects.checkFromIndexSize(offset, 4, segment.byteSize());
        return MemorySegment.ofAddress(segment.address() + offset);
    }

    /**
     * Wakes every thread of any process waiting on the word at {@code offset}.
     *
     * @param segment a shared mapping
     * @param offset the offset of a 4-byte-aligned int in it
     */
    public static void wake(MemorySegment segment, long offset) {
        if (SYSCALL == null) {
            return;
        }
        try {
            long unused = (long) SYSCALL.invokeExact(NUMBER, word(segment, offset), FUTEX_WAKE,
                    Integer.MAX_VALUE, MemorySegment.NULL, MemorySegment.NULL, 0);
        } catch (Throwable t) {
            // nothing to do: the waiter's timeout bounds its wait
        }
    }
}
