package maestral.transport.shm.internal;

import maestral.api.spi.WireModel;
import maestral.api.spi.UnsendableException;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import maestral.api.AccountInfo;
import maestral.api.ErrorInfo;
import maestral.api.FileMetadata;
import maestral.api.SpaceUsage;
import maestral.api.SyncErrorInfo;
import maestral.api.SyncEvent;
import maestral.api.spi.CallResult;
import maestral.api.spi.MethodCall;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.openhft.chronicle.bytes.Bytes;

/**
 * jqwik fuzzing of the shared-memory record decoder: random bytes, and well-typed records with
 * negative or oversize lengths and counts, decode to a known value or fail as malformed;
 * nothing else is ever thrown or built, and no huge length is allocated.
 */
class RecordFuzzTest {

    private static final byte[] LENGTHED = {(byte) WireModel.Kind.STRING.tag(), (byte) WireModel.Kind.LIST.tag(), (byte) WireModel.Kind.MAP.tag()};

    @Property(tries = 2000)
    void randomBytesAreMalformedOrAKnownValue(@ForAll @Size(max = 200) byte[] junk, @ForAll("readers") int reader) {
        Bytes<byte[]> in = Bytes.allocateElasticOnHeap(256);
        try {
            in.write(junk);
            Object v;
            try {
                v = read(reader, in);
            } catch (MalformedFrameException expected) {
                return;
            }
            assertKnown(v);
        } finally {
            in.releaseLast();
        }
    }

    @Property(tries = 1000)
    void negativeOrOversizeLengthsAreMalformedWithoutAllocating(@ForAll("lengthed") byte type,
                                                                 @ForAll("badLengths") long length,
                                                                 @ForAll @Size(max = 16) byte[] tail) {
        Bytes<byte[]> in = Bytes.allocateElasticOnHeap(64);
        try {
            in.writeByte(type);
            writeLeb128(in, length);
            in.write(tail);
            assertThrows(MalformedFrameException.class, () -> new FrameCodec().readValue(in));
        } finally {
            in.releaseLast();
        }
    }

    @Property(tries = 500)
    void callsWithBadArgumentCountsAreMalformed(@ForAll int methodId, @ForAll("badLengths") long count) {
        Bytes<byte[]> in = Bytes.allocateElasticOnHeap(64);
        try {
            in.writeInt(methodId);
            writeLeb128(in, count);
            Object v;
            try {
                v = new FrameCodec().readCall(in);
            } catch (MalformedFrameException expected) {
                return;
            }
            assertKnown(v);
        } finally {
            in.releaseLast();
        }
    }

    @Provide
    Arbitrary<Integer> readers() {
        return Arbitraries.integers().between(0, 2);
    }

    @Provide
    Arbitrary<Byte> lengthed() {
        return Arbitraries.of(LENGTHED[0], LENGTHED[1], LENGTHED[2]);
    }

    @Provide
    Arbitrary<Long> badLengths() {
        return Arbitraries.oneOf(
                Arbitraries.longs().between(Long.MIN_VALUE, -1),
                Arbitraries.longs().between(1L << 20, Long.MAX_VALUE),
                Arbitraries.of(-1L, Long.MIN_VALUE, Long.MAX_VALUE, (long) Integer.MAX_VALUE,
                        (long) Integer.MAX_VALUE + 1, 1L << 40));
    }

    /** A length as the shared format writes it: unsigned LEB128, a negative one as its 64 bits. */
    private static void writeLeb128(Bytes<?> out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((byte) v);
    }

    private static Object read(int reader, Bytes<?> in) {
        FrameCodec codec = new FrameCodec();
        return switch (reader) {
            case 0 -> codec.readValue(in);
            case 1 -> codec.readResult(in);
            default -> codec.readCall(in);
        };
    }

    private static void assertKnown(Object v) {
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean
                || v instanceof Character || v instanceof Instant || v instanceof AccountInfo
                || v instanceof SpaceUsage || v instanceof FileMetadata || v instanceof SyncEvent
                || v instanceof SyncErrorInfo || v instanceof ErrorInfo || v instanceof CallResult.Threw) {
            return;
        }
        if (v instanceof List<?> l) {
            l.forEach(RecordFuzzTest::assertKnown);
        } else if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> {
                assertKnown(k);
                assertKnown(x);
            });
        } else if (v instanceof MethodCall c) {
            for (Object a : c.args()) {
                assertKnown(a);
            }
        } else if (v instanceof CallResult.Returned(Object x)) {
            assertKnown(x);
        } else {
            throw new AssertionError("decoded an unexpected " + v.getClass());
        }
    }
}
