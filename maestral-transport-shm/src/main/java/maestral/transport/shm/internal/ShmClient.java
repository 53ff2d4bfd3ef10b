package maestral.transport.shm.internal;

import static maestral.transport.shm.internal.ShmDescriptor.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import maestral.api.spi.FrameLimit;
import maestral.api.spi.UnsendableException;
import maestral.api.CallTimeoutError;
import maestral.api.CommunicationError;
import maestral.api.spi.CallResult;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MethodCall;
import maestral.api.spi.TransportClient;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client's end of the shm transport: it claims one of the sessions the daemon keeps ready
 * (a compare-and-set in the control file), appends calls to the session's request queue,
 * rings the session's doorbell, and reads the answers from the session's reply queue.
 *
 * <h2>Who reads the replies</h2>
 * No thread of its own: a caller waiting for its answer takes the <em>reader role</em> if it
 * is free and polls the reply queue with the configured {@link IdleStrategy}, handing every
 * other caller its answer (and waking it) on the way. When its own answer has come it passes
 * the role to another waiting caller. One caller alone therefore reads its own answer on its
 * own thread, with no wake-up in between; callers that wait while another reads park. The
 * reader spins briefly (with {@code adaptive}: twice this connection's typical answer time, see
 * {@link AnswerTimes}), then sleeps on the session's reply futex, which the daemon wakes after
 * it appends an answer.
 *
 * <p>A watchdog thread checks every {@link ShmSettings#livenessPeriod()} while calls wait (every
 * five seconds while none does; a new call wakes it) that the daemon still runs (its control file and its
 * process), and fails the waiting calls when not; while the connection is in use it also rolls
 * the queues into each new cycle ahead of the calls ({@link PreRoll}).
 *
 * <p><b>Safe for use by many threads at once.</b>
 */
public final class ShmClient implements TransportClient {

    private static final Logger LOG = LoggerFactory.getLogger(ShmClient.class);
    private static final int MAX_FRAMES_PER_POLL = 64;
    private static final Duration BYE_WAIT = Duration.ofSeconds(1);
    /** How often the handshake and the BYE wait look whether the daemon still lives: 20 ms. */
    private static final long HANDSHAKE_CHECK_NANOS = 20_000_000L;
    /** How long the watchdog sleeps while the connection is idle and no call waits: 5 s. */
    private static final long IDLE_CHECK_NANOS = 5_000_000_000L;
    /** How long a caller spins for its answer while another caller reads. */
    private static final long FOLLOWER_SPIN_NANOS = 20_000;
    /** How long it then yields before it parks. */
    private static final long FOLLOWER_YIELD_NANOS = 120_000;

    private final String configName;
    private final ShmSettings settings;
    private final long sessionId;
    private final int slot;
    private final Path myDir;
    private final ControlFile control;
    private final Peer server;
    private final SessionQueues queues;
    private final ExcerptAppender appender;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final FrameWriter writer;
    private final ExcerptTailer tailer;
    private final FrameCodec readCodec = new FrameCodec();
    private final FrameAssembler assembler = new FrameAssembler();
    private final AtomicBoolean readerBusy = new AtomicBoolean();
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong nextCorrelation = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread watchdog;
    private final boolean followerSpins;
    private volatile Thread roleHolder;
    private final AnswerTimes answerTimes = new AnswerTimes();
    /** Whether the watchdog sleeps its long idle sleep. */
    private volatile boolean watchdogIdle;

    private volatile CommunicationError failure;
    private volatile Handshake serverHello;
    private volatile String refusal;
    private volatile boolean byeAcknowledged;
    private boolean appenderClosed;

    private ShmClient(Endpoint endpoint, ShmSettings settings, ControlFile control, Peer server,
                      int slot, long sessionId, SessionQueues queues) {
        this.configName = endpoint.configName();
        this.settings = settings;
        this.control = control;
        this.server = server;
        this.followerSpins = !settings.idleStrategy().equals(SleepingIdleStrategy.ALIAS);
        this.slot = slot;
        this.sessionId = sessionId;
        this.queues = queues;
        this.myDir = queues.dir;
        this.appender = queues.appender;
        this.writer = queues.writer;
        this.tailer = queues.tailer;
        this.watchdog = Thread.ofPlatform().daemon()
                .name("maestral-shm-" + configName + "-client-watchdog").unstarted(this::watch);
    }

