package maestral.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** maestral's lock tests, and the lock's file and naming rules. */
class LockTest {

    private static final long OWN_PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    /** maestral's first lock test, one thread: not re-entrant. */
    @Test
    void sameThread() {
        Lock lock = Lock.singleton("same-thread", dir);

        assertTrue(lock.acquire());
        assertTrue(lock.locked());
        assertFalse(lock.acquire(), "the lock must not be re-entrant");
        assertTrue(lock.locked());
        assertEquals(OptionalLong.of(OWN_PID), lock.lockingPid());

        lock.release();
        assertFalse(lock.locked());
        assertEquals(OptionalLong.empty(), lock.lockingPid());
        assertThrows(IllegalStateException.class, lock::release);
        assertFalse(lock.locked());
        assertEquals(OptionalLong.empty(), lock.lockingPid());

        // it can be taken again, and the file stays
        assertTrue(lock.acquire());
        lock.release();
        assertTrue(Files.isRegularFile(dir.resolve("same-thread.lock")));
    }

    /** maestral's second lock test, two threads: any thread of the holder may release. */
    @Test
    void otherThread() {
        Lock lock = Lock.singleton("other-thread", dir);
        try (ThreadActor other = new ThreadActor("other", lock)) {
            assertTrue(other.acquire());

            assertTrue(lock.locked());
            assertFalse(lock.acquire(), "another thread of this process holds it");
            assertEquals(OptionalLong.of(OWN_PID), lock.lockingPid());
            assertTrue(other.locked());
            assertFalse(other.acquire(), "the holding thread cannot take it again");

            lock.release(); // this thread releases what the other thread took
            assertFalse(lock.locked());
            assertFalse(other.locked());
            assertEquals(OptionalLong.empty(), lock.lockingPid());
            assertThrows(IllegalStateException.class, lock::release);
            assertFalse(other.release(), "a second release in the other thread must throw too");

            assertTrue(other.acquire(), "the other thread can take it again");
            assertTrue(other.release());
        }
    }

    /**
     * maestral's third lock test, two processes: a child holds it; the parent cannot take or release
     * it and sees the child's pid; once the child is SIGKILLed, the lock is free at once.
     */
    @Test
    void otherProcess() {
        Lock lock = Lock.singleton("other-process", dir);
        try (AgentProcess child = AgentProcess.start("child", dir, "other-process", dir.resolve("logs"))) {
            assertTrue(child.acquire());
            assertTrue(child.holds());

            assertTrue(lock.locked());
            assertFalse(lock.acquire());
            assertEquals(OptionalLong.of(child.pid()), lock.lockingPid());
            assertKernelAnswersAgree(dir.resolve("other-process.lock"), child.pid());
            IllegalStateException e = assertThrows(IllegalStateException.class, lock::release);
            assertTrue(e.getMessage().contains(Long.toString(child.pid())),
                    "the message should name the holder: " + e.getMessage());
            // the failed release changed nothing
            assertTrue(child.holds(), "the child must still hold it");
            assertTrue(child.locked());
            assertEquals(OptionalLong.of(child.pid()), child.lockingPid());
            assertTrue(lock.locked());
            assertFalse(lock.acquire());
            assertEquals(OptionalLong.of(child.pid()), lock.lockingPid());

            child.kill(); // SIGKILL, waited for with a deadline
            // no waiting: the kernel dropped the lock with the process
            assertFalse(lock.locked());
            assertEquals(OptionalLong.empty(), lock.lockingPid());
            assertTrue(lock.acquire());
            assertEquals(OptionalLong.of(OWN_PID), lock.lockingPid());
            lock.release();
            assertTrue(Files.isRegularFile(dir.resolve("other-process.lock")), "nothing deletes the lock file");
        }
    }

    /**
     * A holder is named on every probe while this process takes and drops locks on 300 other
     * files: Linux's lock table, read a page at a time, can skip a line meanwhile, and a probe
     * must not then say "nobody". How often the bare table missed is printed.
     */
    @Test
    void aHolderIsNamedOnEveryProbeWhileOtherLocksComeAndGo() throws Exception {
        Lock lock = Lock.singleton("amid-churn", dir);
        try (AgentProcess child = AgentProcess.start("child", dir, "amid-churn", dir.resolve("logs"))) {
            assertTrue(child.acquire());
            AtomicBoolean stop = new AtomicBoolean();
            Thread churn = Thread.ofPlatform().name("lock-churn").start(() -> churn(dir.resolve("churn"), stop));
            int probes = 0;
            int tableMissed = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            try {
                while (System.nanoTime() < end) {
                    assertEquals(OptionalLong.of(child.pid()), lock.lockingPid(), "probe " + probes);
                    if (maestral.lock.internal.ProcLocks.holder(dir.resolve("amid-churn.lock"), OWN_PID)
                            .orElse(child.pid()) != child.pid()) {
                        tableMissed++;
                    }
                    probes++;
                }
            } finally {
                stop.set(true);
                churn.join(TimeUnit.SECONDS.toMillis(10));
            }
            assertFalse(churn.isAlive(), "the churning thread stopped");
            System.out.println("FIGURE LockTest#amidChurn probes=" + probes + " tableMissedTheHolder=" + tableMissed);
        }
    }

