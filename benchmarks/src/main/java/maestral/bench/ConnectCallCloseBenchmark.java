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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The command-line pattern inside one warm JVM: connect a {@link MaestralProxy}, make one
 * {@code status()} call, close it; per transport. Includes the lock check that decides a daemon
 * runs, the handshake, and tearing the connection down.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.NO_DISK_MONITOR,
        Jvm.OPEN_REFLECT, Jvm.EXPORT_NIO, Jvm.EXPORT_REF, Jvm.NATIVE_ACCESS, Jvm.UNSAFE_ALLOW})
public class ConnectCallCloseBenchmark {

    /** The transport each proxy uses. */
    @Param({"uds", "shm"})
    public String transport;

    private DaemonFixture daemon;

    /** Creates the state; JMH calls it. */
    public ConnectCallCloseBenchmark() {
    }

    /** Starts the daemon and checks that a proxy gets the transport. */
    @Setup(Level.Trial)
    public void start() {
        daemon = DaemonFixture.start();
        try {
            Clients.connect(transport).close();
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
    }

    /** Stops the daemon. */
    @TearDown(Level.Trial)
    public void stop() {
        daemon.close();
    }

    /** {@return the status, through a proxy of its own} */
    @Benchmark
    public String connectStatusClose() {
        try (MaestralProxy proxy = new MaestralProxy(DaemonFixture.CONFIG)) {
            return proxy.status();
        }
    }
}
