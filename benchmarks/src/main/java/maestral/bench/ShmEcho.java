package maestral.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import static maestral.bench.ShmPingPongDescriptor.*;

/**
 * The far side of the raw shared-memory floor: spins on the request sequence of a
 * {@link ShmPingPongDescriptor} file with {@link Thread#onSpinWait()}, copies each message to
 * the reply slot and publishes it. After 100 ms without a request it parks 50 µs between
 * looks, so that it does not burn a core while nothing is measured; a measured loop never
 * lets it get there. Run as a child JVM by {@link RawShmBenchmark}; argument: the file.
 */
public final class ShmEcho {

    private static final long IDLE_BEFORE_PARKING = 100_000_000L;

    private ShmEcho() {
    }

    /**
     * Echoes until the parent closes standard input.
     *
     * @param args the mapped file
     * @throws IOException when the file cannot be mapped
     */
    public static void main(String[] args) throws IOException {
        ChildJvm.exitWithParent();
        MemorySegment shm = map(Path.of(args[0]), Arena.global());
        long last = getAcquire(shm, REQUEST_SEQUENCE);
        ChildJvm.ready(args[0]);
        long lastActivity = System.nanoTime();
        boolean served = false;
        int spins = 0;
        while (true) {
            long seq = getAcquire(shm, REQUEST_SEQUENCE);
            if (seq != last) {
                MemorySegment.copy(shm, REQUEST_MESSAGE, shm, REPLY_MESSAGE, MESSAGE);
                setRelease(shm, REPLY_SEQUENCE, seq);
                last = seq;
                served = true;
            } else if (++spins < 1024) {
                Thread.onSpinWait();
            } else {
                spins = 0;
                long now = System.nanoTime();
                if (served) {
                    lastActivity = now;
                    served = false;
                } else if (now - lastActivity > IDLE_BEFORE_PARKING) {
                    LockSupport.parkNanos(50_000);
                }
            }
        }
    }
}
