package maestral.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor of the codec rows of {@link CodecBenchmark}, measured in the same run: the least
 * any codec of the 480 × 64-char list does with the JDK's public API, whatever its format.
 * Encoding copies each string's bytes out once, into one array ({@code String.getBytes(int,
 * int, byte[], int)}, a plain array copy of a Latin-1 string); decoding makes the 480 strings
 * from one array ({@code new String(bytes, offset, length, ISO_8859_1)}, one allocation and
 * copy each) into a list. Neither checks or frames anything, so a codec cannot beat them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StringFloorBenchmark {

    private final List<String> list = Payloads.payload();
    private final byte[] bytes = new byte[Payloads.ITEMS * Payloads.ITEM_CHARS];

    /** Creates the state; JMH calls it. */
    public StringFloorBenchmark() {
    }

    /** Fills the array the strings are made from with the list's bytes. */
    @Setup(Level.Trial)
    public void fill() {
        copyOut();
    }

    /** {@return the bytes copied} after copying each string's bytes into one array. */
    @Benchmark
    @SuppressWarnings("deprecation") // the one public copy of a string's bytes into an array
    public int copyOut() {
        int at = 0;
        for (int i = 0; i < list.size(); i++) {
            String s = list.get(i);
            s.getBytes(0, s.length(), bytes, at);
            at += s.length();
        }
        return at;
    }

    /** {@return the 480 strings} made from one array. */
    @Benchmark
    public List<String> makeStrings() {
        List<String> out = new ArrayList<>(Payloads.ITEMS);
        for (int i = 0, at = 0; i < Payloads.ITEMS; i++, at += Payloads.ITEM_CHARS) {
            out.add(new String(bytes, at, Payloads.ITEM_CHARS, StandardCharsets.ISO_8859_1));
        }
        return out;
    }
}
