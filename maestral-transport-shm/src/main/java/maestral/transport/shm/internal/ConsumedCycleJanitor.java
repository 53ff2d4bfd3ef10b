package maestral.transport.shm.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the cycle files of a queue that its one reader has moved past. It hears of every
 * file the reader's process opens, and the reader tells it its cycle after each roll; a file
 * of an earlier cycle can no longer be written (its last appender wrote an end-of-file mark
 * before the next cycle existed) nor read, so it goes at once. The current file is never
 * deleted. On Linux and macOS a file still mapped elsewhere stays readable until unmapped.
 *
 * <p><b>Safe for use by many threads at once</b>: Chronicle may report files from its
 * background threads.
 */
public final class ConsumedCycleJanitor implements StoreFileListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumedCycleJanitor.class);

    private final ConcurrentSkipListMap<Integer, File> seen = new ConcurrentSkipListMap<>();
    private volatile int readerCycle = Integer.MIN_VALUE;

    /** Creates a janitor that knows no file yet. */
    public ConsumedCycleJanitor() {
    }

    @Override
    public void onAcquired(int cycle, File file) {
        seen.put(cycle, file);
    }

    @Override
    public void onReleased(int cycle, File file) {
        if (cycle < readerCycle) {
            delete(cycle, file);
        }
    }

    /**
     * Tells it where the reader is now and deletes every file of an earlier cycle.
     *
     * @param cycle the reader's current cycle
     * @return how many files it deleted
     */
    public int readerAt(int cycle) {
        if (cycle <= readerCycle) {
            return 0;
        }
        readerCycle = cycle;
        int deleted = 0;
        for (Map.Entry<Integer, File> e : seen.headMap(cycle).entrySet()) {
            if (delete(e.getKey(), e.getValue())) {
                deleted++;
            }
        }
        return deleted;
    }

    /** {@return how many cycle files it knows that are not deleted yet} */
    public int liveFiles() {
        return seen.size();
    }

    private boolean delete(int cycle, File file) {
        seen.remove(cycle, file);
        try {
            return Files.deleteIfExists(file.toPath());
        } catch (IOException e) {
            LOG.warn("could not delete consumed queue file {}: {}", file, e.toString());
            return false;
        }
    }
}