    /**
     * Connects to the daemon of a configuration and completes the handshake.
     *
     * @param endpoint where the daemon serves
     * @param hello this client's handshake
     * @param timeout the deadline for connecting and the handshake together
     * @param settings the tunables
     * @return the connected client
     * @throws CommunicationError when no daemon answers in time, or it refuses
     */
    public static ShmClient connect(Endpoint endpoint, Handshake hello, Duration timeout, ShmSettings settings) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String name = endpoint.configName();
        Path folder = endpoint.runtimeDirectory().resolve(FOLDER_PREFIX + name);
        try {
            FileTrees.checkPrivate(folder);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CommunicationError("No maestral daemon serves '" + name + "' over shm: "
                    + folder + " does not exist");
        } catch (IOException e) {
            throw new CommunicationError("Refusing to connect to '" + name + "' over shm: "
                    + e.getMessage(), e);
        }
        ControlFile control = awaitControlFile(folder.resolve(CONTROL_FILE), deadline, name);
        ShmClient client;
        try {
            if (!control.running()) {
                throw new CommunicationError("The maestral daemon of '" + name + "' (pid "
                        + control.pid() + ") has closed its shm endpoint");
            }
            Peer server = Peer.of(control.pid(), control.startMillis());
            if (!server.alive()) {
                throw new CommunicationError("The maestral daemon of '" + name + "' (pid "
                        + control.pid() + ") is not running; " + folder + " is left from it");
            }
            client = claim(endpoint, settings, control, server, folder, deadline, timeout);
        } catch (IOException e) {
            control.close();
            throw new CommunicationError("Cannot connect to the maestral daemon of '" + name
                    + "' over shm: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            control.close();
            throw e instanceof CommunicationError ce ? ce : new CommunicationError(
                    "Cannot connect to the maestral daemon of '" + name + "' over shm: " + e, e);
        }
        try {
            client.handshake(hello, deadline, timeout);
        } catch (RuntimeException e) {
            client.abandon();
            throw e;
        }
        client.watchdog.start();
        return client;
    }

