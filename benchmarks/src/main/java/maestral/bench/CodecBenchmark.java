package maestral.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import maestral.api.spi.CallResult;
import maestral.api.spi.MaestralMethods;
import maestral.api.spi.MethodCall;
import maestral.transport.shm.internal.FrameCodec;
import maestral.transport.shm.internal.ShmDescriptor;
import maestral.transport.uds.internal.FrameDescriptor;
import maestral.transport.uds.internal.WireCodec;
import net.openhft.chronicle.bytes.Bytes;
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
 * Each transport's codec alone, no I/O: encoding and decoding the 480 × 64-char list of
 * {@link Payloads} as an answer, and a {@code status()} call and its answer. uds: encoded as
 * the daemon does it (a whole frame into a pooled direct Netty buffer), answers decoded as the
 * client does it (from the array its socket read them into), calls as the daemon does it
 * (where the frame lies in direct memory); shm: a frame body into Chronicle {@code Bytes}, as
 * the writer encodes it, and read back.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.NO_ANALYTICS, Jvm.NO_ANNOUNCER, Jvm.NO_DISK_MONITOR,
        Jvm.OPEN_REFLECT, Jvm.EXPORT_NIO, Jvm.EXPORT_REF, Jvm.NATIVE_ACCESS, Jvm.UNSAFE_ALLOW})
public class CodecBenchmark {

    private static final int MAX = maestral.api.spi.FrameLimit.DEFAULT;

    /** The codec measured. */
    @Param({"uds", "shm"})
    public String transport;

    private final CallResult list = new CallResult.Returned(Payloads.payload());
    private final CallResult status = new CallResult.Returned("Up to date");
    private final MethodCall statusCall = new MethodCall(MaestralMethods.id("status"), null);

    private FrameCodec shm;
    private Bytes<byte[]> shmBytes;
    private Bytes<byte[]> shmList;
    private byte[] udsList;
    private Bytes<byte[]> shmStatus;
    private byte[] udsStatus;
    private Bytes<byte[]> shmCall;
    private ByteBuf udsCall;

    /** Creates the state; JMH calls it. */
    public CodecBenchmark() {
    }

    /** Encodes the frames the decoding benchmarks read. */
    @Setup(Level.Trial)
    public void encodeOnce() {
        shm = new FrameCodec();
        shmBytes = Bytes.allocateElasticOnHeap(64 << 10);
        shmList = shmBody(ShmDescriptor.REPLY, list);
        shmStatus = shmBody(ShmDescriptor.REPLY, status);
        shmCall = shmBody(ShmDescriptor.CALL, statusCall);
        udsList = asArray(WireCodec.encodeResult(PooledByteBufAllocator.DEFAULT, 1, list, MAX));
        udsStatus = asArray(WireCodec.encodeResult(PooledByteBufAllocator.DEFAULT, 1, status, MAX));
        udsCall = WireCodec.encodeCall(PooledByteBufAllocator.DEFAULT, 1, statusCall, MAX);
        if (!list.equals(decodeList()) || !status.equals(decodeStatusAnswer())
                || !statusCall.equals(decodeStatusCall())) {
            throw new IllegalStateException("the " + transport + " codec does not round-trip");
        }
    }

    private static byte[] asArray(ByteBuf frame) {
        byte[] a = new byte[frame.readableBytes()];
        frame.readBytes(a);
        frame.release();
        return a;
    }

    private Bytes<byte[]> shmBody(int type, Object body) {
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(64 << 10);
        new FrameCodec().writeBody(b, type, body);
        return b;
    }

    /** Releases the buffers. */
    @TearDown(Level.Trial)
    public void release() {
        udsCall.release();
        for (Bytes<byte[]> b : java.util.List.of(shmBytes, shmList, shmStatus, shmCall)) {
            b.releaseLast();
        }
    }

    private Object encode(int shmType, CallResult result) {
        if (transport.equals("uds")) {
            ByteBuf frame = WireCodec.encodeResult(PooledByteBufAllocator.DEFAULT, 2, result, MAX);
            int n = frame.readableBytes();
            frame.release();
            return n;
        }
        shmBytes.clear();
        shm.writeBody(shmBytes, shmType, result);
        return shmBytes.readRemaining();
    }

    private static <T> T rewound(Bytes<byte[]> b, java.util.function.Function<Bytes<byte[]>, T> read) {
        b.readPosition(0);
        return read.apply(b);
    }

    /** {@return the list answer's frame size} after encoding it. */
    @Benchmark
    public Object encodeList() {
        return encode(ShmDescriptor.REPLY, list);
    }

    /** {@return the list answer} decoded from its frame. */
    @Benchmark
    public Object decodeList() {
        return transport.equals("uds") ? WireCodec.decodeResult(udsList, 0, udsList.length)
                : rewound(shmList, shm::readResult);
    }

    /** {@return the size} after encoding a {@code status()} call. */
    @Benchmark
    public Object encodeStatusCall() {
        if (transport.equals("uds")) {
            ByteBuf frame = WireCodec.encodeCall(PooledByteBufAllocator.DEFAULT, 2, statusCall, MAX);
            int n = frame.readableBytes() - FrameDescriptor.HEADER_LENGTH;
            frame.release();
            return n;
        }
        shmBytes.clear();
        shm.writeBody(shmBytes, ShmDescriptor.CALL, statusCall);
        return shmBytes.readRemaining();
    }

    /** {@return the {@code status()} call} decoded. */
    @Benchmark
    public Object decodeStatusCall() {
        return transport.equals("uds") ? WireCodec.decodeCall(udsCall) : rewound(shmCall, shm::readCall);
    }

    /** {@return the size} after encoding the answer of {@code status()}. */
    @Benchmark
    public Object encodeStatusAnswer() {
        return encode(ShmDescriptor.REPLY, status);
    }

    /** {@return the answer of {@code status()}} decoded. */
    @Benchmark
    public Object decodeStatusAnswer() {
        return transport.equals("uds") ? WireCodec.decodeResult(udsStatus, 0, udsStatus.length)
                : rewound(shmStatus, shm::readResult);
    }
}
