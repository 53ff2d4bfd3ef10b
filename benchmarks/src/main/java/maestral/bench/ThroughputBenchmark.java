package maestral.bench;

import java.util.concurrent.TimeUnit;
import maestral.daemon.MaestralProxy;
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
 * Throughput of {@code status()} from 1, 2 and 4 threads sharing one {@link MaestralProxy}
 * (its calls are multiplexed over one connection), per transport. JMH sums the threads: the
 * score is the total calls per millisecond of the process.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.NO_DISK_MONITOR,
        Jvm.OPEN_REFLECT, Jvm.EXPORT_NIO, Jvm.EXPORT_REF, Jvm.NATIVE_ACCESS, Jvm.UNSAFE_ALLOW})
public class ThroughputBenchmark {

    /** The transport the proxy uses. */
    @Param({"uds", "shm"})
    public String transport;

    private DaemonFixture daemon;
    private MaestralProxy proxy;

    /** Creates the state; JMH calls it. */
    public ThroughputBenchmark() {
    }

    /** Starts the daemon and connects one shared proxy. */
    @Setup(Level.Trial)
    public void start() {
        daemon = DaemonFixture.start();
        try {
            proxy = Clients.connect(transport);
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
    }

    /** Disconnects and stops the daemon. */
    @TearDown(Level.Trial)
    public void stop() {
        try {
            proxy.close();
        } finally {
            daemon.close();
        }
    }

    /** {@return the status, from one thread} */
    @Benchmark
    @Threads(1)
    public String status1Thread() {
        return proxy.status();
    }

    /** {@return the status, from each of two threads} */
    @Benchmark
    @Threads(2)
    public String status2Threads() {
        return proxy.status();
    }

    /** {@return the status, from each of four threads} */
    @Benchmark
    @Threads(4)
    public String status4Threads() {
        return proxy.status();
    }
}
