package maestral.transport.shm.internal;

import maestral.api.spi.WireModel;
import maestral.api.spi.UnsendableException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import maestral.api.spi.CallResult;
import maestral.api.spi.MethodCall;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Frames larger than a Chronicle document travel as fragments and are joined again. */
class FrameFragmentTest {

    @TempDir
    Path dir;

    private static List<String> big(String tag, int n) {
        List<String> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(tag + "-" + i + "-" + "z".repeat(i % 50));
        }
        return l;
    }

    @Test
    void largeFramesOfSeveralSessionsInterleaveAndJoin() {
        try (ChronicleQueue q = Queues.open(dir.resolve("q"), ShmSettings.fromSystemProperties(), null);
             ExcerptAppender a = q.createAppender();
             ExcerptTailer t = q.createTailer()) {
            FrameWriter w = new FrameWriter();
            List<String> one = big("one", 120_000);
            List<String> two = big("two", 90_000);
            String huge = "h".repeat(5 << 20);
            w.write(a, ShmDescriptor.REPLY, 1, 10, new CallResult.Returned(one));
            w.write(a, ShmDescriptor.CALL, 2, 20, new MethodCall(3, new Object[] {huge}));
            w.write(a, ShmDescriptor.REPLY, 2, 21, new CallResult.Returned(two));
            w.write(a, ShmDescriptor.REPLY, 1, 11, new CallResult.Returned("small"));

            FrameAssembler assembler = new FrameAssembler();
            FrameCodec codec = new FrameCodec();
            List<Object> got = new ArrayList<>();
            int documents = 0;
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    documents++;
                    Bytes<?> in = dc.wire().bytes();
                    FrameCodec.Header h = FrameCodec.readHeader(in);
                    if (h.type() == ShmDescriptor.VOID) {
                        continue; // a frame too large for one document, written again as fragments
                    }
                    if (h.type() == ShmDescriptor.FRAGMENT) {
                        FrameAssembler.Joined j = assembler.accept(h, in);
                        if (j != null) {
                            got.add(decode(codec, j.header(), j.body()));
                            j.release();
                        }
                    } else {
                        got.add(decode(codec, h, in));
                    }
                }
            }
            assertEquals(4, got.size(), "frames read, from " + documents + " documents");
            assertEquals(new CallResult.Returned(one), got.get(0), "first frame");
            assertEquals(new MethodCall(3, new Object[] {huge}), got.get(1), "second frame");
            assertEquals(new CallResult.Returned(two), got.get(2), "third frame");
            assertEquals(new CallResult.Returned("small"), got.get(3), "fourth frame");
            assertEquals(true, documents > 100, "split into fragments: " + documents);
        }
    }

    @Test
    void aFrameWrittenAcrossACycleRollIsJoined() throws Exception {
        try (ChronicleQueue q = Queues.open(dir.resolve("q"), ShmSettings.fromSystemProperties(), null);
             ExcerptAppender a = q.createAppender();
             ExcerptTailer t = q.createTailer()) {
            FrameWriter w = new FrameWriter();
            List<String> payload = big("roll", 150_000);
            for (int i = 0; i < 2; i++) {
                long ms = System.currentTimeMillis() % 1000; // start just before a new cycle
                Thread.sleep(ms < 980 ? 980 - ms : 1980 - ms);
                w.write(a, ShmDescriptor.REPLY, 1, i, new CallResult.Returned(payload));
            }
            FrameAssembler assembler = new FrameAssembler();
            FrameCodec codec = new FrameCodec();
            int frames = 0;
            for (int documents = 0; ; documents++) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    Bytes<?> in = dc.wire().bytes();
                    FrameCodec.Header h = FrameCodec.readHeader(in);
                    if (h.type() == ShmDescriptor.VOID) {
                        continue;
                    }
                    FrameAssembler.Joined j = assembler.accept(h, in);
                    if (j != null) {
                        assertEquals(new CallResult.Returned(payload), codec.readResult(j.body()), "frame " + frames);
                        j.release();
                        frames++;
                    }
                }
            }
            assertEquals(2, frames);
        }
    }

    private static Object decode(FrameCodec codec, FrameCodec.Header h, Bytes<?> in) {
        return h.type() == ShmDescriptor.CALL ? codec.readCall(in) : codec.readResult(in);
    }

    @Test
    void fragmentsOutOfOrderAreDropped() {
        FrameAssembler assembler = new FrameAssembler();
        Bytes<byte[]> b = Bytes.allocateElasticOnHeap(64);
        try {
            FrameCodec.Header h = new FrameCodec.Header(ShmDescriptor.FRAGMENT, 5, 6);
            b.writeInt(ShmDescriptor.REPLY).writeInt(1).writeInt(3).writeByte((byte) 0);
            assertThrows(MalformedFrameException.class, () -> assembler.accept(h, b));
            b.clear();
            b.writeInt(ShmDescriptor.REPLY).writeInt(0).writeInt(2).writeByte((byte) 0);
            assertNull(assembler.accept(h, b));
            b.clear();
            b.writeInt(ShmDescriptor.REPLY).writeInt(1).writeInt(2).writeByte((byte) WireModel.Kind.NULL.tag());
            FrameAssembler.Joined j = assembler.accept(h, b);
            assertNotNull(j);
            assertEquals(new CallResult.Returned(null), new FrameCodec().readResult(j.body()));
            j.release();
            b.clear();
            b.writeInt(ShmDescriptor.REPLY).writeInt(0).writeInt(Integer.MAX_VALUE);
            assertThrows(MalformedFrameException.class, () -> assembler.accept(h, b));
        } finally {
            b.releaseLast();
        }
    }
}
