package maestral.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
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
 * The unix-socket floor: a 64-byte ping-pong over a JDK blocking {@link SocketChannel} on a
 * unix domain socket with {@link UdsEcho} in a child JVM. Two system calls each way and two
 * thread wake-ups: what any unix-socket transport pays at least.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.NO_DISK_MONITOR,
        Jvm.OPEN_REFLECT, Jvm.EXPORT_NIO, Jvm.EXPORT_REF, Jvm.NATIVE_ACCESS, Jvm.UNSAFE_ALLOW})
public class RawUdsBenchmark {

    private TempFolders folders;
    private ChildJvm echo;
    private SocketChannel channel;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(UdsEcho.MESSAGE);

    /** Creates the state; JMH calls it. */
    public RawUdsBenchmark() {
    }

    /** Starts the echo server and connects to it. */
    @Setup(Level.Trial)
    public void start() {
        folders = TempFolders.create();
        String path = folders.dir("runtime").resolve("echo.sock").toString();
        try {
            echo = ChildJvm.start(UdsEcho.class, List.of(), path);
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        for (int i = 0; i < UdsEcho.MESSAGE; i++) {
            buf.put(i, (byte) i);
        }
    }

    /** Disconnects, ends the echo server and deletes the socket's folder. */
    @TearDown(Level.Trial)
    public void stop() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // closing anyway
        } finally {
            if (echo != null) {
                echo.close();
            }
            folders.close();
        }
    }

    /**
     * {@return a byte of the echoed message}
     *
     * @throws IOException when the echo server went away
     */
    @Benchmark
    public byte pingPong64() throws IOException {
        buf.clear();
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        buf.clear();
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                throw new IOException("the echo server closed the connection");
            }
        }
        return buf.get(7);
    }
}
