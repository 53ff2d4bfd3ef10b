package maestral.transport.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import maestral.api.CallTimeoutError;
import maestral.api.CommunicationError;
import maestral.api.Maestral;
import maestral.api.MaestralApiError;
import maestral.api.NotLinkedError;
import maestral.api.spi.Availability;
import maestral.api.spi.ErrorClasses;
import maestral.api.spi.FrameLimit;
import maestral.api.spi.Handshake;
import maestral.api.spi.MaestralDispatcher;
import maestral.api.spi.MaestralMethods;
import maestral.api.spi.MethodCall;
import maestral.api.spi.RemoteError;
import maestral.api.spi.RemoteMaestral;
import maestral.api.spi.RemoteStackTrace;
import maestral.api.spi.TransportClient;
import maestral.api.spi.TransportProvider;
import maestral.api.spi.TransportServer;
import maestral.api.spi.Endpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every transport keeps, run against one {@link TransportProvider}: extend it,
 * implement {@link #provider()}, and run it with the transport's tests. The server runs in
 * the test's JVM and serves a {@link ScriptedMaestral}; the client talks to it through the
 * transport as a proxy would.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportConformanceSuite {

    /** The deadline of a call that should answer at once. */
    protected static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    /** How long "promptly" may be when a call must fail because the server went away. */
    protected static final Duration PROMPTLY = Duration.ofSeconds(3);

    /** Creates the suite; JUnit calls it for each test. */
    protected TransportConformanceSuite() {
    }

    @TempDir
    Path runtimeDir;

    /** The served object of the current test. */
    protected ScriptedMaestral served;
    /** The endpoint of the current test. */
    protected Endpoint endpoint;
    /** The server of the current test. */
    protected TransportServer server;
    /** The client of the current test. */
    protected TransportClient client;
    /** The client as a {@code Maestral}. */
    protected Maestral remote;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private ExecutorService pool;

    /** {@return the transport under test} */
    protected abstract TransportProvider provider();

    /**
     * Makes the server disappear as abruptly as the transport allows while calls are in
     * flight. By default it closes the server.
     *
     * @param server the server to kill
     */
    protected void killServer(TransportServer server) {
        server.close();
    }

    /**
     * Binds a server and connects a client.
     *
     * @throws IOException when the server cannot bind
     */
    @BeforeEach
    protected void bindAndConnect() throws IOException {
        Availability availability = provider().availability();
        org.junit.jupiter.api.Assumptions.assumeTrue(availability.supported(), availability.reason());
        served = new ScriptedMaestral("tck");
        endpoint = new Endpoint("tck", runtimeDir, runtimeDir.resolve("tck.sock"));
        server = provider().bind(endpoint, Handshake.server(provider().id(), "instance-1"),
                new MaestralDispatcher(served));
        toClose.add(server);
        client = connect();
        remote = RemoteMaestral.over(client, CALL_TIMEOUT);
        pool = Executors.newVirtualThreadPerTaskExecutor();
    }

    /**
     * Closes what the test opened and checks that the endpoint files are gone.
     *
     * @throws Exception when closing fails
     */
    @AfterEach
    protected void closeAll() throws Exception {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), "test threads did not end");
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        for (Path f : server.files()) {
            assertFalse(Files.exists(f), "server left " + f + " behind after close");
        }
    }

    /**
     * {@return a new client of the current server, closed after the test}
     */
    protected TransportClient connect() {
        TransportClient c = provider().connect(endpoint, Handshake.client(provider().id()),
                Duration.ofSeconds(10));
        toClose.add(c);
        return c;
    }

    private <T> Future<T> inBackground(java.util.concurrent.Callable<T> task) {
        return pool.submit(task);
    }

    // ---- the provider -------------------------------------------------------------------

    @Test
    void providerHasAStableIdAndDeclaresItsOptions() {
        assertTrue(provider().id().matches("[a-z][a-z0-9-]*"), "id: " + provider().id());
        assertNotNull(provider().jvmOptions());
        assertEquals(provider().id(), server.transportId());
        assertFalse(server.address().isBlank());
    }

    // ---- the handshake ------------------------------------------------------------------

    @Test
    void handshakeCarriesTheServersIdentity() {
        Handshake hello = client.serverHello();
        assertEquals(Handshake.PROTOCOL_VERSION, hello.protocolVersion());
        assertEquals(MaestralMethods.fingerprint(), hello.fingerprint());
        assertEquals(ProcessHandle.current().pid(), hello.pid());
        assertEquals("instance-1", hello.instanceId());
        assertEquals(provider().id(), hello.transportId());
    }

    @Test
    void aClientOfAnotherProtocolIsRefusedWithBothVersions() {
        Handshake mine = Handshake.client(provider().id());
        Handshake other = new Handshake(mine.protocolVersion() + 7, "0000000000000000", "9.9.9",
                mine.transportId(), mine.pid(), "");
        CommunicationError e = assertThrows(CommunicationError.class,
                () -> provider().connect(endpoint, other, Duration.ofSeconds(10)).close());
        String text = e.getMessage();
        assertTrue(text.contains(String.valueOf(mine.protocolVersion()))
                && text.contains(String.valueOf(other.protocolVersion())), text);
        assertEquals("Up to date", remote.status(), "the server serves on after a refusal");
    }

    @Test
    void connectingToNothingFailsWithinTheDeadline() throws IOException {
        Path empty = Files.createDirectory(runtimeDir.resolve("empty"));
        Endpoint nowhere = new Endpoint("nowhere", empty, empty.resolve("nowhere.sock"));
        long start = System.nanoTime();
        assertThrows(CommunicationError.class, () -> provider()
                .connect(nowhere, Handshake.client(provider().id()), Duration.ofSeconds(2)).close());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(8).toNanos(), "connect ignored its deadline");
    }

    // ---- values -------------------------------------------------------------------------

    @Test
    void everyReturnTypeRoundTrips() {
        assertEquals(served.version(), remote.version());
        assertEquals("tck", remote.configName());
        assertEquals(served.status(), remote.status());
        assertEquals(served.running(), remote.running());
        assertEquals(served.paused(), remote.paused());
        assertEquals(served.syncing(), remote.syncing());
        assertEquals(served.connected(), remote.connected());
        assertEquals(served.pendingLink(), remote.pendingLink());
        assertEquals(served.pendingDropboxFolder(), remote.pendingDropboxFolder());
        assertEquals(served.pendingFirstDownload(), remote.pendingFirstDownload());
        assertEquals(served.dropboxPath(), remote.dropboxPath());
        assertEquals(served.excludedItems(), remote.excludedItems());
        assertEquals("echo:/x y/ü", remote.excludedStatus("/x y/ü"));
        assertEquals(served.logLevel(), remote.logLevel());
        assertEquals(served.notificationLevel(), remote.notificationLevel());
        assertEquals(served.notificationSnooze(), remote.notificationSnooze());
        assertEquals(served.syncErrors(), remote.syncErrors());
        assertEquals(served.fatalErrors(), remote.fatalErrors());
        assertEquals("uploading", remote.getFileStatus("/some/file"));
        assertEquals(ScriptedMaestral.events(7), remote.getActivity(7));
        assertEquals(served.getHistory(3), remote.getHistory(3));
        assertEquals(List.of(), remote.getActivity(0));
        assertEquals(served.getSpaceUsage(), remote.getSpaceUsage());
        assertEquals(ScriptedMaestral.listing(5), remote.listFolder("/", true));
        assertEquals(served.getMetadata("/a"), remote.getMetadata("/a"));
        assertFalse(remote.statusChangeLongpoll(0.01));
    }

    @Test
    void everyArgumentTypeRoundTrips() {
        remote.setExcludedItems(List.of("/a", "/b c", "/ü"));
        assertEquals(List.of("/a", "/b c", "/ü"), served.excludedItems());
        remote.excludeItem("/d");
        remote.includeItem("/a");
        assertEquals(List.of("/b c", "/ü", "/d"), remote.excludedItems());
        remote.setLogLevel(10);
        assertEquals(10, served.logLevel());
        remote.setNotificationLevel(30);
        assertEquals(30, remote.notificationLevel());
        remote.setNotificationSnooze(12.5);
        assertEquals(12.5, served.notificationSnooze());
        remote.link("/tmp/remote");
        remote.createDropboxDirectory("/tmp/local");
        remote.moveDropboxDirectory("/tmp/local2");
        remote.startSync();
        remote.pauseSync();
        remote.resumeSync();
        remote.stopSync();
        remote.rebuildIndex();
        remote.clearFatalErrors();
        remote.unlink();
        remote.shutdownDaemon();
        assertEquals(List.of("link /tmp/remote", "createDropboxDirectory /tmp/local",
                "moveDropboxDirectory /tmp/local2", "startSync", "pauseSync", "resumeSync",
                "stopSync", "rebuildIndex", "clearFatalErrors", "unlink", "shutdownDaemon"),
                served.acknowledged(), "every acknowledged call ran, in order");
    }

    @Test
    void everyConfigValueTypeRoundTrips() {
        for (Map.Entry<String, Object> sample : ScriptedMaestral.CONF_SAMPLES.entrySet()) {
            assertEquals(sample.getValue(), remote.getConf("main", sample.getKey()), sample.getKey());
            remote.setState("s", sample.getKey(), sample.getValue());
            assertEquals(sample.getValue(), served.getState("s", sample.getKey()), sample.getKey());
            assertEquals(sample.getValue(), remote.getState("s", sample.getKey()), sample.getKey());
        }
        assertNull(remote.getConf("main", "unset"));
    }

    @Test
    void everyStringRoundTripsExactlyBothWays() {
        List<String> samples = List.of("", "\u0000", "nul\u0000mid\u0000", "\uD800", "\uDFFF",
                "a\uDC00\uD800b", "\uD83D\uDE00", "\uD83D", "ÿ\u0100", "\uFFFF\uFFFE", "x".repeat(70_000),
                "é".repeat(40_000) + "\uD801");
        for (String s : samples) {
            String shown = s.length() > 20 ? s.length() + " chars" : s.codePoints()
                    .mapToObj(Integer::toHexString).toList().toString();
            assertEquals("echo:" + s, remote.excludedStatus(s), shown);
            remote.setState("strings", "s", s);
            assertEquals(s, served.getState("strings", "s"), shown);
        }
    }

    @Test
    void everyRecordOfTheWireModelRoundTripsBothWays() {
        for (maestral.api.spi.WireModel.RecordType type : maestral.api.spi.WireModel.STANDARD.records()) {
            if (type.type() == Handshake.class || type.type() == RemoteError.class) {
                continue; // frame envelopes: every call and error above carries them
            }
            @SuppressWarnings("unchecked")
            List<Object> samples = (List<Object>) ScriptedMaestral.CONF_SAMPLES.get("records");
            Object sample = samples.stream().filter(type.type()::isInstance).findFirst()
                    .orElseThrow(() -> new AssertionError("no sample of " + type.type().getName()
                            + " in ScriptedMaestral.CONF_SAMPLES: add one"));
            remote.setState("records", type.type().getSimpleName(), sample);
            assertEquals(sample, served.getState("records", type.type().getSimpleName()));
            assertEquals(sample, remote.getState("records", type.type().getSimpleName()));
        }
    }

    // ---- the frame limit ----------------------------------------------------------------

    /** The frame limit the limit tests set: the smallest allowed. */
    protected static final int SMALL_LIMIT = FrameLimit.MIN;

    @Test
    void theOneFrameLimitHoldsBothWaysAndTheConnectionServesOn() throws IOException {
        String before = System.getProperty(FrameLimit.PROPERTY);
        TransportClient small;
        System.setProperty(FrameLimit.PROPERTY, String.valueOf(SMALL_LIMIT));
        try {
            Endpoint e = new Endpoint("tck-small", runtimeDir, runtimeDir.resolve("small.sock"));
            TransportServer s = provider().bind(e, Handshake.server(provider().id(), "instance-2"),
                    new MaestralDispatcher(served));
            toClose.add(s);
            small = provider().connect(e, Handshake.client(provider().id()), Duration.ofSeconds(10));
            toClose.add(small);
        } finally {
            if (before == null) {
                System.clearProperty(FrameLimit.PROPERTY);
            } else {
                System.setProperty(FrameLimit.PROPERTY, before);
            }
        }
        Maestral r = RemoteMaestral.over(small, CALL_TIMEOUT);

        String justUnder = "u".repeat(SMALL_LIMIT - 200);
        assertEquals("echo:" + justUnder, r.excludedStatus(justUnder), "a call just under the limit works");

        String justOver = "o".repeat(SMALL_LIMIT);
        maestral.api.BadInputError call = assertThrows(maestral.api.BadInputError.class,
                () -> r.excludedStatus(justOver));
        assertEquals("Cannot send the call", call.title());
        assertTrue(call.message().contains(FrameLimit.PROPERTY) && call.message().contains("64 KiB")
                && call.message().contains("excludedStatus(\"oooo") && call.message().contains(SMALL_LIMIT + " chars"),
                call.message());
        assertTrue(call.getMessage().length() < 500, "a short message: " + call.getMessage().length() + " chars");

        maestral.api.BadInputError answer = assertThrows(maestral.api.BadInputError.class,
                () -> r.listFolder("/big/2000", false));
        assertEquals("Cannot send the answer", answer.title());
        assertTrue(answer.message().contains(FrameLimit.PROPERTY) && answer.message().contains("64 KiB"),
                answer.message());

        String huge = "h".repeat(50_000_000);
        maestral.api.BadInputError hugeCall = assertThrows(maestral.api.BadInputError.class,
                () -> r.setState("s", "huge", huge));
        assertTrue(hugeCall.getMessage().length() < 500, hugeCall.getMessage());
        assertTrue(hugeCall.getMessage().contains("50000000 chars"), hugeCall.getMessage());

        assertEquals("Up to date", r.status(), "the connection serves on");
        assertTrue(small.isOpen());
        assertEquals(3, r.listFolder("/", false).size());
    }

    // ---- errors -------------------------------------------------------------------------

    @Test
    void everyErrorClassArrivesAsItselfWithItsFields() {
        for (Class<? extends MaestralApiError> type : ErrorClasses.all()) {
            String name = type.getSimpleName();
            MaestralApiError e = assertThrows(MaestralApiError.class,
                    () -> remote.getMetadata("/error/" + name));
            assertSame(type, e.getClass(), name);
            assertEquals("Title of " + name, e.title());
            assertEquals("Message of " + name, e.message());
            assertEquals("Title of " + name + ". Message of " + name, e.getMessage());
            assertEquals("/dbx/" + name, e.dbxPath());
            assertEquals("/dbx-dst/" + name, e.dbxPathDst());
            assertEquals("/local/" + name, e.localPath());
            assertNull(e.localPathDst());
            RemoteStackTrace trace = assertInstanceOf(RemoteStackTrace.class, e.getCause(), name);
            assertTrue(trace.getMessage().contains("ScriptedMaestral.getMetadata"), trace.getMessage());
        }
    }

    @Test
    void aRemoteNotLinkedErrorIsThrownAsItself() {
        NotLinkedError e = assertThrows(NotLinkedError.class, remote::getAccountInfo);
        assertEquals("No Dropbox account linked", e.title());
    }

    @Test
    void anErrorOutsideTheTreeArrivesAsMaestralApiErrorNamingIt() {
        MaestralApiError e = assertThrows(MaestralApiError.class, () -> remote.getMetadata("/foreign"));
        assertSame(MaestralApiError.class, e.getClass());
        assertEquals(RemoteError.UNEXPECTED_TITLE, e.title());
        assertTrue(e.message().contains("java.lang.IllegalStateException")
                && e.message().contains("boom in the daemon"), e.message());
    }

    @Test
    void aCallWithBadArgumentsIsRefusedAndTheConnectionServesOn() {
        int id = MaestralMethods.id("getActivity");
        MaestralApiError e = assertThrows(MaestralApiError.class, () -> client
                .call(new MethodCall(id, new Object[] {"not an int"}), CALL_TIMEOUT.toNanos())
                .valueOrThrow());
        assertEquals("maestral.api.BadInputError", e.getClass().getName());
        assertThrows(MaestralApiError.class, () -> client
                .call(new MethodCall(10_000, new Object[0]), CALL_TIMEOUT.toNanos()).valueOrThrow());
        assertEquals("Up to date", remote.status());
    }

    // ---- concurrency and size -----------------------------------------------------------

    @Test
    void manyThreadsOnOneConnectionEachGetTheirOwnAnswers() throws Exception {
        int threads = 16;
        int calls = 200;
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            results.add(inBackground(() -> {
                for (int i = 0; i < calls; i++) {
                    String path = "/t" + thread + "/c" + i;
                    assertEquals("echo:" + path, remote.excludedStatus(path));
                    if (i % 50 == 0) {
                        assertEquals(i % 7, remote.getActivity(i % 7).size());
                    }
                }
                return calls;
            }));
        }
        int done = 0;
        for (Future<Integer> f : results) {
            done += f.get(50, TimeUnit.SECONDS);
        }
        assertEquals(threads * calls, done);
    }

    @Test
    void multiMebibytePayloadsTravelBothWays() {
        List<?> big = remote.listFolder("/big/40000", false);
        assertEquals(ScriptedMaestral.listing(40_000), big);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            items.add("/excluded/folder-" + i + "/" + "y".repeat(40));
        }
        remote.setExcludedItems(items);
        assertEquals(items, served.excludedItems());
        assertEquals(items, remote.excludedItems());
    }

    // ---- deadlines and failures ---------------------------------------------------------

    @Test
    void aDeadlineFiresAndTheConnectionServesOn() {
        int id = MaestralMethods.id("getFileStatus");
        long start = System.nanoTime();
        assertThrows(CallTimeoutError.class, () -> client.call(
                new MethodCall(id, new Object[] {"/block/5000"}), Duration.ofMillis(300).toNanos()));
        long took = System.nanoTime() - start;
        assertTrue(took >= Duration.ofMillis(250).toNanos(), "fired too early: " + took);
        assertTrue(took < PROMPTLY.toNanos(), "fired late: " + took);
        assertEquals("echo:/after", remote.excludedStatus("/after"));
    }

    @Test
    void aBlockingCallDoesNotDelayOtherCalls() throws Exception {
        Future<String> blocked = inBackground(() -> remote.getFileStatus("/block/4000"));
        CompletableFuture<Boolean> poll = CompletableFuture.supplyAsync(
                () -> remote.statusChangeLongpoll(4.0), pool);
        waitUntil(() -> served.blockedNow() == 1, Duration.ofSeconds(10));
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            assertEquals("echo:/" + i, remote.excludedStatus("/" + i));
        }
        TransportClient second = connect();
        assertEquals("Up to date", RemoteMaestral.over(second, CALL_TIMEOUT).status());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos(),
                "other calls waited for the blocking ones");
        assertFalse(blocked.isDone(), "the blocking call should still be running");
        assertFalse(poll.isDone(), "the long poll should still be waiting");
        served.changeStatus("Syncing...");
        assertTrue(poll.get(10, TimeUnit.SECONDS), "the long poll woke on the change");
        assertEquals("up to date", blocked.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aServerThatDiesMidCallFailsThePendingCallsPromptly() throws Exception {
        List<Future<String>> pending = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pending.add(inBackground(() -> remote.getFileStatus("/block/30000")));
        }
        waitUntil(() -> served.blockedNow() == 3, Duration.ofSeconds(10));
        long start = System.nanoTime();
        killServer(server);
        for (Future<String> f : pending) {
            java.util.concurrent.ExecutionException e = assertThrows(
                    java.util.concurrent.ExecutionException.class,
                    () -> f.get(PROMPTLY.toMillis() + 2000, TimeUnit.MILLISECONDS));
            assertInstanceOf(CommunicationError.class, e.getCause());
        }
        assertTrue(System.nanoTime() - start < PROMPTLY.toNanos(), "pending calls failed late");
        assertThrows(CommunicationError.class, remote::status);
        assertFalse(client.isOpen());
    }

    @Test
    void aCallThatReturnsWhileTheServerClosesStillGetsItsAnswer() throws Exception {
        Future<String> blocked = inBackground(() -> remote.getFileStatus("/block/300"));
        waitUntil(() -> served.blockedNow() == 1, Duration.ofSeconds(10));
        assertTrue(server.awaitAnswersSent(Duration.ofSeconds(10)), "the answer was not on its way in time");
        server.close();
        assertEquals("up to date", blocked.get(10, TimeUnit.SECONDS));
    }

    @Test
    void callsAfterCloseFailClearly() {
        client.close();
        assertFalse(client.isOpen());
        CommunicationError e = assertThrows(CommunicationError.class, remote::status);
        assertTrue(e.getMessage().toLowerCase().contains("closed"), e.getMessage());
        client.close(); // idempotent
    }

    @Test
    void closingTheServerRemovesItsFiles() {
        List<Path> files = server.files();
        server.close();
        for (Path f : files) {
            assertFalse(Files.exists(f), "left behind: " + f);
        }
        server.close(); // idempotent
    }

    /**
     * Waits for a condition, polling, up to a deadline.
     *
     * @param condition what to wait for
     * @param deadline how long at most
     */
    protected static void waitUntil(java.util.function.BooleanSupplier condition, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + deadline);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
