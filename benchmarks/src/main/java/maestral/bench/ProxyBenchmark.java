package maestral.bench;

import java.util.concurrent.TimeUnit;
import maestral.api.Maestral;
import maestral.daemon.MaestralProxy;
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
 * Latency of one {@link MaestralProxy} call to a daemon in another JVM, per transport: a
 * small call, a call with a 32-byte argument, a 30 KiB answer, and a call that throws. The
 * daemon is started once per trial in temporary folders and stopped at its end.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.NO_DISK_MONITOR,
        Jvm.OPEN_REFLECT, Jvm.EXPORT_NIO, Jvm.EXPORT_REF, Jvm.NATIVE_ACCESS, Jvm.UNSAFE_ALLOW})
public class ProxyBenchmark extends CallBenchmarks {

    /** The transport the proxy uses. */
    @Param({"uds", "shm"})
    public String transport;

    private DaemonFixture daemon;
    private MaestralProxy proxy;

    /** Creates the state; JMH calls it. */
    public ProxyBenchmark() {
    }

    /** Starts the daemon, connects over {@link #transport} and stores the payload. */
    @Setup(Level.Trial)
    public void start() {
        daemon = DaemonFixture.start();
        proxy = Clients.connect(transport);
        Payloads.install(proxy);
    }

    /** Disconnects and stops the daemon. */
    @TearDown(Level.Trial)
    public void stop() {
        try {
            if (proxy != null) {
                proxy.close();
            }
        } finally {
            daemon.close();
        }
    }

    @Override
    protected Maestral target() {
        return proxy;
    }
}
