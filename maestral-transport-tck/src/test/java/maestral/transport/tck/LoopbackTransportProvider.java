package maestral.transport.tck;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import maestral.api.CallTimeoutError;
import maestral.api.CommunicationError;
import maestral.api.spi.Availability;
import maestral.api.spi.CallDispatcher;
import maestral.api.spi.CallResult;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.ByteBufferWire;
import maestral.api.spi.FrameLimit;
import maestral.api.spi.MethodCall;
import maestral.api.spi.UnsendableException;
import maestral.api.spi.WireFormat;
import maestral.api.spi.TransportClient;
import maestral.api.spi.TransportProvider;
import maestral.api.spi.TransportServer;

/**
 * An in-memory transport within one JVM, only to prove the conformance suite: servers are
 * found by socket path in a static table, and each call runs on a virtual thread of the
 * server. Calls and answers travel as bytes of the SPI's shared {@link WireFormat} (through a
 * {@link ByteBufferWire}), as a third-party transport would send them, under the one
 * {@link FrameLimit}.
 */
public final class LoopbackTransportProvider implements TransportProvider {

    private static final ConcurrentMap<Path, LoopbackServer> SERVERS = new ConcurrentHashMap<>();

    @Override
    public String id() {
        return "loopback";
    }

    @Override
    public int preference() {
        return 0;
    }

    @Override
    public Availability availability() {
        return Availability.supportedHere();
    }

    @Override
    public List<String> jvmOptions() {
        return List.of();
    }

    @Override
    public TransportServer bind(Endpoint endpoint, Handshake hello, CallDispatcher dispatcher)
            throws IOException {
        Path marker = endpoint.socketPath();
        Files.createFile(marker);
        LoopbackServer server = new LoopbackServer(marker, hello, dispatcher);
        if (SERVERS.putIfAbsent(marker, server) != null) {
            Files.deleteIfExists(marker);
            throw new IOException("already bound: " + marker);
        }
        return server;
    }

    @Override
    public TransportClient connect(Endpoint endpoint, Handshake hello, Duration timeout) {
        LoopbackServer server = SERVERS.get(endpoint.socketPath());
        if (server == null) {
            throw new CommunicationError("nothing serves " + endpoint.socketPath());
        }
        String refusal = server.hello.incompatibility(hello);
        if (refusal != null) {
            throw new CommunicationError("the daemon refused the connection: " + refusal);
        }
        hello.requireCompatible(server.hello);
        LoopbackClient client = new LoopbackClient(server, FrameLimit.maxFrameBytes());
        server.clients.add(client);
        return client;
    }

    private static final class LoopbackServer implements TransportServer {
        final Path marker;
        final Handshake hello;
        final CallDispatcher dispatcher;
        final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
        final Set<LoopbackClient> clients = ConcurrentHashMap.newKeySet();
        final maestral.api.spi.AnswerCounter unanswered = new maestral.api.spi.AnswerCounter();
        volatile boolean closed;

        @Override
        public boolean awaitAnswersSent(Duration timeout) {
            return unanswered.awaitNone(timeout);
        }

        final int maxFrameBytes = FrameLimit.maxFrameBytes();

        LoopbackServer(Path marker, Handshake hello, CallDispatcher dispatcher) {
            this.marker = marker;
            this.hello = hello;
            this.dispatcher = dispatcher;
        }

        @Override
        public String transportId() {
            return "loopback";
        }

        @Override
        public String address() {
            return "loopback:" + marker;
        }

        @Override
        public List<Path> files() {
            return List.of(marker);
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            SERVERS.remove(marker, this);
            clients.forEach(c -> c.fail(new CommunicationError("the daemon went away")));
            calls.shutdownNow();
            try {
                Files.deleteIfExists(marker);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    private static final class LoopbackClient implements TransportClient {
        final LoopbackServer server;
        final int maxFrameBytes;
        final Set<CompletableFuture<CallResult>> pending = ConcurrentHashMap.newKeySet();
        volatile CommunicationError failure;

        LoopbackClient(LoopbackServer server, int maxFrameBytes) {
            this.server = server;
            this.maxFrameBytes = maxFrameBytes;
        }

        @Override
        public Handshake serverHello() {
            return server.hello;
        }

        @Override
        public CallResult call(MethodCall call, long timeoutNanos) {
            ByteBuffer frame;
            try {
                ByteBufferWire out = ByteBufferWire.forWriting(256);
                new WireFormat().limit(maxFrameBytes).writeCall(out, call);
                frame = out.flip();
            } catch (UnsendableException e) {
                throw FrameLimit.cannotSend(call, e);
            }
            CompletableFuture<CallResult> answer = new CompletableFuture<>();
            pending.add(answer);
            try {
                if (failure != null) {
                    throw failure;
                }
                server.unanswered.begin();
                try {
                    server.calls.execute(() -> {
                        try {
                            answer.complete(decodeResult(serve(frame)));
                        } catch (RuntimeException e) {
                            answer.completeExceptionally(new CommunicationError(
                                    "a loopback frame could not be decoded: " + e, e));
                        } finally {
                            server.unanswered.end();
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    server.unanswered.end();
                    throw e;
                }
                return answer.get(timeoutNanos, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                throw new CommunicationError("the daemon went away", e);
            } catch (TimeoutException e) {
                throw new CallTimeoutError(call + " got no answer within "
                        + Duration.ofNanos(timeoutNanos));
            } catch (ExecutionException e) {
                throw (CommunicationError) e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommunicationError("interrupted while waiting for " + call, e);
            } finally {
                pending.remove(answer);
            }
        }

        /** The server's side: decodes the call, runs it, encodes its answer. */
        private ByteBuffer serve(ByteBuffer frame) {
            WireFormat format = new WireFormat().limit(server.maxFrameBytes);
            CallResult result = server.dispatcher.dispatch(format.readCall(ByteBufferWire.forReading(frame)));
            ByteBufferWire out = ByteBufferWire.forWriting(256);
            try {
                format.writeResult(out, result);
            } catch (UnsendableException e) {
                out = ByteBufferWire.forWriting(256);
                format.writeResult(out, FrameLimit.cannotAnswer(e));
            }
            return out.flip();
        }

        private static CallResult decodeResult(ByteBuffer frame) {
            return new WireFormat().readResult(ByteBufferWire.forReading(frame));
        }

        void fail(CommunicationError error) {
            failure = error;
            pending.forEach(f -> f.completeExceptionally(error));
        }

        @Override
        public boolean isOpen() {
            return failure == null;
        }

        @Override
        public void close() {
            server.clients.remove(this);
            if (failure == null) {
                fail(new CommunicationError("the connection is closed"));
            }
        }
    }
}
