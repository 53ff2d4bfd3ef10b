package maestral.transport.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import maestral.api.BadInputError;
import maestral.api.CommunicationError;
import maestral.api.Maestral;
import maestral.api.MaestralApiError;
import maestral.api.spi.CallDispatcher;
import maestral.api.spi.CallResult;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MaestralDispatcher;
import maestral.api.spi.MaestralMethods;
import maestral.api.spi.MethodCall;
import maestral.api.spi.RemoteMaestral;
import maestral.api.spi.TransportClient;
import maestral.api.spi.TransportServer;
import maestral.transport.shm.internal.Queues;
import maestral.transport.shm.internal.ShmDescriptor;
import maestral.transport.shm.internal.ShmSettings;
import maestral.transport.tck.ScriptedMaestral;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the conformance suite does not cover: files, stale state, bad frames, disk, many clients. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmServerTest {

    @TempDir
    Path runtimeDir;

    private final ShmTransportProvider provider = new ShmTransportProvider();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private Endpoint endpoint() {
        return new Endpoint("cfg", runtimeDir, runtimeDir.resolve("cfg.sock"));
    }

    private Path folder() {
        return runtimeDir.resolve("shm-cfg");
    }

    private TransportServer serve(CallDispatcher dispatcher) throws IOException {
        TransportServer s = provider.bind(endpoint(), Handshake.server("shm", "test"), dispatcher);
        toClose.add(s);
        return s;
    }

    private TransportClient connect() {
        TransportClient c = provider.connect(endpoint(), Handshake.client("shm"), Duration.ofSeconds(10));
        toClose.add(c);
        return c;
    }

    @Test
    void theFolderIsPrivateAndGoesAwayWithTheServer() throws Exception {
        TransportServer server = serve(new MaestralDispatcher(new ScriptedMaestral("cfg")));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder())));
        assertTrue(server.files().contains(folder()));
        for (Path f : server.files()) {
            assertTrue(Files.exists(f), f.toString());
        }
        TransportClient client = connect();
        assertEquals("Up to date", RemoteMaestral.over(client, Duration.ofSeconds(5)).status());
        server.close();
        assertFalse(Files.exists(folder()));
        CommunicationError e = assertThrows(CommunicationError.class,
                () -> RemoteMaestral.over(client, Duration.ofSeconds(5)).status());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        client.close();
        assertFalse(Files.exists(folder()), "closing the client brought nothing back");
    }

    @Test
    void staleFilesOfAPreviousDaemonAreRemovedAtBind() throws Exception {
        Path stale = folder().resolve(ShmDescriptor.SESSIONS).resolve(ShmDescriptor.sessionFolder(7, 3));
        Files.createDirectories(stale.resolve(ShmDescriptor.REQUESTS));
        Files.writeString(stale.resolve(ShmDescriptor.REQUESTS).resolve("junk.cq4"), "junk");
        Files.writeString(folder().resolve(ShmDescriptor.CONTROL_FILE), "not a control file");
        serve(new MaestralDispatcher(new ScriptedMaestral("cfg")));
        assertFalse(Files.exists(stale));
        assertEquals("Up to date", RemoteMaestral.over(connect(), Duration.ofSeconds(5)).status());
    }

    @Test
    void malformedRecordsAreDroppedAndTheDaemonServesOn() throws Exception {
        serve(new MaestralDispatcher(new ScriptedMaestral("cfg")));
        Maestral remote = RemoteMaestral.over(connect(), Duration.ofSeconds(5));
        assertEquals("Up to date", remote.status());
        Path session = sessionFolders().getFirst(); // the one in use, or a ready one: the daemon reads both
        try (ChronicleQueue q = Queues.open(session.resolve(ShmDescriptor.REQUESTS), ShmSettings.fromSystemProperties(), null);
             ExcerptAppender a = q.createAppender()) {
            byte[][] junk = {
                {}, {1, 2, 3}, new byte[24], "definitely not a frame, but long enough".getBytes(),
            };
            for (byte[] j : junk) {
                try (DocumentContext dc = a.writingDocument()) {
                    dc.wire().bytes().write(j);
                }
            }
            for (int type : new int[] {ShmDescriptor.CALL, ShmDescriptor.HELLO, ShmDescriptor.FRAGMENT, 99}) {
                try (DocumentContext dc = a.writingDocument()) { // a good header, a bad body, an unknown session
                    dc.wire().bytes().writeInt(ShmDescriptor.FRAME_MAGIC).writeInt(type).writeLong(42)
                            .writeLong(7).writeByte((byte) 0xFF).writeLong(-1);
                }
            }
        }
        for (int i = 0; i < 20; i++) {
            assertEquals("echo:/" + i, remote.excludedStatus("/" + i));
        }
        for (int i = 0; i < 3; i++) { // every session still admits clients, the junk-fed one too
            try (TransportClient more = provider.connect(endpoint(), Handshake.client("shm"), Duration.ofSeconds(10))) {
                assertEquals("Up to date", RemoteMaestral.over(more, Duration.ofSeconds(5)).status());
            }
        }
    }

    private List<Path> sessionFolders() throws IOException {
        try (Stream<Path> s = Files.list(folder().resolve(ShmDescriptor.SESSIONS))) {
            return s.sorted().toList();
        }
    }

    @Test
    void anUnsendableResultOrArgumentBecomesBadInputError() throws Exception {
        int status = MaestralMethods.id("status");
        serve(call -> call.methodId() == status ? new CallResult.Returned(new Object())
                : new CallResult.Returned("fine"));
        TransportClient client = connect();
        MaestralApiError e = assertThrows(MaestralApiError.class,
                () -> client.call(new MethodCall(status, new Object[0]), Duration.ofSeconds(5).toNanos()).valueOrThrow());
        assertSame(BadInputError.class, e.getClass());
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
        int version = MaestralMethods.id("version");
        MaestralApiError e2 = assertThrows(MaestralApiError.class, () -> client.call(
                new MethodCall(version, new Object[] {Path.of("/")}), Duration.ofSeconds(5).toNanos()).valueOrThrow());
        assertSame(BadInputError.class, e2.getClass());
        assertEquals("fine", client.call(new MethodCall(version, new Object[0]), Duration.ofSeconds(5).toNanos())
                .valueOrThrow());
    }

    @Test
    void manyClientsWithManyThreadsEachGetTheirOwnAnswers() throws Exception {
        serve(new MaestralDispatcher(new ScriptedMaestral("cfg")));
        List<Maestral> remotes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            remotes.add(RemoteMaestral.over(connect(), Duration.ofSeconds(20)));
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(12)) {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                Maestral remote = remotes.get(t % remotes.size());
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 400; i++) {
                        String p = "/t" + thread + "/" + i;
                        assertEquals("echo:" + p, remote.excludedStatus(p));
                    }
                    return 400;
                }));
            }
            for (Future<Integer> f : done) {
                assertEquals(400, f.get(40, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void diskUseStaysBoundedUnderSustainedLoad() throws Exception {
        serve(new MaestralDispatcher(new ScriptedMaestral("cfg")));
        Maestral remote = RemoteMaestral.over(connect(), Duration.ofSeconds(10));
        String payload = "p".repeat(1000);
        long end = System.nanoTime() + Duration.ofMillis(4500).toNanos();
        long maxBytes = 0;
        int maxFiles = 0;
        long calls = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 200; i++) {
                remote.excludedStatus(payload);
                calls++;
            }
            long[] use = diskUse(folder());
            maxBytes = Math.max(maxBytes, use[0]);
            maxFiles = Math.max(maxFiles, (int) use[1]);
        }
        long bytesPerSecond = calls * 2 * 1100 / 4;
        System.out.printf("disk: %d calls of 1 KB each way in 4.5 s; at most %d cycle files, %.1f MiB "
                + "(apparent file sizes) in the folder%n", calls, maxFiles, maxBytes / 1048576.0);
        assertTrue(maxFiles <= 6, "old cycles are deleted: at most " + maxFiles + " cycle files");
        assertTrue(maxBytes < 3 * bytesPerSecond + (16L << 20), "bounded: " + maxBytes);
        assertNotNull(remote.status());
    }

    private static long[] diskUse(Path root) throws IOException {
        long bytes = 0;
        long cycles = 0;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                try {
                    Object blocks = Files.getAttribute(p, "unix:size");
                    bytes += ((Number) blocks).longValue();
                    if (p.getFileName().toString().endsWith(".cq4")) {
                        cycles++;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // deleted meanwhile
                }
            }
        } catch (java.io.UncheckedIOException e) {
            // a file vanished while walking: count what was seen
        }
        return new long[] {bytes, cycles};
    }

    @Test
    void closingLeavesNoThreadBehind() throws Exception {
        ScriptedMaestral served = new ScriptedMaestral("cfg");
        TransportServer server = provider.bind(endpoint(), Handshake.server("shm", "test"),
                new MaestralDispatcher(served));
        TransportClient client = provider.connect(endpoint(), Handshake.client("shm"), Duration.ofSeconds(10));
        Maestral remote = RemoteMaestral.over(client, Duration.ofSeconds(10));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            pool.submit(() -> remote.getFileStatus("/block/20000"));
            pool.submit(() -> remote.statusChangeLongpoll(20.0));
            MultiProcessTest.waitUntil(() -> served.blockedNow() == 1, Duration.ofSeconds(10));
            assertEquals("Up to date", remote.status());
            assertTrue(shmThreads().size() >= 4, "readers handed off: " + shmThreads());
            client.close();
            server.close();
        }
        MultiProcessTest.waitUntil(() -> shmThreads().isEmpty(), Duration.ofSeconds(5));
        assertFalse(Files.exists(folder()));
    }

    private static List<String> shmThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("maestral-shm-cfg")).toList();
    }

    @Test
    void aDaemonThatStopsAnsweringGivesEachCallItsOwnDeadline() throws Exception {
        AtomicLong calls = new AtomicLong();
        serve(call -> {
            calls.incrementAndGet();
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new CallResult.Returned("late");
        });
        TransportClient client = connect();
        int id = MaestralMethods.id("status");
        long start = System.nanoTime();
        assertThrows(maestral.api.CallTimeoutError.class,
                () -> client.call(new MethodCall(id, new Object[0]), Duration.ofMillis(200).toNanos()));
        long took = System.nanoTime() - start;
        assertTrue(took < Duration.ofMillis(500).toNanos(), "deadline overshot: " + took / 1_000_000 + " ms");
        assertTrue(client.isOpen());
    }
}
