package maestral.daemon.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import maestral.api.MaestralApiError;
import maestral.api.spi.CallDispatcher;
import maestral.api.spi.CallResult;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MaestralDispatcher;
import maestral.api.spi.MethodCall;
import maestral.api.spi.TransportProvider;
import maestral.api.spi.TransportServer;
import maestral.lock.Lock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a daemon in this process, from taking the lock to releasing it:
 * <ol>
 *   <li>take the configuration's lock, or fail touching nothing;</li>
 *   <li>under the lock, wait for a predecessor that still runs on a deleted or replaced lock
 *       file to step down (or fail, starting nothing), so that two daemons never serve one
 *       configuration;</li>
 *   <li>remove stale endpoint files and bind every transport;</li>
 *   <li>create the served object, start syncing when asked, publish the instance record;</li>
 *   <li>serve until {@code shutdownDaemon()}, SIGTERM/SIGINT/SIGHUP, or the lock file being
 *       deleted or replaced (then another daemon could start: this one steps down);</li>
 *   <li>wake long polls, let running calls finish (5 s at most), close the servers (which
 *       removes their files), remove the record, release the lock. Only files this run can
 *       prove are its own go: each transport removes only the files it created (the uds
 *       server the socket inode it bound), and the record goes only with this run's instance
 *       id; a successor's files stay.</li>
 * </ol>
 */
public final class DaemonRunner {

