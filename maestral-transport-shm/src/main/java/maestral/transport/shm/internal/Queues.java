package maestral.transport.shm.internal;

import java.nio.file.Path;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

/**
 * Opens the Chronicle queues of this transport, all alike: binary, a small block size,
 * {@link ShmRollCycle#SECONDLY}, and a one-second timeout for a lock or an unfinished
 * message left by a process that died while writing.
 */
public final class Queues {

    /** How long Chronicle waits for a dead writer's lock or half-written message, in ms. */
    public static final long TIMEOUT_MS = 1_000;

    private Queues() {
    }

    /**
     * {@return an open queue}
     *
     * @param dir the queue's folder, created when missing
     * @param settings the block size
     * @param listener told of every cycle file opened and released, or {@code null}
     * @throws java.io.UncheckedIOException when the files cannot be mapped, such as in a full
     *     folder: a page of a mapped file that cannot be backed faults, and the JVM reports
     *     that as an {@link InternalError}, which this turns into a clear error
     */
    public static ChronicleQueue open(Path dir, ShmSettings settings, StoreFileListener listener) {
        ChronicleSupport.prepare();
        SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(dir.toFile())
                .blockSize(settings.blockSize())
                .rollCycle(ShmRollCycle.SECONDLY)
                .epoch(ShmRollCycle.EPOCH_MILLIS)
                .timeoutMS(TIMEOUT_MS);
        if (listener != null) {
            builder.storeFileListener(listener);
        }
        try {
            return builder.build();
        } catch (InternalError e) {
            throw new java.io.UncheckedIOException(new java.io.IOException("cannot map the queue files in " + dir
                    + ": the folder is full or its files cannot grow (" + e.getMessage() + ")", e));
        }
    }
}
