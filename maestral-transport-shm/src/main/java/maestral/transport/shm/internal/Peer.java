package maestral.transport.shm.internal;

import java.time.Instant;
import java.util.Optional;

/**
 * The process on the other side, watched through {@link ProcessHandle}: a handle remembers
 * its process's start time, so a pid reused by another process does not count as alive.
 *
 * @param handle the process, or {@code null} when it was gone already
 * @param pid its pid
 */
public record Peer(ProcessHandle handle, long pid) {

    /**
     * {@return the peer with that pid, as it is now}
     *
     * @param pid a process id
     * @param expectedStartMillis its start instant in epoch ms as it told us, or 0 when
     *     unknown; a process that started at another time is not the peer
     */
    public static Peer of(long pid, long expectedStartMillis) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        if (h.isEmpty()) {
            return new Peer(null, pid);
        }
        if (expectedStartMillis != 0) {
            long actual = startMillis(h.get());
            if (actual != 0 && Math.abs(actual - expectedStartMillis) > 1_000) {
                return new Peer(null, pid);
            }
        }
        return new Peer(h.get(), pid);
    }

    /** {@return whether the peer still runs} */
    public boolean alive() {
        return handle != null && handle.isAlive();
    }

    /**
     * {@return a process's start instant in epoch ms, 0 when unknown}
     *
     * @param h the process
     */
    public static long startMillis(ProcessHandle h) {
        if (h.pid() == SELF.pid()) {
            return SELF_START_MILLIS;
        }
        return h.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    private static final ProcessHandle SELF = ProcessHandle.current();
    /** This process's start instant, read once (reading it costs a walk through /proc). */
    private static final long SELF_START_MILLIS = SELF.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
}
