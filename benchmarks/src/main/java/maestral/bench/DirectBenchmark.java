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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-process floor: the same calls as {@link ProxyBenchmark} on a {@code MaestralProxy}
 * that fell back to a local {@code Maestral} because no daemon runs. What remains is the
 * served object's own work, without any transport.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.NO_DISK_MONITOR,
        Jvm.OPEN_REFLECT, Jvm.EXPORT_NIO, Jvm.EXPORT_REF, Jvm.NATIVE_ACCESS, Jvm.UNSAFE_ALLOW})
public class DirectBenchmark extends CallBenchmarks {

    private TempFolders folders;
    private MaestralProxy local;

    /** Creates the state; JMH calls it. */
    public DirectBenchmark() {
    }

    /** Creates a local {@code Maestral} in temporary folders and stores the payload. */
    @Setup(Level.Trial)
    public void start() {
        folders = TempFolders.install();
        local = new MaestralProxy(DaemonFixture.CONFIG, true);
        if (!local.isFallback()) {
            local.close();
            folders.close();
            throw new IllegalStateException("a daemon answered where none should run");
        }
        Payloads.install(local);
    }

    /** Closes the local instance and deletes its folders. */
    @TearDown(Level.Trial)
    public void stop() {
        try {
            local.close();
        } finally {
            folders.close();
        }
    }

    @Override
    protected Maestral target() {
        return local;
    }
}
