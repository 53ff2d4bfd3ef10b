package maestral.transport.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import maestral.api.CommunicationError;
import maestral.api.Maestral;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MaestralDispatcher;
import maestral.api.spi.RemoteMaestral;
import maestral.api.spi.TransportClient;
import maestral.api.spi.TransportServer;
import maestral.transport.shm.internal.ControlFile;
import maestral.transport.shm.internal.ShmDescriptor;
import maestral.transport.shm.internal.ShmServer;
import maestral.transport.tck.ScriptedMaestral;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The transport across real process boundaries: clients and daemons in child JVMs. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MultiProcessTest {

    private static final Duration START = Duration.ofSeconds(30);

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

    private Endpoint endpoint(String config) {
        return new Endpoint(config, runtimeDir, runtimeDir.resolve(config + ".sock"));
    }

    private ChildJvm child(String... args) throws IOException {
        ChildJvm c = ChildJvm.start(runtimeDir.resolve("logs"), List.of(), args);
        toClose.add(c);
        return c;
    }

    private ShmServer serve(String config, ScriptedMaestral served) throws IOException {
        TransportServer s = provider.bind(endpoint(config), Handshake.server("shm", "test"),
                new MaestralDispatcher(served));
        toClose.add(s);
        return (ShmServer) s;
    }

    private TransportClient connect(String config) {
        TransportClient c = provider.connect(endpoint(config), Handshake.client("shm"), Duration.ofSeconds(20));
        toClose.add(c);
        return c;
    }

    private List<Path> sessionFolders(String config) throws IOException {
        try (Stream<Path> s = Files.list(runtimeDir.resolve("shm-" + config).resolve(ShmDescriptor.SESSIONS))) {
            return s.toList();
        }
    }

    /** {@return the folders of the sessions that process holds now, read in the control file} */
    private List<Path> sessionsOf(String config, long pid) throws IOException {
        Path folder = runtimeDir.resolve("shm-" + config);
        List<Path> held = new ArrayList<>();
        try (ControlFile control = ControlFile.open(folder.resolve(ShmDescriptor.CONTROL_FILE))) {
            for (int i = 0; i < ShmDescriptor.MAX_SESSIONS; i++) {
                if (ControlFile.claimant(control.slotState(i)) == pid) {
                    held.add(folder.resolve(ShmDescriptor.SESSIONS)
                            .resolve(ShmDescriptor.sessionFolder(i, control.incarnation(i))));
                }
            }
        }
        return held;
    }

    @Test
    void clientsInOtherJvmsEachGetTheirOwnAnswers() throws Exception {
        ScriptedMaestral served = new ScriptedMaestral("multi");
        ShmServer server = serve("multi", served);
        ChildJvm a = child("client", runtimeDir.toString(), "multi", "4", "1500");
        ChildJvm b = child("client", runtimeDir.toString(), "multi", "4", "1500");
        Maestral local = RemoteMaestral.over(connect("multi"), Duration.ofSeconds(20));
        for (int i = 0; i < 500; i++) {
            assertEquals("echo:/local/" + i, local.excludedStatus("/local/" + i));
        }
        assertEquals("OK 6000", a.awaitLine("OK", START));
        assertEquals("OK 6000", b.awaitLine("OK", START));
        assertEquals(0, a.finish(Duration.ofSeconds(20)), a.stderr());
        assertEquals(0, b.finish(Duration.ofSeconds(20)), b.stderr());
        waitUntil(() -> server.sessionCount() == 1, Duration.ofSeconds(5));
        assertEquals(List.of(), sessionsOf("multi", a.pid()), "the children gave their sessions back");
        assertEquals(List.of(), sessionsOf("multi", b.pid()));
        assertTrue(sessionFolders("multi").size() <= 3 + ShmDescriptor.SPARE_SESSIONS,
                "sessions given back are reused, not piled up: " + sessionFolders("multi"));
    }

    @Test
    void killingAClientMidCallFreesWhatTheDaemonHeldForIt() throws Exception {
        ScriptedMaestral served = new ScriptedMaestral("kill");
        ShmServer server = serve("kill", served);
        Maestral local = RemoteMaestral.over(connect("kill"), Duration.ofSeconds(20));
        ChildJvm victim = child("blocking-client", runtimeDir.toString(), "kill", "2500");
        victim.awaitLine("CALLING", START);
        waitUntil(() -> served.blockedNow() == 1, Duration.ofSeconds(20));
        assertEquals(2, server.sessionCount());
        List<Path> victims = sessionsOf("kill", victim.pid());
        assertEquals(1, victims.size());
        assertTrue(Files.isDirectory(victims.getFirst()));

        long killedAt = System.nanoTime();
        victim.kill();
        waitUntil(() -> server.sessionCount() == 1 && !Files.exists(victims.getFirst()), Duration.ofSeconds(3));
        assertTrue(System.nanoTime() - killedAt < Duration.ofSeconds(2).toNanos(),
                "the dead client's session and queues were freed late");
        assertEquals(List.of(), sessionsOf("kill", victim.pid()));
        for (int i = 0; i < 100; i++) {
            assertEquals("echo:/after/" + i, local.excludedStatus("/after/" + i));
        }
        waitUntil(() -> served.blockedNow() == 0, Duration.ofSeconds(10));
        assertEquals("Up to date", local.status(), "the answer to the dead client went nowhere");
        assertFalse(Files.exists(victims.getFirst()), "the late answer brought no queue back");
    }

    @Test
    void aKilledDaemonFailsPendingAndNewCallsWithinASecond() throws Exception {
        ChildJvm daemon = child("server", runtimeDir.toString(), "victim");
        daemon.awaitLine("READY", START);
        TransportClient client = connect("victim");
        Maestral remote = RemoteMaestral.over(client, Duration.ofSeconds(30));
        assertEquals("Up to date", remote.status());
        assertEquals(daemon.pid(), client.serverHello().pid());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> pending = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                pending.add(pool.submit(() -> remote.getFileStatus("/block/20000")));
            }
            Thread.sleep(300);
            long killedAt = System.nanoTime();
            daemon.kill();
            for (Future<String> f : pending) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(3, TimeUnit.SECONDS));
                assertInstanceOf(CommunicationError.class, e.getCause());
            }
            long took = System.nanoTime() - killedAt;
            assertTrue(took < Duration.ofSeconds(1).toNanos(), "pending calls failed after " + took / 1_000_000 + " ms");
        }
        assertThrows(CommunicationError.class, remote::status);
        assertFalse(client.isOpen());

        // the next daemon of the configuration removes what the dead one left, and serves
        ScriptedMaestral served = new ScriptedMaestral("victim");
        serve("victim", served);
        assertEquals("echo:/again", RemoteMaestral.over(connect("victim"), Duration.ofSeconds(20))
                .excludedStatus("/again"));
    }

    @Test
    void connectingToADeadDaemonsFilesFailsAtOnce() throws Exception {
        ChildJvm daemon = child("server", runtimeDir.toString(), "stale");
        daemon.awaitLine("READY", START);
        daemon.kill();
        long start = System.nanoTime();
        CommunicationError e = assertThrows(CommunicationError.class, () -> provider
                .connect(endpoint("stale"), Handshake.client("shm"), Duration.ofSeconds(10)).close());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "waited for a dead daemon");
        assertTrue(e.getMessage().contains("not running"), e.getMessage());
    }

    @Test
    void aJvmWithoutTheOptionsIsToldWhichToAdd() throws Exception {
        ChildJvm bare = ChildJvm.start(runtimeDir.resolve("logs"), List.of(), List.of(), "availability");
        toClose.add(bare);
        String line = bare.awaitLine("AVAILABILITY", START);
        assertTrue(line.startsWith("AVAILABILITY false ") && line.contains("--add-"), line);
    }

    static void waitUntil(java.util.function.BooleanSupplier condition, Duration deadline)
            throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + deadline);
            }
            Thread.sleep(5);
        }
    }
}