    private static final Logger LOG = LoggerFactory.getLogger(DaemonRunner.class);
    private static final Map<String, DaemonRunner> RUNNING = new ConcurrentHashMap<>();
    private static final Duration DRAIN = Duration.ofSeconds(5);
    /** How long the transports get, after the drain, to put the last answers on their way. */
    private static final Duration ANSWERS_SENT = Duration.ofSeconds(1);
    /** How long the transports may take to bind, all together. */
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);
    /** How long a new daemon waits for a predecessor on a deleted lock file to step down. */
    private static final Duration PREDECESSOR_WAIT = Duration.ofSeconds(15);

    private final String configName;
    private final Folders folders;
    private final Lock lock;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile String stopReason = "";
    private volatile String instanceId = "";

    private DaemonRunner(String configName, Folders folders, Lock lock) {
        this.configName = configName;
        this.folders = folders;
        this.lock = lock;
    }

    /**
     * Runs a daemon in the calling thread until it shuts down.
     *
     * @param configName the configuration
     * @param logToStdout whether to log to standard output as well as to the log file
     * @param startSync whether to start syncing
     * @throws IllegalStateException when a daemon for the configuration is already running
     */
    public static void run(String configName, boolean logToStdout, boolean startSync) {
        ConfigNames.check(configName);
        Folders folders = Folders.current();
        Folders.ensurePrivate(folders.runtime());
        Lock lock = Lock.singleton(configName, folders.runtime());
        if (!lock.acquire()) {
            throw new AlreadyRunningException("Maestral daemon for config '" + configName
                    + "' is already running" + lock.lockingPid().stream()
                    .mapToObj(pid -> " (pid " + pid + ")").findFirst().orElse(""));
        }
        DaemonRunner runner = new DaemonRunner(configName, folders, lock);
        RUNNING.put(configName, runner);
        Thread hook = new Thread(runner::onSignal, "maestral-shutdown-" + configName);
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            runner.serve(logToStdout, startSync);
        } finally {
            RUNNING.remove(configName, runner);
            lock.release();
            runner.finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for this run to finish
            }
            LOG.info("Maestral daemon for '{}' stopped", configName);
        }
    }

    /**
     * Asks the daemon of a configuration running in this process to stop.
     *
     * @param configName the configuration
     * @param reason why, for the log
     * @return whether such a daemon runs here
     */
    public static boolean requestStop(String configName, String reason) {
        DaemonRunner runner = RUNNING.get(configName);
        if (runner == null) {
            return false;
        }
        runner.requestStop(reason);
        return true;
    }

    private void requestStop(String reason) {
        if (stopRequested.getCount() > 0) {
            stopReason = reason;
            stopRequested.countDown();
        }
    }

    private void onSignal() {
        requestStop("a signal (SIGTERM, SIGINT or SIGHUP)");
        try {
            if (!finished.await(15, TimeUnit.SECONDS)) {
                LOG.error("Shutdown took longer than 15 s; exiting anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void serve(boolean logToStdout, boolean startSync) {
        Logging.toFile(folders.logFile(configName), logToStdout);
        Path socket = folders.socketFile(configName);
        if (!socket.getParent().equals(folders.runtime())) {
            Folders.ensurePrivate(socket.getParent());
            LOG.info("The socket path in {} would be too long; using {}", folders.runtime(), socket);
        }
        awaitPredecessor(socket);
        removeStale(socket);
        removeStale(folders.instanceFile(configName));

        List<TransportServer> servers = new ArrayList<>();
        LocalMaestral served = new LocalMaestral(configName, folders, Logging::setLevel,
                () -> requestStop("shutdownDaemon() was called"));
        try {
            instanceId = UUID.randomUUID().toString();
            CallDispatcher counting = new CountingDispatcher(new MaestralDispatcher(served), inFlight);
            Endpoint endpoint = Connector.endpoint(folders, configName);
            List<TransportProvider> providers = Transports.forDaemon();
            List<CompletableFuture<TransportServer>> binds = new ArrayList<>();
            for (TransportProvider provider : providers) {
                binds.add(bindInBackground(provider, endpoint, counting));
            }
            if (startSync) { // meanwhile: the transports bind on their own threads
                try {
                    served.startSync();
                } catch (MaestralApiError e) {
                    LOG.warn("Not syncing: {}", e.getMessage());
                }
            }
            Map<String, String> endpoints = new LinkedHashMap<>();
            long bindDeadline = System.nanoTime() + BIND_TIMEOUT.toNanos();
            for (int i = 0; i < providers.size(); i++) {
                TransportServer server = awaitBound(providers.get(i), binds.get(i), bindDeadline);
                if (server != null) {
                    servers.add(server);
                    endpoints.put(providers.get(i).id(), server.address());
                }
            }
            if (servers.isEmpty()) {
                throw new IllegalStateException("No transport could be bound for '" + configName
                        + "'; see the log " + folders.logFile(configName));
            }
            new InstanceRecord(ProcessHandle.current().pid(), Instant.now(), served.version(),
                    instanceId, endpoints).write(folders.instanceFile(configName));
            LOG.info("Maestral daemon for '{}' ready: pid {}, serving {}", configName,
                    ProcessHandle.current().pid(), endpoints);

            awaitStop();
            LOG.info("Shutting down: {}", stopReason);
            served.close();
            drain();
        } finally {
            served.close();
            long answersDeadline = System.nanoTime() + ANSWERS_SENT.toNanos();
            for (TransportServer server : servers) {
                // the last answers, such as shutdownDaemon's, go out before the connections close
                if (!server.awaitAnswersSent(Duration.ofNanos(Math.max(0, answersDeadline - System.nanoTime())))) {
                    LOG.warn("Transport '{}' still had answers to send after {}", server.transportId(), ANSWERS_SENT);
                }
            }
            for (TransportServer server : servers.reversed()) {
                try {
                    server.close();
                } catch (RuntimeException e) {
                    LOG.warn("Closing transport '{}' failed: {}", server.transportId(), e.toString());
                }
            }
            removeOwnRecord();
        }
    }

    /** Removes the instance record unless another daemon has written its own meanwhile. */
    private void removeOwnRecord() {
        Path file = folders.instanceFile(configName);
        InstanceRecord.read(file).filter(r -> r.pid() == ProcessHandle.current().pid()
                        && r.instanceId().equals(instanceId))
                .ifPresent(r -> removeStale(file));
    }

    /**
     * Binds a transport on a thread of its own, so that a slow one (shm's first Chronicle queue
     * takes hundreds of milliseconds in a fresh JVM) does not hold up the others.
     */
    private CompletableFuture<TransportServer> bindInBackground(TransportProvider provider, Endpoint endpoint,
                                                                CallDispatcher dispatcher) {
        CompletableFuture<TransportServer> bound = new CompletableFuture<>();
        // not a daemon thread, as the main thread is not: the threads a transport starts inherit it
        Thread.ofPlatform().name("maestral-bind-" + provider.id()).daemon(false).start(() -> {
            try {
                bound.complete(provider.bind(endpoint, Handshake.server(provider.id(), instanceId), dispatcher));
            } catch (Throwable e) {
                bound.completeExceptionally(e);
            }
        });
        return bound;
    }

    /**
     * {@return the bound server, or {@code null} when the transport failed to bind (logged) or
     * did not bind by the deadline (then closed whenever it does)}
     */
    private static TransportServer awaitBound(TransportProvider provider, CompletableFuture<TransportServer> bind,
                                              long deadline) {
        try {
            return bind.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            LOG.error("Cannot serve transport '{}': {}", provider.id(), e.getCause().toString());
        } catch (TimeoutException e) {
            LOG.error("Cannot serve transport '{}': not bound within {}", provider.id(), BIND_TIMEOUT);
            bind.thenAccept(TransportServer::close);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            bind.thenAccept(TransportServer::close);
            throw new IllegalStateException("interrupted while transport '" + provider.id() + "' was binding", e);
        }
        return null;
    }

    /**
     * Waits while another daemon of this configuration still runs although this one holds the
     * lock: one whose lock file was deleted or replaced, which steps down within about a
     * second plus its drain. It is found by the instance record (a live pid, not this one,
     * that started before it wrote the record) or by a socket that still accepts connections.
     *
     * @throws IllegalStateException naming it when it does not go within 15 s; nothing started
     */
    private void awaitPredecessor(Path socket) {
        long end = System.nanoTime() + PREDECESSOR_WAIT.toNanos();
        String who = predecessor(socket);
        if (who == null) {
            return;
        }
        LOG.warn("Another daemon for '{}' still runs ({}): its lock file was deleted or replaced; "
                + "waiting for it to step down", configName, who);
        while (who != null) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException("Another maestral daemon for '" + configName
                        + "' still runs (" + who + ") although its lock file " + lock.path()
                        + " was deleted or replaced, and it did not step down within "
                        + PREDECESSOR_WAIT.toSeconds() + " s; stop it first");
            }
            sleep(50);
            who = predecessor(socket);
        }
        LOG.info("The previous daemon for '{}' has stepped down", configName);
    }

    /** {@return a description of a live predecessor, or null when there is none} */
    private String predecessor(Path socket) {
        long self = ProcessHandle.current().pid();
        var record = InstanceRecord.read(folders.instanceFile(configName));
        if (record.isPresent() && record.get().pid() != self) {
            InstanceRecord r = record.get();
            boolean alive = ProcessHandle.of(r.pid()).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().startInstant().map(s -> !s.isAfter(r.started())).orElse(true))
                    .isPresent();
            if (alive) {
                return "pid " + r.pid() + ", instance " + r.instanceId();
            }
        }
        if (Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (var ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket))) {
                return ch.isConnected() ? "a process that accepts connections on " + socket : null;
            } catch (IOException | RuntimeException refused) {
                return null; // stale: nobody listens
            }
        }
        return null;
    }

    private void awaitStop() {
        try {
            while (!stopRequested.await(1, TimeUnit.SECONDS)) {
                if (!lock.holdsCurrentFile()) {
                    requestStop("the lock file " + lock.path() + " was deleted or replaced; "
                            + "another daemon could start, so this one steps down");
                    LOG.error("The lock file {} was deleted or replaced: stopping", lock.path());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopReason = "the daemon thread was interrupted";
        }
    }

    private void drain() {
        long end = System.nanoTime() + DRAIN.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < end) {
            sleep(10);
        }
        if (inFlight.get() > 0) {
            LOG.warn("{} calls still running after {}; they fail", inFlight.get(), DRAIN);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeStale(Path file) {
        try {
            if (Files.deleteIfExists(file)) {
                LOG.debug("Removed {}", file);
            }
        } catch (IOException e) {
            LOG.warn("Cannot remove {}: {}", file, e.toString());
        }
    }

    /**
     * Counts the calls in flight (the daemon drains them before it stops) around another
     * dispatcher, and passes on which calls it answers at once.
     *
     * @param target the dispatcher that carries the calls out
     * @param inFlight the count of calls in flight
     */
    record CountingDispatcher(CallDispatcher target, AtomicInteger inFlight) implements CallDispatcher {
        @Override
        public CallResult dispatch(MethodCall call) {
            inFlight.incrementAndGet();
            try {
                return target.dispatch(call);
            } finally {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public boolean answersAtOnce(MethodCall call) {
            return target.answersAtOnce(call);
        }
    }
}
