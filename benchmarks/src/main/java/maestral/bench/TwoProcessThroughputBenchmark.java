package maestral.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import maestral.daemon.MaestralProxy;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of {@code status()} from two client processes at once: this JVM's one thread
 * (the primary score) and a {@link LoadClient} child JVM running the same loop over the same
 * transport all along. The child's calls during each measured iteration are the secondary
 * score {@code otherProcess} (calls per millisecond over the same window, read from a counter
 * it publishes in shared memory); the sum of both is the daemon's total.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.NO_DISK_MONITOR,
        Jvm.OPEN_REFLECT, Jvm.EXPORT_NIO, Jvm.EXPORT_REF, Jvm.NATIVE_ACCESS, Jvm.UNSAFE_ALLOW})
public class TwoProcessThroughputBenchmark {

    /** The transport both clients use. */
    @Param({"uds", "shm"})
    public String transport;

    private DaemonFixture daemon;
    private MaestralProxy proxy;
    private Arena arena;
    private MemorySegment counter;
    private ChildJvm other;

    /** Creates the state; JMH calls it. */
    public TwoProcessThroughputBenchmark() {
    }

    /** Starts the daemon, connects, and starts the other client process. */
    @Setup(Level.Trial)
    public void start() {
        daemon = DaemonFixture.start();
        arena = Arena.ofShared();
        try {
            proxy = Clients.connect(transport);
            Path file = daemon.folders().base().resolve("load-counter");
            counter = ShmPingPongDescriptor.map(file, arena);
            List<String> options = new ArrayList<>(daemon.folders().systemPropertyOptions());
            options.add("-Dmaestral.transport=" + transport);
            other = ChildJvm.start(LoadClient.class, options, file.toString());
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    /** Ends the other client, disconnects and stops the daemon. */
    @TearDown(Level.Trial)
    public void stop() {
        try {
            if (other != null) {
                other.close();
            }
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            arena.close();
            daemon.close();
        }
    }

    /** {@return the other process's running count of calls} */
    long otherCalls() {
        return ShmPingPongDescriptor.getAcquire(counter, 0);
    }

    /**
     * The other process's calls during the iteration, which JMH divides by the iteration's
     * time: calls per millisecond of the other client, over the same window.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class OtherProcess {

        private long base;
        private long end;

        /** Creates the counter; JMH calls it. */
        public OtherProcess() {
        }

        /**
         * Notes the other process's count at the start of an iteration.
         *
         * @param bench the benchmark state
         */
        @Setup(Level.Iteration)
        public void mark(TwoProcessThroughputBenchmark bench) {
            base = bench.otherCalls();
            end = base;
        }

        /**
         * Notes the other process's count at the end of an iteration, before the trial's
         * tear-down can end it (JMH reads the counters after both).
         *
         * @param bench the benchmark state
         */
        @TearDown(Level.Iteration)
        public void markEnd(TwoProcessThroughputBenchmark bench) {
            end = bench.otherCalls();
        }

        /** {@return the other process's calls during the iteration} */
        public long otherProcess() {
            return end - base;
        }
    }

    /**
     * {@return the status, from this process while the other process calls too}
     *
     * @param other the other process's counter
     */
    @Benchmark
    @Threads(1)
    public String status(OtherProcess other) {
        return proxy.status();
    }
}
