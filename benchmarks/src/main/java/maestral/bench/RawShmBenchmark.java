package maestral.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
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

import static maestral.bench.ShmPingPongDescriptor.*;

/**
 * The shared-memory floor: a 64-byte ping-pong through a mapped file
 * ({@link ShmPingPongDescriptor}) with {@link ShmEcho} in a child JVM, both sides spinning with
 * {@link Thread#onSpinWait()}: no system call and no wake-up, only two cache-line transfers
 * each way. On a 2-core machine the two spinners take both cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.NO_DISK_MONITOR,
        Jvm.OPEN_REFLECT, Jvm.EXPORT_NIO, Jvm.EXPORT_REF, Jvm.NATIVE_ACCESS, Jvm.UNSAFE_ALLOW})
public class RawShmBenchmark {

    private TempFolders folders;
    private Arena arena;
    private MemorySegment shm;
    private ChildJvm echo;
    private long sequence;
    private final MemorySegment message = Arena.ofAuto().allocate(MESSAGE, 8);
    private final MemorySegment answer = Arena.ofAuto().allocate(MESSAGE, 8);

    /** Creates the state; JMH calls it. */
    public RawShmBenchmark() {
    }

    /** Maps the file and starts the echo side. */
    @Setup(Level.Trial)
    public void start() {
        folders = TempFolders.create();
        Path file = folders.dir("runtime").resolve("pingpong.shm");
        arena = Arena.ofShared();
        try {
            shm = map(file, arena);
            sequence = getAcquire(shm, REQUEST_SEQUENCE);
            echo = ChildJvm.start(ShmEcho.class, List.of(), file.toString());
        } catch (IOException e) {
            stop();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        for (int i = 0; i < MESSAGE; i++) {
            message.set(ValueLayout.JAVA_BYTE, i, (byte) i);
        }
    }

    /** Ends the echo side, unmaps and deletes the file. */
    @TearDown(Level.Trial)
    public void stop() {
        try {
            if (echo != null) {
                echo.close();
            }
        } finally {
            arena.close();
            folders.close();
        }
    }

    /** {@return a byte of the echoed message} */
    @Benchmark
    public byte pingPong64() {
        MemorySegment.copy(message, 0, shm, REQUEST_MESSAGE, MESSAGE);
        long seq = ++sequence;
        setRelease(shm, REQUEST_SEQUENCE, seq);
        while (getAcquire(shm, REPLY_SEQUENCE) != seq) {
            Thread.onSpinWait();
        }
        MemorySegment.copy(shm, REPLY_MESSAGE, answer, 0, MESSAGE);
        return answer.get(ValueLayout.JAVA_BYTE, 7);
    }
}
