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
 *   <li>One <em>reader</em> takes the doorbell bits of the sessions that have new requests,
 *       reads their request queues in turn, one frame each, and runs each call itself, then
 *       writes the answer to the session's reply queue: no hand-off to another thread on the
 *       fast path. When no bell rang it spins briefly ({@link ShmSettings#readerSpinNanos()}), then
 *       sleeps on the bell's futex until a client rings.</li>
 *   <li>A <em>supervisor</em> watches the call the reader runs; when one takes longer than
 *       {@link ShmSettings#handOffAfter()} (a blocking call such as
 *       {@code statusChangeLongpoll}), it hands reading to a new reader thread, and the old
 *       one finishes its call and ends. A blocking call therefore delays others by two to
 *       three milliseconds, once. When {@value #MAX_HANDED_OFF} calls are blocked that way,
 *       further calls run on virtual threads until some finish. The supervisor sleeps while no
 *       call comes. (Handing every call to a virtual thread instead costs a wake-up per call:
 *       measured here, 11 µs median and milliseconds at the 99th percentile, against under
 *       2 µs for the whole round trip when the reader runs the call.)</li>
 *   <li>A <em>watchdog</em> keeps {@link ShmDescriptor#SPARE_SESSIONS} sessions ready for
 *       clients to claim (woken by a client's request for one), checks every
 *       {@link ShmSettings#livenessPeriod()} (once a second while no client calls) that
 *       each client process is alive and deletes the session of a dead one, and rolls and
 *       pre-touches the reply queues of sessions in use ahead of the calls ({@link PreRoll}).</li>
 * </ul>
 * Admitting a client and letting one go cost no queue open: the reader does both.
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class ShmServer implements TransportServer {

    private static final Logger LOG = LoggerFactory.getLogger(ShmServer.class);

    /** How many calls may block reader threads before calls go to virtual threads. */
    static final int MAX_HANDED_OFF = 16;
    /** How often the watchdog looks at the sessions while no client calls: 1 s. */
    private static final long IDLE_CHECK_NANOS = 1_000_000_000L;
    /**
     * How long a ready session beyond the spares may wait for a client before it is deleted:
     * 5 s, as long as a client JVM keeps a released session's queues open for its next
     * connection ({@link SessionQueues#KEEP_NANOS}).
     */
    static final long IDLE_READY_NANOS = SessionQueues.KEEP_NANOS;
    private static final long SUPERVISOR_SLEEP_AFTER_NANOS = Duration.ofMillis(200).toNanos();

    private final Endpoint endpoint;
    private final Handshake hello;
    private final CallDispatcher dispatcher;
    private final ShmSettings settings;
    private final Path folder;
    /** The identity of {@link #folder} as created, so that close removes only its own. */
    private final Object folderKey;
    private final Path sessionsDir;
    private final ControlFile control;
    /** The sessions made ready, by slot; written by the watchdog, read by the reader. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<ServerSession> slots =
            new java.util.concurrent.atomic.AtomicReferenceArray<>(MAX_SESSIONS);
    /** The slots whose bells rang and whose queues may hold more; the poll lock's holder's. */
    private final long[] rung = new long[MAX_SESSIONS / 64];
    private int cursor;
    /** How many bitmap words hold a slot made ready so far. */
    private volatile int bitmapWords = 1;
    private final FrameCodec readCodec = new FrameCodec();
    private final FrameAssembler assembler = new FrameAssembler();
    private final ReentrantLock pollLock = new ReentrantLock();
    /** The sessions a client uses now, by session id. */
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

    private ShmServer(Endpoint endpoint, Handshake hello, CallDispatcher dispatcher, ShmSettings settings)
            throws IOException {
        this.endpoint = endpoint;
        this.hello = hello;
        this.dispatcher = dispatcher;
        this.settings = settings;
        this.folder = endpoint.runtimeDirectory().resolve(FOLDER_PREFIX + endpoint.configName());
        this.sessionsDir = folder.resolve(SESSIONS);
        removeStale(folder);
        FileTrees.createPrivateDirectory(folder);
        FileTrees.checkPrivate(folder);
        this.folderKey = Files.readAttributes(folder, java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
        FileTrees.createPrivateDirectory(sessionsDir);
        ControlFile c = null;
        try {
            ProcessHandle self = ProcessHandle.current();
            c = ControlFile.publish(folder.resolve(CONTROL_FILE), self.pid(), Peer.startMillis(self),
                    ThreadLocalRandom.current().nextLong());
            this.control = c;
        } catch (IOException | RuntimeException e) {
            if (c != null) {
                c.close();
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
        ShmServer server = new ShmServer(endpoint, hello, dispatcher, settings); // the watchdog makes the spares
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
        long idleSince = 0;
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
                if (work > 0 || outcome.call != null) {
                    idleSince = 0;
                    idle.reset();
                } else if (idleSince == 0) {
                    idleSince = System.nanoTime();
                } else if (settings.sleeps() && System.nanoTime() - idleSince > settings.readerSpinNanos()) {
                    try {
                        control.awaitRing(bitmapWords, settings.maxSleepNanos());
                    } catch (IllegalStateException e) { // unmapped: the server closed
                        return;
                    }
                    idleSince = 0;
                } else {
                    idle.idle();
                }
            }
        } finally {
            readers.remove(Thread.currentThread());
        }
    }

    /** What one poll found that must run after the document is closed. */
    private static final class ReadOutcome {
        ServerSession session;
        long sessionId;
        long correlationId;
        MethodCall call;

        void clear() {
            session = null;
            call = null;
        }
    }

    /**
     * Reads one frame of the next session whose bell rang, in turn.
     *
     * @return 1 when it read a frame, 0 when no session had one
     */
    private int pollOnce(ReadOutcome outcome) {
        if (!pollLock.tryLock()) {
            return 0;
        }
        try {
            if (closed.get()) {
                return 0;
            }
            control.takeRung(rung);
            int words = bitmapWords;
            int start = cursor;
            for (int n = 0; n < words * 64; n++) {
                int i = (start + n) % (words * 64);
                long bit = 1L << (i & 63);
                if ((rung[i >>> 6] & bit) == 0) {
                    if (rung[i >>> 6] == 0) { // skip the rest of an empty word
                        n += 63 - (i & 63);
                    }
                    continue;
                }
                ServerSession s = slots.get(i);
                if (s == null) {
                    rung[i >>> 6] &= ~bit;
                    continue;
                }
                boolean read;
                try (DocumentContext dc = s.tailer.readingDocument()) {
                    read = dc.isPresent();
                    if (read) {
                        handleFrame(s, dc.wire().bytes(), outcome);
                    }
                }
                int cycle = s.tailer.cycle();
                if (cycle != s.readerCycle) {
                    s.readerCycle = cycle;
                    s.janitor.readerAt(cycle);
                }
                if (read) {
                    cursor = i + 1; // the next poll starts at the next session: each in turn
                    return 1;
                }
                rung[i >>> 6] &= ~bit; // read out; its client rings again when it appends
            }
            return 0;
        } finally {
            pollLock.unlock();
        }
    }

    private void handleFrame(ServerSession s, Bytes<?> in, ReadOutcome outcome) {
        FrameCodec.Header h;
        try {
            h = FrameCodec.readHeader(in);
        } catch (MalformedFrameException e) {
            LOG.warn("dropped a malformed frame in {}: {}", s.dir, e.getMessage());
            return;
        }
        if (h.type() == VOID) {
            return; // given up while it was written; its frame follows as FRAGMENTs or not at all
        }
        if (h.type() == HELLO) {
            admit(s, h.sessionId(), in);
            return;
        }
        if (h.type() == BYE && s.sessionId() == 0 && h.sessionId() != 0
                && ControlFile.claimant(control.slotState(s.slot)) != 0
                && control.session(s.slot) == h.sessionId()) {
            release(s, h.sessionId(), "the client gave up before it was admitted");
            return;
        }
        if (h.sessionId() != s.sessionId() || h.sessionId() == 0) {
            LOG.debug("dropped a {} frame of session {}, not the one using {}", typeName(h.type()),
                    Long.toHexString(h.sessionId()), s.dir);
            return;
        }
        if (h.type() == FRAGMENT) {
            FrameAssembler.Joined joined;
            try {
                joined = assembler.accept(h, in);
            } catch (MalformedFrameException e) {
                LOG.warn("dropped a fragmented frame of session {}: {}", Long.toHexString(h.sessionId()), e.getMessage());
                return;
            }
            if (joined != null) {
                try {
                    handleFrame(s, joined.header(), joined.body(), outcome);
                } finally {
                    joined.release();
                }
            }
            return;
        }
        handleFrame(s, h, in, outcome);
    }

    private void handleFrame(ServerSession s, FrameCodec.Header h, Bytes<?> in, ReadOutcome outcome) {
        switch (h.type()) {
            case CALL -> {
                try {
                    outcome.call = readCodec.readCall(in);
                    outcome.session = s;
                    outcome.sessionId = h.sessionId();
                    outcome.correlationId = h.correlationId();
                } catch (RuntimeException e) {
                    LOG.warn("malformed call {} of session {}: {}", h.correlationId(),
                            Long.toHexString(h.sessionId()), e.toString());
                    s.reply(h.sessionId(), h.correlationId(), new CallResult.Threw(RemoteError.of(
                            new BadInputError("Bad call", "the daemon could not decode the call: " + e.getMessage()))));
                }
            }
            case BYE -> release(s, h.sessionId(), "the client closed");
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
            long session = o.sessionId;
            long id = o.correlationId;
            MethodCall call = o.call;
            offload(() -> answer(s, session, id, call));
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
            answer(o.session, o.sessionId, o.correlationId, o.call);
        } finally {
            stillReader = c.finish();
            if (!stillReader) {
                handedOff.decrementAndGet();
            }
        }
        return stillReader;
    }

    /** Carries a call out and appends its answer, counted until the answer is in the queue. */
    private void answer(ServerSession session, long sessionId, long correlationId, MethodCall call) {
        unanswered.begin();
        try {
            session.reply(sessionId, correlationId, dispatch(call));
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

    // ---- sessions ----------------------------------------------------------------------

    /**
     * Admits the client that claimed a session and said hello in it, or refuses it. The slot
     * must be claimed, by the process the hello names, for the session id of the hello.
     */
    private void admit(ServerSession s, long sessionId, Bytes<?> in) {
        Handshake theirs;
        try {
            theirs = readCodec.readHandshake(in);
        } catch (RuntimeException e) {
            LOG.warn("dropped a malformed hello in {}: {}", s.dir, e.toString());
            return;
        }
        long claimant = ControlFile.claimant(control.slotState(s.slot));
        if (closed.get() || sessionId == 0 || s.sessionId() != 0 || claimant == 0
                || control.session(s.slot) != sessionId) {
            LOG.debug("dropped a hello of session {} in {}: the slot is not claimed for it",
                    Long.toHexString(sessionId), s.dir);
            return;
        }
        if (claimant != theirs.pid()) {
            LOG.warn("refused the hello of session {}: it claims pid {}, the slot was taken by pid {}",
                    Long.toHexString(sessionId), theirs.pid(), claimant);
            s.send(REFUSED, sessionId, "the daemon refused the connection: the hello names pid "
                    + theirs.pid() + ", the session was claimed by pid " + claimant);
            return;
        }
        String refusal = hello.incompatibility(theirs);
        if (refusal != null) {
            LOG.info("refused a client (pid {}): {}", theirs.pid(), refusal);
            s.send(REFUSED, sessionId, "the daemon refused the connection: " + refusal);
            return; // the client gives the slot back
        }
        s.begin(sessionId, theirs); // its process is looked up by the watchdog, off this path
        sessions.put(sessionId, s);
        s.send(WELCOME, sessionId, hello);
        LOG.debug("client pid {} connected as session {} in {}", theirs.pid(), Long.toHexString(sessionId), s.dir);
    }

    /**
     * Lets a closing client go: its session is ready for the next client at once, unless the
     * watchdog took the slot back meanwhile (its claimant was gone).
     */
    private void release(ServerSession s, long sessionId, String why) {
        LOG.debug("session {} ends: {}", Long.toHexString(sessionId), why);
        s.send(BYE_ACK, sessionId, null);
        sessions.remove(sessionId, s);
        s.end();
        assembler.retainSessions(sessions::containsKey);
        long state = control.slotState(s.slot);
        control.clearOwnerStart(s.slot); // the next claimant's own follows its claim
        s.markReady();
        if (ControlFile.claimant(state) != 0 && control.compareAndSetSlot(s.slot, state, SLOT_READY)) {
            control.announceReady();
        }
    }

    /**
     * Deletes the session of a client that is gone, if its slot is still in the state in which
     * the watchdog saw that client's claim: a compare-and-set takes the slot back first, so that
     * a slot given back and claimed again meanwhile is left to its new client. The slot is made
     * ready again later, under a new incarnation.
     */
    private void drop(ServerSession s, long claimedState, String why) {
        if (!control.compareAndSetSlot(s.slot, claimedState, SLOT_EMPTY)) {
            return; // given back or claimed again since: not this claimant's any more
        }
        remove(s, why);
    }

    /** Closes and deletes a session whose slot this thread has just emptied. */
    private void remove(ServerSession s, String why) {
        LOG.debug("session {} in {} ends: {}", Long.toHexString(s.sessionId()), s.dir, why);
        pollLock.lock(); // the reader is not in its queue
        try {
            sessions.remove(s.sessionId(), s);
            slots.set(s.slot, null);
            s.close();
            assembler.retainSessions(sessions::containsKey);
        } finally {
            pollLock.unlock();
        }
        deleteQuietly(s.dir);
    }

    /** Makes sessions ready until {@link ShmDescriptor#SPARE_SESSIONS} wait for clients. */
    private void provisionSpares() {
        int ready = 0;
        int free = -1;
        for (int i = 0; i < MAX_SESSIONS; i++) {
            long state = control.slotState(i);
            if (state == SLOT_READY) {
                ready++;
            } else if (state == SLOT_EMPTY && slots.get(i) == null && free < 0) {
                free = i;
            }
        }
        while (ready < SPARE_SESSIONS && free >= 0 && !closed.get()) {
            int slot = free;
            int incarnation = control.incarnation(slot) + 1;
            ServerSession s;
            try {
                s = new ServerSession(control, slot, incarnation,
                        sessionsDir.resolve(sessionFolder(slot, incarnation)), settings);
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not make a session ready in {}: {}", sessionsDir, e.toString());
                return;
            }
            slots.set(slot, s);
            bitmapWords = Math.max(bitmapWords, slot / 64 + 1);
            control.setIncarnation(slot, incarnation);
            control.clearOwnerStart(slot);
            control.setSlotState(slot, SLOT_READY);
            control.announceReady();
            ready++;
            free = -1;
            for (int i = slot + 1; i < MAX_SESSIONS && free < 0; i++) {
                if (control.slotState(i) == SLOT_EMPTY && slots.get(i) == null) {
                    free = i;
                }
            }
        }
    }

    /**
     * Deletes the ready sessions beyond {@link ShmDescriptor#SPARE_SESSIONS} that no client has
     * claimed for {@link #IDLE_READY_NANOS}, so that a burst of clients leaves no open files
     * behind. A compare-and-set takes each from the ready state first, so that a client
     * claiming it at the same moment either gets it whole or does not get it.
     */
    private void trimIdleSessions() {
        int ready = 0;
        for (int i = 0; i < MAX_SESSIONS; i++) {
            if (control.slotState(i) == SLOT_READY) {
                ready++;
            }
        }
        long now = System.nanoTime();
        for (int i = 0; i < MAX_SESSIONS && ready > SPARE_SESSIONS; i++) {
            ServerSession s = slots.get(i);
            if (s != null && control.slotState(i) == SLOT_READY && now - s.readySince() > IDLE_READY_NANOS
                    && control.compareAndSetSlot(i, SLOT_READY, SLOT_EMPTY)) {
                ready--;
                remove(s, "ready and unclaimed for " + IDLE_READY_NANOS / 1_000_000_000L + " s");
            }
        }
    }

    // ---- the watchdog ----------------------------------------------------------------

    private void watch() {
        long period = settings.livenessPeriod().toNanos();
        java.util.Map<ServerSession, long[]> activity = new java.util.HashMap<>(); // replies seen, when
        boolean anyActive = false;
        long nextCheck = 0;
        while (!closed.get()) {
            int wanted = control.wanted();
            long now = System.nanoTime();
            if (now - nextCheck >= 0) {
                anyActive = checkSessions(activity, now);
                nextCheck = now + (anyActive ? Math.min(period, PreRoll.nanosToNextCycle()) : IDLE_CHECK_NANOS);
            }
            provisionSpares();
            trimIdleSessions();
            if (closed.get()) {
                return;
            }
            long left = nextCheck - System.nanoTime();
            if (left > 0 && control.wanted() == wanted) {
                control.awaitWanted(wanted, left);
            }
        }
    }

    /** Drops the sessions of dead clients and rolls those in use ahead; {@return whether any is in use} */
    private boolean checkSessions(java.util.Map<ServerSession, long[]> activity, long now) {
        boolean anyActive = false;
        activity.keySet().removeIf(s -> slots.get(s.slot) != s);
        for (int i = 0; i < MAX_SESSIONS; i++) {
            ServerSession s = slots.get(i);
            if (s == null) {
                continue;
            }
            long state = control.slotState(s.slot);
            long claimant = ControlFile.claimant(state);
            if (claimant == 0) {
                continue; // ready, no client
            }
            Peer peer = s.peer();
            if (peer == null || peer.pid() != claimant) {
                peer = Peer.of(claimant, control.ownerStart(s.slot));
                s.knowPeer(peer); // kept when the claimant is the admitted client
            }
            if (!peer.alive()) {
                drop(s, state, "client process " + claimant + " is gone");
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
        return anyActive;
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
        return List.of(folder, folder.resolve(CONTROL_FILE), sessionsDir);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        control.markClosed();
        List<ServerSession> leaving = new ArrayList<>();
        for (int i = 0; i < MAX_SESSIONS; i++) { // first, so that no answer follows the GOODBYE
            ServerSession s = slots.get(i);
            if (s != null) {
                if (s.sessionId() != 0) {
                    leaving.add(s);
                }
                s.seal(GOODBYE, "the daemon closed");
            }
        }
        control.wakeServer();
        control.askForSession(); // wakes the watchdog
        virtualThreads.shutdownNow();
        LockSupport.unpark(supervisor);
        LockSupport.unpark(watchdog);
        join(supervisor);
        join(watchdog);
        pollLock.lock(); // no reader is inside a queue from here on
        try {
            for (Thread t : readers) {
                t.interrupt();
            }
            for (int i = 0; i < MAX_SESSIONS; i++) {
                ServerSession s = slots.get(i);
                if (s != null) {
                    s.close();
                    slots.set(i, null);
                }
            }
            sessions.clear();
            assembler.clear();
        } catch (RuntimeException e) {
            LOG.warn("could not close the queues of '{}': {}", endpoint.configName(), e.toString());
        } finally {
            pollLock.unlock();
        }
        awaitGoodbyesRead(leaving);
        control.close();
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
            Peer peer = s.peer();
            long claimant = ControlFile.claimant(s.claimedState());
            if (peer == null && claimant != 0) {
                peer = Peer.of(claimant, 0);
            }
            while (Files.isDirectory(s.dir) && !Files.exists(s.dir.resolve(GOODBYE_READ_FILE))
                    && peer != null && peer.alive() && System.nanoTime() - end < 0) {
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
