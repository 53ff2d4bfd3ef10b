package maestral.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import maestral.sync.spi.RemoteSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A first sync of 10,000 small files (1 KiB each in 100 folders) from the remote finishes
 * with identical trees and shows its progress (files and bytes) in the status and its queued
 * transfers in the activity. Its time is
 * printed as a ratio to {@code cp -a} of the same tree on the same machine (the faster of two
 * runs); nothing asserts
 * on time.
 */
@Tag("slow")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FirstSyncTest {

    static final int FILES = 10_000;
    static final int FOLDERS = 100;

    @TempDir
    Path tmp;

    @Test
    void tenThousandSmallFiles() throws Exception {
        Path remoteDir = Files.createDirectories(tmp.resolve("remote"));
        Path local = Files.createDirectories(tmp.resolve("local"));
        Random random = new Random(42);
        byte[] content = new byte[1024];
        for (int i = 0; i < FILES; i++) {
            Path dir = remoteDir.resolve("folder-" + (i % FOLDERS));
            Files.createDirectories(dir);
            random.nextBytes(content);
            Files.write(dir.resolve("file-" + i + ".bin"), content);
        }

        // the faster of two runs of cp -a: its time varies most with the machine's other load
        long cpNanos = Math.min(copyWithCp(remoteDir, tmp.resolve("cp-copy-1")),
                copyWithCp(remoteDir, tmp.resolve("cp-copy-2")));

        Set<String> statuses = ConcurrentHashMap.newKeySet();
        Set<String> activity = ConcurrentHashMap.newKeySet();
        AtomicReference<SyncEngine> ref = new AtomicReference<>();
        try (RemoteSession remote = Backends.forTarget(remoteDir.toString()).open(remoteDir.toString());
             SyncEngine engine = new SyncEngine(new SyncEngine.Options(local, tmp.resolve("data/index.db"), remote,
                     Duration.ofSeconds(30), () -> {
                         SyncEngine e = ref.get();
                         if (e != null) {
                             statuses.add(e.status());
                             if (activity.size() < 50) {
                                 e.activity(3).forEach(a -> activity.add(a.status() + " " + a.direction() + " "
                                         + a.size()));
                             }
                         }
                     }))) {
            ref.set(engine);
            long start = System.nanoTime();
            engine.start();
            assertTrue(engine.awaitIdle(Duration.ofSeconds(240)), "first sync did not finish: " + engine.status());
            long syncNanos = System.nanoTime() - start;
            Map<String, String> localTree = Trees.of(local);
            assertEquals(FILES + FOLDERS, localTree.size());
            assertEquals(Trees.of(remoteDir), localTree);
            assertTrue(statuses.stream().anyMatch(s -> s.matches("Downloading \\d+/" + (FILES + FOLDERS)
                    + " files \\(.* MB/10 MB\\)\\.\\.\\.")), "progress in files and bytes: " + statuses.stream()
                    .limit(5).toList());
            assertTrue(activity.contains("queued down 1024"), "queued downloads in the activity: " + activity);
            String report = String.format(java.util.Locale.ROOT,
                    "First sync of %,d files of 1 KiB in %d folders: %.2f s; cp -a of the same tree (faster of two): %.2f s;"
                            + " ratio %.1f%n", FILES, FOLDERS, syncNanos / 1e9, cpNanos / 1e9,
                    (double) syncNanos / cpNanos);
            System.out.print(report);
            Files.writeString(Path.of("target", "first-sync.txt"), report);
        }
    }

    /** {@return the nanoseconds {@code cp -a} takes to copy the tree} */
    private static long copyWithCp(Path from, Path to) throws IOException, InterruptedException {
        long start = System.nanoTime();
        Process cp = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
        try {
            assertTrue(cp.waitFor(120, TimeUnit.SECONDS), "cp -a did not finish");
        } finally {
            cp.destroyForcibly(); // by its own handle; nothing when it has ended
        }
        long nanos = System.nanoTime() - start;
        assertEquals(0, cp.exitValue());
        return nanos;
    }
}