    /**
     * Claims a ready session (one this JVM used before first: its queues are still open),
     * asking the daemon for one and waiting when none is ready, until the deadline.
     */
    private static ShmClient claim(Endpoint endpoint, ShmSettings settings, ControlFile control, Peer server,
                                   Path folder, long deadline, Duration timeout) throws IOException {
        String name = endpoint.configName();
        ProcessHandle self = ProcessHandle.current();
        long mine = ControlFile.claim(self.pid());
        long nonce = control.nonce();
        int slot = -1;
        while (slot < 0) {
            int seen = control.provisioned();
            for (int i : SessionQueues.cachedSlots(nonce)) {
                if (control.slotState(i) == SLOT_READY && SessionQueues.cached(nonce, i, control.incarnation(i))
                        && control.compareAndSetSlot(i, SLOT_READY, mine)) {
                    slot = i;
                    break;
                }
            }
            for (int i = 0; i < MAX_SESSIONS && slot < 0; i++) {
                if (control.slotState(i) == SLOT_READY && control.compareAndSetSlot(i, SLOT_READY, mine)) {
                    slot = i;
                }
            }
            control.askForSession(); // to keep one ready for the next client, or one for this
            if (slot >= 0) {
                break;
            }
            if (!control.running() || !server.alive()) {
                throw new CommunicationError("The maestral daemon of '" + name + "' (pid "
                        + control.pid() + ") closed while this client connected");
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new CommunicationError("The maestral daemon of '" + name + "' (pid "
                        + control.pid() + ") had no shm session ready within " + timeout);
            }
            control.awaitReady(seen, Math.min(left, 50_000_000L));
        }
        long previous = control.session(slot);
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0 || id == previous);
        control.setOwner(slot, id, Peer.startMillis(self));
        int incarnation = control.incarnation(slot);
        Path dir = folder.resolve(SESSIONS).resolve(sessionFolder(slot, incarnation));
        SessionQueues queues;
        try {
            FileTrees.checkPrivate(dir);
            queues = SessionQueues.take(dir, nonce, slot, incarnation, previous, settings);
        } catch (IOException | RuntimeException e) {
            control.setOwner(slot, 0, 0); // the daemon's watchdog takes the slot back once this process ends
            throw e;
        }
        return new ShmClient(endpoint, settings, control, server, slot, id, queues);
    }

    private static ControlFile awaitControlFile(Path file, long deadline, String name) {
        IOException last = null;
        while (true) {
            try {
                return ControlFile.open(file);
            } catch (IOException e) {
                last = e;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new CommunicationError("No maestral daemon serves '" + name + "' over shm: "
                        + last.getMessage(), last);
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }

    private void handshake(Handshake hello, long deadline, Duration timeout) {
        if (!send(HELLO, 0, hello)) {
            throw new CommunicationError("Cannot send the hello to the maestral daemon of '" + configName + "'");
        }
        long nextCheck = System.nanoTime() + HANDSHAKE_CHECK_NANOS; // the daemon was alive a moment ago
        readerBusy.set(true);
        try {
            while (serverHello == null && refusal == null) {
                long now = System.nanoTime();
                if (now - nextCheck >= 0) {
                    CommunicationError gone = checkServer();
                    if (gone != null) {
                        throw gone;
                    }
                    nextCheck = now + HANDSHAKE_CHECK_NANOS;
                }
                readUntil(() -> serverHello != null || refusal != null || failure != null,
                        Math.min(deadline, nextCheck));
                if (failure != null) {
                    throw failure;
                }
                if (serverHello == null && refusal == null && System.nanoTime() - deadline >= 0) {
                    throw new CommunicationError("The maestral daemon of '" + configName + "' (pid "
                            + server.pid() + ") did not answer the shm handshake within " + timeout);
                }
            }
        } finally {
            readerBusy.set(false);
        }
        if (refusal != null) {
            send(BYE, 0, null); // the daemon makes the session ready again
            throw new CommunicationError(refusal);
        }
        try {
            hello.requireCompatible(serverHello);
        } catch (CommunicationError e) {
            send(BYE, 0, null);
            throw e;
        }
    }

    // ---- calls -----------------------------------------------------------------------

    @Override
    public Handshake serverHello() {
        return serverHello;
    }

    @Override
    public CallResult call(MethodCall call, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        checkOpen();
        long correlationId = nextCorrelation.incrementAndGet();
        Pending p = new Pending(Thread.currentThread());
        pending.put(correlationId, p);
        if (watchdogIdle) {
            LockSupport.unpark(watchdog); // it watches the daemon closely while calls wait
        }
        try {
            checkOpen();
            try {
                if (!send(CALL, correlationId, call)) {
                    throw closedError();
                }
            } catch (UnsendableException e) {
                throw FrameLimit.cannotSend(call, e);
            } catch (CommunicationError e) {
                throw e;
            } catch (RuntimeException e) {
                throw new CommunicationError("Cannot send " + call + " to the maestral daemon of '"
                        + configName + "': " + e, e);
            }
            long sentAt = System.nanoTime();
            CallResult result = await(p, call, deadline, timeoutNanos);
            answerTimes.observe(System.nanoTime() - sentAt);
            return result;
        } finally {
            pending.remove(correlationId);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw closedError();
        }
        CommunicationError f = failure;
        if (f == null && !serverRunning()) {
            f = fail(new CommunicationError("The maestral daemon of '" + configName + "' closed the connection"));
        }
        if (f != null) {
            throw new CommunicationError(f.getMessage(), f);
        }
    }

    private boolean serverRunning() {
        try {
            return control.running();
        } catch (IllegalStateException e) { // unmapped by close()
            return false;
        }
    }

    private CommunicationError closedError() {
        return new CommunicationError("The shm connection to the maestral daemon of '" + configName + "' is closed");
    }

    private CallResult await(Pending p, MethodCall call, long deadline, long timeoutNanos) {
        long waitingSince = System.nanoTime();
        while (true) {
            CallResult r = p.result;
            if (r != null) {
                return r;
            }
            CommunicationError f = p.failure;
            if (f != null) {
                throw new CommunicationError(f.getMessage(), f);
            }
            long now = System.nanoTime();
            long left = deadline - now;
            if (left <= 0) {
                throw new CallTimeoutError(call + " got no answer from the maestral daemon of '"
                        + configName + "' within " + Duration.ofNanos(timeoutNanos));
            }
            if (!readerBusy.get() && readerBusy.compareAndSet(false, true)) {
                try {
                    readUntilDone(p, deadline);
                } finally {
                    readerBusy.set(false);
                    passReaderRole();
                }
                waitingSince = System.nanoTime();
            } else {
                follow(p, now - waitingSince, left);
            }
        }
    }

    /**
     * One wait step of a caller while another caller reads: spin briefly, then yield, then
     * park until the reader hands over the answer or the role (sleepy: park at once). A
     * waiting caller never spins for long, whatever the idle strategy: on a small machine it
     * would starve the threads that must answer it.
     */
    private void follow(Pending p, long waitedNanos, long leftNanos) {
        if (waitedNanos == 0) {
            Thread reader = roleHolder; // it may be parked after a quiet time: it should poll now
            if (reader != null) {
                LockSupport.unpark(reader);
            }
        }
        if (followerSpins && waitedNanos < FOLLOWER_SPIN_NANOS) {
            Thread.onSpinWait();
        } else if (followerSpins && waitedNanos < FOLLOWER_YIELD_NANOS) {
            Thread.yield();
        } else {
            p.parked = true;
            if (!p.done() && readerBusy.get()) {
                LockSupport.parkNanos(this, Math.min(leftNanos, settings.maxParkNanos()));
            }
            p.parked = false;
        }
    }

    private void readUntilDone(Pending p, long deadline) {
        roleHolder = Thread.currentThread();
        try {
            readUntil(() -> p.done() || failure != null || closed.get(), deadline);
        } finally {
            roleHolder = null;
        }
    }

    /**
     * Reads the reply queue until {@code done} holds or the deadline passes: while answers
     * come it reads on; when none comes it spins for {@link ShmSettings#spinNanos()}, then
     * sleeps on the session's reply futex, which the daemon wakes after each answer (and this
     * client's watchdog or {@link #close()} when the connection ends). Only the holder of the
     * reader role calls it.
     */
    private void readUntil(java.util.function.BooleanSupplier done, long deadline) {
        long spin = answerTimes.spinNanos(settings);
        long lastWork = System.nanoTime();
        while (!done.getAsBoolean()) {
            int work = drain(null);
            long now = System.nanoTime();
            if (work > 0) {
                lastWork = now;
                continue;
            }
            long left = deadline - now;
            if (left <= 0) {
                return;
            }
            if (now - lastWork < spin) {
                Thread.onSpinWait();
                continue;
            }
            try {
                control.setWaiting(slot, true);
                int seq = control.replySeq(slot);
                if (drain(null) == 0 && !done.getAsBoolean()) {
                    control.awaitReply(slot, seq, Math.min(left, settings.maxSleepNanos()));
                }
                control.setWaiting(slot, false);
            } catch (IllegalStateException e) { // the control file is unmapped: closed
                return;
            }
            lastWork = System.nanoTime();
        }
    }

    /** Wakes a parked caller to take the reader role; a spinning one takes it by itself. */
    private void passReaderRole() {
        Thread self = Thread.currentThread();
        for (Pending other : pending.values()) {
            if (other.waiter != self && !other.done()) {
                if (other.parked) {
                    LockSupport.unpark(other.waiter);
                }
                return;
            }
        }
    }

    /**
     * Reads what the reply queue holds; only the holder of the reader role calls it.
     *
     * @param mine the caller's own pending call, which it does not wake
     * @return how many frames it read
     */
    private int drain(Pending mine) {
        int n = 0;
        for (; n < MAX_FRAMES_PER_POLL; n++) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    break;
                }
                handleFrame(dc.wire().bytes(), mine);
            } catch (RuntimeException e) {
                if (!closed.get()) {
                    LOG.warn("could not read the reply queue {}: {}", myDir, e.toString());
                    fail(new CommunicationError("Cannot read the answers of the maestral daemon of '"
                            + configName + "': " + e, e));
                }
                break;
            }
        }
        int cycle = tailer.cycle();
        if (cycle != queues.readerCycle) {
            queues.readerCycle = cycle;
            queues.janitor.readerAt(cycle);
        }
        return n;
    }

    private void handleFrame(Bytes<?> in, Pending mine) {
        FrameCodec.Header h;
        try {
            h = FrameCodec.readHeader(in);
        } catch (MalformedFrameException e) {
            LOG.warn("dropped a malformed frame in {}: {}", myDir, e.getMessage());
            return;
        }
        if (h.sessionId() != sessionId) {
            return; // an earlier client's, in a session used one client after another
        }
        if (h.type() == VOID) {
            return; // given up while it was written; its frame follows as FRAGMENTs or not at all
        }
        if (h.type() == FRAGMENT) {
            FrameAssembler.Joined joined;
            try {
                joined = assembler.accept(h, in);
            } catch (MalformedFrameException e) {
                LOG.warn("dropped a fragmented frame in {}: {}", myDir, e.getMessage());
                Pending p = pending.get(h.correlationId());
                if (p != null) {
                    p.failure = new CommunicationError("The answer of the maestral daemon of '"
                            + configName + "' could not be decoded: " + e.getMessage(), e);
                    LockSupport.unpark(p.waiter);
                }
                return;
            }
            if (joined != null) {
                try {
                    handleFrame(joined.header(), joined.body(), mine);
                } finally {
                    joined.release();
                }
            }
            return;
        }
        handleFrame(h, in, mine);
    }

    private void handleFrame(FrameCodec.Header h, Bytes<?> in, Pending mine) {
        switch (h.type()) {
            case REPLY -> {
                Pending p = pending.get(h.correlationId());
                if (p == null) {
                    return; // its caller gave up waiting
                }
                try {
                    p.result = readCodec.readResult(in);
                } catch (RuntimeException e) {
                    p.failure = new CommunicationError("The answer of the maestral daemon of '"
                            + configName + "' could not be decoded: " + e.getMessage(), e);
                }
                if (p != mine && p.parked) {
                    LockSupport.unpark(p.waiter);
                }
            }
            case WELCOME -> serverHello = readCodec.readHandshake(in);
            case REFUSED -> refusal = readCodec.readString(in);
            case BYE_ACK -> byeAcknowledged = true;
            case GOODBYE -> {
                fail(new CommunicationError("The maestral daemon of '" + configName
                        + "' closed the connection: " + readCodec.readString(in)));
                try { // every answer before the GOODBYE is read: the daemon may delete the queue
                    Files.createFile(myDir.resolve(GOODBYE_READ_FILE));
                } catch (IOException | RuntimeException e) {
                    LOG.debug("cannot tell the daemon the GOODBYE was read: {}", e.toString());
                }
            }
            default -> LOG.warn("dropped an unexpected {} frame in {}", typeName(h.type()), myDir);
        }
    }

    private boolean send(int type, long correlationId, Object body) {
        appendLock.lock();
        try {
            if (appenderClosed) {
                return false;
            }
            writer.write(appender, type, sessionId, correlationId, body);
            control.ring(slot);
            return true;
        } finally {
            appendLock.unlock();
        }
    }

    // ---- liveness --------------------------------------------------------------------

    private CommunicationError checkServer() {
        if (!serverRunning()) {
            return new CommunicationError("The maestral daemon of '" + configName + "' closed the connection");
        }
        if (!server.alive()) {
            return new CommunicationError("The maestral daemon of '" + configName + "' (pid "
                    + server.pid() + ") died");
        }
        return null;
    }

    private void watch() {
        long period = settings.livenessPeriod().toNanos();
        long seen = nextCorrelation.get();
        long lastCall = System.nanoTime() - PreRoll.ACTIVE_NANOS;
        while (!closed.get() && failure == null) {
            boolean active = System.nanoTime() - lastCall < PreRoll.ACTIVE_NANOS;
            if (active) {
                LockSupport.parkNanos(Math.min(period, PreRoll.nanosToNextCycle()));
            } else {
                watchdogIdle = true; // a call wakes it: see call()
                if (pending.isEmpty()) {
                    LockSupport.parkNanos(IDLE_CHECK_NANOS);
                } else {
                    LockSupport.parkNanos(period);
                }
                watchdogIdle = false;
            }
            if (closed.get()) {
                return;
            }
            CommunicationError gone = checkServer();
            if (gone != null) {
                readAnswersLeft();
                fail(gone);
                return;
            }
            if (!readerBusy.get()) {
                passReaderRole(); // in case a hand-over was missed
            }
            long now = nextCorrelation.get();
            if (now != seen) {
                seen = now;
                lastCall = System.nanoTime();
            }
            if (active) {
                preRoll();
            }
        }
    }

    /**
     * Reads the answers already in the reply queue (taking the reader role, waiting 200 ms at
     * most for it), so that a daemon that answered and then closed is not taken for one that
     * failed those calls.
     */
    private void readAnswersLeft() {
        long end = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() - end < 0) {
            if (!readerBusy.get() && readerBusy.compareAndSet(false, true)) {
                try {
                    while (!closed.get() && drain(null) > 0) {
                        // until the queue holds nothing more
                    }
                } finally {
                    readerBusy.set(false);
                }
                return;
            }
            LockSupport.parkNanos(100_000L);
        }
    }

    /** Moves this client's writer and reader into the new cycle while no call needs them. */
    private void preRoll() {
        try {
            if (appendLock.tryLock()) {
                try {
                    if (!appenderClosed) {
                        writer.requireSpace(appender, true);
                        PreRoll.roll(queues.requests, appender);
                        queues.toucher.touchAhead(appender);
                    }
                } finally {
                    appendLock.unlock();
                }
            }
            if (!readerBusy.get() && readerBusy.compareAndSet(false, true)) {
                try {
                    if (!closed.get()) {
                        drain(null);
                    }
                } finally {
                    readerBusy.set(false);
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("could not roll ahead: {}", e.toString());
        }
    }

    private CommunicationError fail(CommunicationError error) {
        if (failure == null) {
            failure = error;
            LOG.debug("shm client of '{}' fails: {}", configName, error.getMessage());
        }
        CommunicationError f = failure;
        for (Pending p : pending.values()) {
            if (p.result == null) {
                p.failure = f;
            }
            LockSupport.unpark(p.waiter);
        }
        wakeReader();
        return f;
    }

    /** Wakes the holder of the reader role from its futex sleep, to look at the state. */
    private void wakeReader() {
        try {
            control.wakeReplyWaiter(slot);
        } catch (IllegalStateException e) {
            // unmapped: nobody sleeps on it any more
        }
    }

    // ---- TransportClient -------------------------------------------------------------

    @Override
    public boolean isOpen() {
        return !closed.get() && failure == null && serverRunning();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (!pending.isEmpty()) {
            CommunicationError err = closedError();
            for (Pending p : pending.values()) {
                p.failure = err;
                LockSupport.unpark(p.waiter);
            }
        }
        LockSupport.unpark(watchdog);
        wakeReader();
        boolean serverUp = failure == null && serverRunning(); // a dead one fails the BYE wait below
        boolean byeSent = false;
        if (serverUp) {
            try {
                byeSent = send(BYE, 0, null);
            } catch (RuntimeException e) {
                LOG.debug("could not say bye: {}", e.toString());
            }
        }
        boolean reader = takeReaderRole(Duration.ofSeconds(2));
        if (reader && byeSent) {
            long end = System.nanoTime() + BYE_WAIT.toNanos();
            readUntil(() -> byeAcknowledged, Math.min(end, System.nanoTime() + HANDSHAKE_CHECK_NANOS));
            while (!byeAcknowledged && System.nanoTime() - end < 0 && checkServer() == null) {
                readUntil(() -> byeAcknowledged, Math.min(end, System.nanoTime() + HANDSHAKE_CHECK_NANOS));
            }
        }
        boolean reusable = reader && byeAcknowledged;
        if (!reader) {
            LOG.warn("a caller still reads the replies of '{}'; its queue stays open", configName);
        }
        closeWriter();
        if (reusable) {
            queues.release(sessionId);
        } else if (reader) {
            queues.close();
        }
        try {
            watchdog.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        control.close();
    }

    /** Closes the request writer, waiting for a send in progress; nothing is sent after this. */
    private void closeWriter() {
        appendLock.lock();
        try {
            appenderClosed = true;
        } finally {
            appendLock.unlock();
        }
    }

    /** Undoes a connect that failed after the queues were opened. */
    private void abandon() {
        closed.set(true);
        try {
            send(BYE, 0, null); // the daemon makes the session ready again
        } catch (RuntimeException e) {
            LOG.debug("could not say bye: {}", e.toString());
        }
        closeWriter();
        queues.close();
        control.close();
    }

    private boolean takeReaderRole(Duration wait) {
        long end = System.nanoTime() + wait.toNanos();
        while (!readerBusy.compareAndSet(false, true)) {
            if (System.nanoTime() - end >= 0) {
                return false;
            }
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
        return true;
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close failed: {}", e.toString());
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            FileTrees.deleteTree(dir);
        } catch (IOException e) {
            LOG.debug("could not remove {}: {}", dir, e.toString());
        }
    }

    @Override
    public String toString() {
        return "ShmClient[" + configName + ", session " + Long.toHexString(sessionId) + "]";
    }

    /** A call waiting for its answer. */
    private static final class Pending {
        final Thread waiter;
        volatile CallResult result;
        volatile CommunicationError failure;
        volatile boolean parked;

        Pending(Thread waiter) {
            this.waiter = waiter;
        }

        boolean done() {
            return result != null || failure != null;
        }
    }
}