    /** Takes and drops POSIX locks (Java's file locks are {@code fcntl} locks) on 300 files. */
    private static void churn(Path folder, AtomicBoolean stop) {
        try {
            Files.createDirectories(folder);
            java.util.List<java.nio.channels.FileChannel> files = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 300; i++) {
                    files.add(java.nio.channels.FileChannel.open(folder.resolve("f" + i),
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE));
                }
                java.util.List<java.nio.channels.FileLock> held = new java.util.ArrayList<>();
                while (!stop.get()) {
                    for (java.nio.channels.FileChannel f : files) {
                        held.add(f.lock());
                    }
                    for (java.nio.channels.FileLock l : held) {
                        l.release();
                    }
                    held.clear();
                }
            } finally {
                for (java.nio.channels.FileChannel f : files) {
                    f.close();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Linux's lock table and {@code fcntl(F_GETLK)} name the same holder. */
    private static void assertKernelAnswersAgree(java.nio.file.Path file, long holder) {
        OptionalLong fromTable = maestral.lock.internal.ProcLocks.holder(file, OWN_PID);
        org.junit.jupiter.api.Assumptions.assumeTrue(fromTable.isPresent(), "no /proc/locks here");
        try {
            int fd = maestral.lock.internal.Posix.openReadWriteCreate(file, 0600);
            try {
                assertEquals(holder, maestral.lock.internal.Posix.lockHolder(fd));
            } finally {
                maestral.lock.internal.Posix.close(fd); // this process holds no lock on it
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(holder, fromTable.getAsLong());
    }

    /** The mirror image: the parent holds it, a child sees the parent and cannot take or release it. */
    @Test
    void childSeesTheParent() {
        Lock lock = Lock.singleton("child-sees-parent", dir);
        try (AgentProcess child = AgentProcess.start("child", dir, "child-sees-parent", dir.resolve("logs"))) {
            child.awaitReady();
            assertFalse(child.locked());
            assertEquals(OptionalLong.empty(), child.lockingPid());

            assertTrue(lock.acquire());
            // probing in the holding process opens and closes nothing, so it never drops the lock
            for (int i = 0; i < 100; i++) {
                assertTrue(lock.locked());
                assertEquals(OptionalLong.of(OWN_PID), lock.lockingPid());
            }
            assertTrue(child.locked());
            assertEquals(OptionalLong.of(OWN_PID), child.lockingPid());
            assertFalse(child.acquire());
            assertFalse(child.release(), "a child that does not hold it must get IllegalStateException");
            assertTrue(lock.locked());
            assertTrue(lock.holdsCurrentFile(), "the failed release in the child changed nothing");
            assertEquals(OptionalLong.of(OWN_PID), child.lockingPid());

            lock.release();
            assertFalse(child.locked());
            assertEquals(OptionalLong.empty(), child.lockingPid());
            assertTrue(child.acquire());
            assertEquals(OptionalLong.of(child.pid()), lock.lockingPid());
            assertTrue(child.release());
            assertFalse(lock.locked());
            assertEquals("bye", child.call("exit"));
        }
    }

    @Test
    void singletonIsOneInstancePerFile() throws IOException {
        Lock lock = Lock.singleton("one", dir);
        assertSame(lock, Lock.singleton("one", dir));
        assertEquals(dir.toRealPath().resolve("one.lock"), lock.path());

        Path sub = Files.createDirectory(dir.resolve("sub"));
        assertSame(lock, Lock.singleton("one", sub.resolve("..")), "a path with ..");
        assertSame(lock, Lock.singleton("one", dir.resolve(".")), "a path with .");
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir);
        assertSame(lock, Lock.singleton("one", link), "a symbolic link to the folder");
        Path relative = Path.of("").toAbsolutePath().relativize(dir.toAbsolutePath());
        assertSame(lock, Lock.singleton("one", relative), "a relative path");

        assertNotSame(lock, Lock.singleton("two", dir));
        assertNotSame(lock, Lock.singleton("one", sub));
        assertEquals(sub.toRealPath().resolve("one.lock"), Lock.singleton("one", sub).path());

        // one instance per file also means one lock: the other instance sees it held here
        assertTrue(lock.acquire());
        assertTrue(Lock.singleton("one", link).locked());
        assertFalse(Lock.singleton("one", link).acquire());
        Lock.singleton("one", sub.resolve("..")).release();
        assertFalse(lock.locked());
    }

    @Test
    void defaultFolderIsTheTemporaryFolder() throws IOException {
        String name = "maestral-lock-test-" + OWN_PID;
        Lock lock = Lock.singleton(name);
        assertSame(lock, Lock.singleton(name, null));
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")).toRealPath().resolve(name + ".lock"),
                lock.path());
        assertSame(lock, Lock.singleton(name, Path.of(System.getProperty("java.io.tmpdir"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "a/b", "../a", "/abs", "a/", ".", "..", "a\0b"})
    void badNamesAreRejected(String name) {
        assertThrows(IllegalArgumentException.class, () -> Lock.singleton(name, dir));
        assertThrows(IllegalArgumentException.class, () -> Lock.singleton(name));
    }

    @Test
    void nullNameIsRejected() {
        assertThrows(NullPointerException.class, () -> Lock.singleton(null, dir));
    }

    @Test
    void missingFolderIsCreated() throws IOException {
        Path folder = dir.resolve("a").resolve("b");
        Lock lock = Lock.singleton("created", folder);
        assertTrue(Files.isDirectory(folder));
        assertEquals("rwx------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(folder, LinkOption.NOFOLLOW_LINKS)));
        assertEquals(folder.toRealPath().resolve("created.lock"), lock.path());

        assertTrue(lock.acquire());
        assertTrue(Files.isRegularFile(folder.resolve("created.lock")));
        lock.release();
        assertTrue(Files.isRegularFile(folder.resolve("created.lock")), "nothing deletes the lock file");
    }

    /**
     * Nothing should delete a lock file, but a temp cleaner or a user may. While its file keeps
     * vanishing, acquire() may fail with UncheckedIOException (after many attempts), but nothing
     * else, and locked() and lockingPid() never fail; afterwards it works normally on the current
     * file, also as seen from another process. (A lock whose first open raced with a deletion
     * used to keep a descriptor without a file key and throw NullPointerException ever after.)
     */
    @Test
    void survivesItsFileBeingDeletedBehindItsBack() throws Exception {
        int rounds = 100;
        int otherFailures = 0;
        StringBuilder failures = new StringBuilder();
        for (int round = 0; round < rounds; round++) {
            // a fresh instance each round: its very first open races with the deleter
            Lock lock = Lock.singleton("deleted-" + round, dir);
            Path file = lock.path();
            AtomicBoolean stop = new AtomicBoolean();
            Thread deleter = Thread.ofPlatform().daemon().start(() -> {
                while (!stop.get()) {
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        // try again
                    }
                }
            });
            try {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
                while (System.nanoTime() - end < 0) {
                    try {
                        try {
                            if (lock.acquire()) {
                                lock.release();
                            }
                        } catch (UncheckedIOException e) {
                            // tolerated while the file keeps vanishing
                        }
                        lock.locked();
                        lock.lockingPid();
                    } catch (RuntimeException e) {
                        otherFailures++;
                        failures.append("\n").append(round).append(": ").append(e);
                    }
                }
            } finally {
                stop.set(true);
                deleter.join(TimeUnit.SECONDS.toMillis(10));
                assertFalse(deleter.isAlive(), "the deleter did not stop");
            }
            // once nobody deletes it any more, the lock works normally
            assertFalse(lock.locked(), "round " + round + failures);
            assertEquals(OptionalLong.empty(), lock.lockingPid(), "round " + round + failures);
            assertTrue(lock.acquire(), "round " + round + failures);
            assertTrue(lock.holdsCurrentFile(), "round " + round + failures);
            lock.release();
        }
        assertEquals(0, otherFailures, "failures other than UncheckedIOException:" + failures);

        // and another process agrees with the last one
        Lock lock = Lock.singleton("deleted-" + (rounds - 1), dir);
        try (AgentProcess child = AgentProcess.start("child", dir, "deleted-" + (rounds - 1), dir.resolve("logs"))) {
            assertTrue(lock.acquire());
            assertEquals(OptionalLong.of(OWN_PID), child.lockingPid());
            assertFalse(child.acquire());
            lock.release();
            assertTrue(child.acquire());
            assertEquals(OptionalLong.of(child.pid()), lock.lockingPid());
            assertFalse(lock.acquire());
        }
    }

    @Test
    void aFolderThatIsAFileIsAnError() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "not a folder");
        assertThrows(UncheckedIOException.class, () -> Lock.singleton("x", file));
    }
}
