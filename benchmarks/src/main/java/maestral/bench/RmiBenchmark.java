package maestral.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.RemoteException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
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
 * The RMI reference: one call of a one-method {@link Echo} with a 64-byte argument and answer,
 * to {@link RmiEcho} in a child JVM over TCP on 127.0.0.1, the JDK's own remote-call stack.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.NO_DISK_MONITOR,
        Jvm.OPEN_REFLECT, Jvm.EXPORT_NIO, Jvm.EXPORT_REF, Jvm.NATIVE_ACCESS, Jvm.UNSAFE_ALLOW})
public class RmiBenchmark {

    private TempFolders folders;
    private ChildJvm server;
    private Echo echo;
    private final byte[] message = new byte[64];

    /** Creates the state; JMH calls it. */
    public RmiBenchmark() {
    }

    /** Starts the RMI server and reads its stub. */
    @Setup(Level.Trial)
    public void start() {
        folders = TempFolders.create();
        Path stubFile = folders.dir("runtime").resolve("echo.stub");
        try {
            server = ChildJvm.start(RmiEcho.class, List.of("-Djava.rmi.server.hostname=127.0.0.1"),
                    stubFile.toString());
            try (InputStream in = Files.newInputStream(stubFile);
                 ObjectInputStream ois = new ObjectInputStream(in)) {
                echo = (Echo) ois.readObject();
            }
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException | RuntimeException e) {
            stop();
            throw new IllegalStateException("cannot reach the RMI echo server", e);
        }
        for (int i = 0; i < message.length; i++) {
            message[i] = (byte) i;
        }
    }

    /** Ends the server and deletes the stub file. */
    @TearDown(Level.Trial)
    public void stop() {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            folders.close();
        }
    }

    /**
     * {@return the echoed bytes}
     *
     * @throws RemoteException when the call fails
     */
    @Benchmark
    public byte[] echo64() throws RemoteException {
        return echo.echo(message);
    }
}
