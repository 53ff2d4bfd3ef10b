package maestral.transport.shm.internal;

import static maestral.transport.shm.internal.ShmDescriptor.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import maestral.api.BadInputError;
import maestral.api.spi.CallDispatcher;
import maestral.api.spi.CallResult;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MethodCall;
import maestral.api.spi.RemoteError;
import maestral.api.spi.TransportServer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's end of the shm transport for one configuration.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>One <em>reader</em> polls the request queue with the configured {@link IdleStrategy}
 *       and runs each call itself, then writes the answer to the caller's reply queue: no
 *       hand-off to another thread on the fast path.</li>
 *   <li>A <em>supervisor</em> watches the call the reader runs; when one takes longer than
 *       {@link ShmSettings#handOffAfter()} (a blocking call such as
 *       {@code statusChangeLongpoll}), it hands reading to a new reader thread, and the old
 *       one finishes its call and ends. A blocking call therefore delays others by two to
 *       three milliseconds, once. When {@value #MAX_HANDED_OFF} calls are blocked that way,
 *       further calls run on virtual threads until some finish. The supervisor sleeps while no
 *       call comes. (Handing every call to a virtual thread instead costs a wake-up per call:
 *       measured here, 11 µs median and milliseconds at the 99th percentile, against under
 *       2 µs for the whole round trip when the reader runs the call.)</li>
 *   <li>A <em>watchdog</em> checks every {@link ShmSettings#livenessPeriod()} (three times as
 *       seldom while no client calls) that each client process is alive, and drops the session
 *       and reply queue of a dead one; it also rolls the reply queues of clients in use into
 *       each new cycle ahead of the calls ({@link PreRoll}).</li>
 *   <li>Virtual threads admit and dismiss clients (opening a queue takes milliseconds).</li>
 * </ul>
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class ShmServer implements TransportServer {

    private static final Logger LOG = LoggerFactory.getLogger(ShmServer.class);

    /** How many calls may block reader threads before calls go to virtual threads. */
    static final int MAX_HANDED_OFF = 16;
    private static final long SUPERVISOR_SLEEP_AFTER_NANOS = Duration.ofMillis(200).toNanos();

    private final Endpoint endpoint;
    private final Handshake hello;
    private final CallDispatcher dispatcher;
    private final ShmSettings settings;
    private final Path folder;
    /** The identity of {@link #folder} as created, so that close removes only its own. */
    private final Object folderKey;
    private final Path requestsDir;
    private final Path clientsDir;
    private final ControlFile control;
    private final ConsumedCycleJanitor janitor = new ConsumedCycleJanitor();
    private final ChronicleQueue requests;
    private final ExcerptTailer tailer;
    private final FrameCodec readCodec = new FrameCodec();
    private final FrameAssembler assembler = new FrameAssembler();
    private final ReentrantLock pollLock = new ReentrantLock();
    private final ConcurrentHashMap<Long, ServerSession> sessions = new ConcurrentHashMap<>();
    private final ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
    /** Calls being carried out whose answers are not yet appended. */
    private final maestral.api.spi.AnswerCounter unanswered = new maestral.api.spi.AnswerCounter();
    private final Set<Thread> readers = ConcurrentHashMap.newKeySet();
    private final AtomicInteger handedOff = new AtomicInteger();
    private final AtomicLong readerGeneration = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread supervisor;
    private final Thread watchdog;

    /** The call the reader runs now, for the supervisor. */
    private volatile InlineCall current;
    private volatile boolean supervisorSleeping;
    private int readerCycle = Integer.MIN_VALUE;

    private ShmServer(Endpoint endpoint, Handshake hello, CallDispatcher dispatcher, ShmSettings settings)
            throws IOException {
        this.endpoint = endpoint;
        this.hello = hello;
        this.dispatcher = dispatcher;
        this.settings = settings;
        this.folder = endpoint.runtimeDirectory().resolve(FOLDER_PREFIX + endpoint.configName());
        this.requestsDir = folder.resolve(REQUESTS);
        this.clientsDir = folder.resolve(CLIENTS);
        removeStale(folder);
        FileTrees.createPrivateDirectory(folder);
        FileTrees.checkPrivate(folder);
        this.folderKey = Files.readAttributes(folder, java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
        FileTrees.createPrivateDirectory(requestsDir);
        FileTrees.createPrivateDirectory(clientsDir);
        ChronicleQueue q = null;
        ControlFile c = null;
        try {
            q = Queues.open(requestsDir, settings, janitor);
            this.requests = q;
            this.tailer = q.createTailer().toEnd();
            tailer.singleThreadedCheckDisabled(true);
            ProcessHandle self = ProcessHandle.current();
            c = ControlFile.publish(folder.resolve(CONTROL_FILE), self.pid(), Peer.startMillis(self),
                    ThreadLocalRandom.current().nextLong());
            this.control = c;
        } catch (IOException | RuntimeException e) {
            if (c != null) {
                c.close();
            }
            if (q != null) {
                q.close();
            }
            FileTrees.deleteTree(folder);
            throw e instanceof IOException io ? io : new IOException("cannot create the shm queues in "
                    + folder + ": " + e, e);
        }
        String name = "maestral-shm-" + endpoint.configName();
        this.supervisor = Thread.ofPlatform().daemon().name(name + "-supervisor").unstarted(this::supervise);
        this.watchdog = Thread.ofPlatform().daemon().name(name + "-watchdog").unstarted(this::watch);
    }

    /**
     * Binds the endpoint and starts serving it.
     *
     * @param endpoint where to serve; the caller holds the configuration's lock
     * @param hello the server's handshake
     * @param dispatcher carries out the calls
     * @param settings the tunables
     * @return the running server
     * @throws IOException when the folder or queues cannot be created
     */
    public static ShmServer bind(Endpoint endpoint, Handshake hello, CallDispatcher dispatcher,
                                 ShmSettings settings) throws IOException {
        ShmServer server = new ShmServer(endpoint, hello, dispatcher, settings);
        server.startReader();
        server.supervisor.start();
        server.watchdog.start();
        LOG.debug("shm server of '{}' serves {} ({})", endpoint.configName(), server.folder,
                settings.idleStrategy());
        return server;
    }

    private static void removeStale(Path folder) throws IOException {
        if (Files.exists(folder)) {
            LOG.info("removing the shm files of a previous daemon in {}", folder);
            FileTrees.deleteTree(folder);
        }
    }

    // ---- the reader ------------------------------------------------------------------

    private void startReader() {
        long generation = readerGeneration.incrementAndGet();
        Thread t = Thread.ofPlatform().daemon()
                .name("maestral-shm-" + endpoint.configName() + "-reader-" + generation)
                .unstarted(this::readLoop);
        readers.add(t);
        t.start();
    }

    private void readLoop() {
        IdleStrategy idle = settings.newIdleStrategy();
        ReadOutcome outcome = new ReadOutcome();
        int failures = 0;
        try {
            while (!closed.get()) {
                int work;
                outcome.clear();
                try {
                    work = pollOnce(outcome);
                    failures = 0;
                } catch (RuntimeException e) {
                    if (failures++ % 100 == 0) { // the first of a run, then every hundredth
                        LOG.warn("the shm reader of '{}' failed ({} in a row); it reads on",
                                endpoint.configName(), failures, e);
                    }
                    LockSupport.parkNanos(Math.min(settings.maxParkNanos() << Math.min(failures, 10),
                            1_000_000_000L));
                    continue;
                }
                if (outcome.call != null && !runInline(outcome)) {
                    return; // another thread reads now
                }
                idle.idle(work);
            }
        } finally {
            readers.remove(Thread.currentThread());
        }
    }

    /** What one poll found that must run after the document is closed. */
    private static final class ReadOutcome {
        ServerSession session;
        long correlationId;
        MethodCall call;

        void clear() {
            session = null;
            call = null;
        }
    }

    private int pollOnce(ReadOutcome outcome) {
        if (!pollLock.tryLock()) {
            return 0;
        }
        try {
            if (closed.get()) {
                return 0;
            }
            int work;
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    work = 0;
                } else {
                    work = 1;
                    handleFrame(dc.wire().bytes(), outcome);
                }
            }
            int cycle = tailer.cycle();
            if (cycle != readerCycle) {
                readerCycle = cycle;
                janitor.readerAt(cycle);
                assembler.retainSessions(sessions::containsKey);
            }
            return work;
        } finally {
            pollLock.unlock();
        }
    }

    private void handleFrame(Bytes<?> in, ReadOutcome outcome) {
        FrameCodec.Header h;
        try {
            h = FrameCodec.readHeader(in);
        } catch (MalformedFrameException e) {
            LOG.warn("dropped a malformed frame in {}: {}", requestsDir, e.getMessage());
            return;
        }
        if (h.type() == VOID) {
            return; // given up while it was written; its frame follows as FRAGMENTs or not at all
        }
        if (h.type() == FRAGMENT) {
            if (!sessions.containsKey(h.sessionId())) {
                LOG.debug("dropped a fragment of unknown session {}", Long.toHexString(h.sessionId()));
                return;
            }
            FrameAssembler.Joined joined;
            try {
                joined = assembler.accept(h, in);
            } catch (MalformedFrameException e) {
                LOG.warn("dropped a fragmented frame of session {}: {}", Long.toHexString(h.sessionId()), e.getMessage());
                return;
            }
            if (joined != null) {
                try {
                    handleFrame(joined.header(), joined.body(), outcome);
                } finally {
                    joined.release();
                }
            }
            return;
        }
        handleFrame(h, in, outcome);
    }

    private void handleFrame(FrameCodec.Header h, Bytes<?> in, ReadOutcome outcome) {
        switch (h.type()) {
            case CALL -> {
                ServerSession s = sessions.get(h.sessionId());
                if (s == null) {
                    LOG.debug("dropped a call of unknown session {}", Long.toHexString(h.sessionId()));
                    return;
                }
                try {
                    outcome.call = readCodec.readCall(in);
                    outcome.session = s;
                    outcome.correlationId = h.correlationId();
                } catch (RuntimeException e) {
                    LOG.warn("malformed call {} of session {}: {}", h.correlationId(),
                            Long.toHexString(h.sessionId()), e.toString());
                    s.reply(h.correlationId(), new CallResult.Threw(RemoteError.of(
                            new BadInputError("Bad call", "the daemon could not decode the call: " + e.getMessage()))));
                }
            }
            case HELLO -> {
                Handshake theirs;
                try {
                    theirs = readCodec.readHandshake(in);
                } catch (RuntimeException e) {
                    LOG.warn("dropped a malformed hello of session {}: {}", Long.toHexString(h.sessionId()), e.toString());
                    return;
                }
                long sessionId = h.sessionId();
                offload(() -> admit(sessionId, theirs));
            }
            case BYE -> {
                long sessionId = h.sessionId();
                offload(() -> dismiss(sessionId, "the client closed", BYE_ACK, false));
            }
            default -> LOG.warn("dropped an unexpected {} frame of session {}", typeName(h.type()),
                    Long.toHexString(h.sessionId()));
        }
    }

    /**
     * Runs a call on this reader thread, watched by the supervisor.
     *
     * @return whether this thread still is the reader
     */
    private boolean runInline(ReadOutcome o) {
        if (handedOff.get() >= MAX_HANDED_OFF) {
            ServerSession s = o.session;
            long id = o.correlationId;
            MethodCall call = o.call;
            offload(() -> answer(s, id, call));
            return true;
        }
        InlineCall c = new InlineCall(System.nanoTime());
        current = c;
        if (supervisorSleeping) {
            supervisorSleeping = false;
            LockSupport.unpark(supervisor);
        }
        boolean stillReader;
        try {
            answer(o.session, o.correlationId, o.call);
        } finally {
            stillReader = c.finish();
            if (!stillReader) {
                handedOff.decrementAndGet();
            }
        }
        return stillReader;
    }

    /** Carries a call out and appends its answer, counted until the answer is in the queue. */
    private void answer(ServerSession session, long correlationId, MethodCall call) {
        unanswered.begin();
        try {
            session.reply(correlationId, dispatch(call));
        } finally {
            unanswered.end();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>An answer is on its way once it is appended to the session's reply queue, which the
     * client reads even after the server has closed.
     */
    @Override
    public boolean awaitAnswersSent(java.time.Duration timeout) {
        return unanswered.awaitNone(timeout);
    }

    private CallResult dispatch(MethodCall call) {
        try {
            return dispatcher.dispatch(call);
        } catch (Throwable t) { // the dispatcher must not throw; answer whatever it did
            return new CallResult.Threw(RemoteError.of(t));
        }
    }

    private void offload(Runnable task) {
        try {
            virtualThreads.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("not run, the server is closing: {}", e.toString());
        }
    }

    /** A call the reader runs: the supervisor may take reading away while it runs. */
    private static final class InlineCall {
        private static final int RUNNING = 0;
        private static final int DONE = 1;
        private static final int HANDED_OFF = 2;
        final long start;
        final AtomicInteger state = new AtomicInteger(RUNNING);

        InlineCall(long start) {
            this.start = start;
        }

        boolean finish() {
            return state.compareAndSet(RUNNING, DONE);
        }

        boolean handOff() {
            return state.compareAndSet(RUNNING, HANDED_OFF);
        }

        boolean running() {
            return state.get() == RUNNING;
        }
    }

    // ---- the supervisor --------------------------------------------------------------

    private void supervise() {
        long handOffNanos = settings.handOffAfter().toNanos();
        InlineCall lastSeen = null;
        long lastChange = System.nanoTime();
        while (!closed.get()) {
            InlineCall c = current;
            long now = System.nanoTime();
            if (c != lastSeen) {
                lastSeen = c;
                lastChange = now;
            }
            if (c != null && c.running() && now - c.start > handOffNanos && c.handOff()) {
                handedOff.incrementAndGet();
                LOG.debug("a call runs for over {} µs: another thread reads on", handOffNanos / 1000);
                startReader();
            }
            if (now - lastChange < SUPERVISOR_SLEEP_AFTER_NANOS || (c != null && c.running())) {
                LockSupport.parkNanos(handOffNanos / 2);
            } else {
                supervisorSleeping = true;
                if (current == lastSeen && !closed.get()) {
                    LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
                }
                supervisorSleeping = false;
            }
        }
    }

    // ---- sessions --------------------------------------------------------------------

    private void admit(long sessionId, Handshake theirs) {
        if (closed.get() || sessions.containsKey(sessionId)) {
            return;
        }
        Path dir = clientsDir.resolve(clientFolder(sessionId));
        if (!Files.isDirectory(dir)) {
            LOG.warn("dropped the hello of session {}: its reply queue {} is missing",
                    Long.toHexString(sessionId), dir);
            return;
        }
        try {
            FileTrees.checkPrivate(dir);
        } catch (IOException e) {
            LOG.warn("refused the hello of session {} (claims pid {}): {}", Long.toHexString(sessionId),
                    theirs.pid(), e.getMessage());
            return;
        }
        Peer peer = Peer.of(theirs.pid(), 0);
        ServerSession s;
        try {
            s = new ServerSession(sessionId, theirs, peer, dir, settings);
        } catch (RuntimeException e) {
            LOG.warn("could not open the reply queue of session {}: {}", Long.toHexString(sessionId), e.toString());
            return;
        }
        String refusal = hello.incompatibility(theirs);
        if (refusal != null) {
            LOG.info("refused a client (pid {}): {}", theirs.pid(), refusal);
            s.close(REFUSED, "the daemon refused the connection: " + refusal);
            return;
        }
        if (!peer.alive()) {
            s.close(0, null);
            deleteQuietly(dir);
            return;
        }
        sessions.put(sessionId, s);
        if (closed.get()) {
            sessions.remove(sessionId, s);
            s.close(GOODBYE, "the daemon closed");
            return;
        }
        s.send(WELCOME, hello);
        LOG.debug("client pid {} connected as session {}", theirs.pid(), Long.toHexString(sessionId));
    }

    private void dismiss(long sessionId, String why, int lastFrame, boolean deleteQueue) {
        ServerSession s = sessions.get(sessionId);
        if (s == null) {
            return;
        }
        LOG.debug("session {} (pid {}) ends: {}", Long.toHexString(sessionId), s.peer.pid(), why);
        s.close(lastFrame, null);
        if (deleteQueue) {
            deleteQuietly(s.dir);
        }
        sessions.remove(sessionId, s); // last, so that a session gone means its files are gone
    }

    // ---- the watchdog ----------------------------------------------------------------

    private void watch() {
        long period = settings.livenessPeriod().toNanos();
        java.util.Map<ServerSession, long[]> activity = new java.util.HashMap<>(); // replies seen, when
        boolean anyActive = false;
        while (!closed.get()) {
            LockSupport.parkNanos(anyActive ? Math.min(period, PreRoll.nanosToNextCycle()) : 3 * period);
            anyActive = false;
            long now = System.nanoTime();
            activity.keySet().retainAll(sessions.values());
            for (ServerSession s : sessions.values()) {
                if (!s.peer.alive()) {
                    dismiss(s.id, "client process " + s.peer.pid() + " is gone", 0, true);
                    continue;
                }
                long[] seen = activity.computeIfAbsent(s, k -> new long[] {0, now - PreRoll.ACTIVE_NANOS});
                long replies = s.replies();
                if (replies != seen[0]) {
                    seen[0] = replies;
                    seen[1] = now;
                }
                if (now - seen[1] < PreRoll.ACTIVE_NANOS) {
                    anyActive = true;
                    s.preRoll();
                }
            }
        }
    }

    /** {@return how many clients are connected} */
    public int sessionCount() {
        return sessions.size();
    }

    // ---- TransportServer -------------------------------------------------------------

    @Override
    public String transportId() {
        return hello.transportId();
    }

    @Override
    public String address() {
        return "shm:" + folder;
    }

    @Override
    public List<Path> files() {
        return List.of(folder, folder.resolve(CONTROL_FILE), requestsDir, clientsDir);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        control.markClosed();
        List<ServerSession> leaving = new ArrayList<>();
        for (ServerSession s : sessions.values()) {
            sessions.remove(s.id, s);
            s.close(GOODBYE, "the daemon closed");
            leaving.add(s);
        }
        virtualThreads.shutdownNow();
        pollLock.lock(); // no reader is inside the queue from here on
        try {
            for (Thread t : readers) {
                t.interrupt();
            }
            LockSupport.unpark(supervisor);
            LockSupport.unpark(watchdog);
            join(supervisor);
            join(watchdog);
            assembler.clear();
            try {
                tailer.close();
            } finally {
                requests.close();
            }
        } catch (RuntimeException e) {
            LOG.warn("could not close the request queue of '{}': {}", endpoint.configName(), e.toString());
        } finally {
            pollLock.unlock();
        }
        for (ServerSession s : sessions.values()) { // admitted while closing
            s.close(GOODBYE, "the daemon closed");
        }
        control.close();
        awaitGoodbyesRead(leaving);
        if (ownsFolder()) {
            deleteQuietly(folder);
        } else {
            LOG.warn("{} is no longer the folder this server created; left to its owner", folder);
        }
        LOG.debug("shm server of '{}' closed", endpoint.configName());
    }

    private boolean ownsFolder() {
        try {
            return folderKey != null && folderKey.equals(Files.readAttributes(folder,
                    java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey());
        } catch (IOException e) {
            return false; // gone already
        }
    }

    /**
     * Waits, a second at most, until every client that was connected has read its GOODBYE
     * (and so every answer before it) or is gone, so that deleting the queues loses no answer.
     */
    private static void awaitGoodbyesRead(List<ServerSession> leaving) {
        long end = System.nanoTime() + 1_000_000_000L;
        for (ServerSession s : leaving) {
            while (Files.isDirectory(s.dir) && !Files.exists(s.dir.resolve(GOODBYE_READ_FILE))
                    && s.peer.alive() && System.nanoTime() - end < 0) {
                LockSupport.parkNanos(1_000_000L);
            }
        }
    }

    private static void join(Thread t) {
        try {
            t.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path dir) {
        for (int attempt = 0; ; attempt++) {
            try {
                FileTrees.deleteTree(dir);
                return;
            } catch (IOException e) {
                if (attempt >= 3) {
                    LOG.warn("could not remove {}: {}", dir, e.toString());
                    return;
                }
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            }
        }
    }

    @Override
    public String toString() {
        return "ShmServer[" + folder + ", " + sessions.size() + " clients]";
    }
}
