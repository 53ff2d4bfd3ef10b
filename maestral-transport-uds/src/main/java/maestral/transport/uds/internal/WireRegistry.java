package maestral.transport.uds.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import java.util.function.Consumer;
import java.util.function.Supplier;
import maestral.api.spi.CallResult;
import maestral.api.spi.Handshake;
import maestral.api.spi.MethodCall;
import maestral.api.spi.WireFormat;

/**
 * The Kryo side of the uds transport: a {@link Kryo} from {@link #newKryo} requires
 * registration, refuses class names on the wire, and has exactly the frame payloads
 * registered, each with a serializer that writes the shared {@link WireFormat} (the
 * {@link maestral.api.spi.WireModel}'s values, records and strings) through a
 * {@link KryoWire}. No type has hand-written code here: a record added to the model travels
 * without a change to this transport.
 *
 * <p>Registered, with their Kryo ids (Kryo's own 0 to 9 are its primitives and {@code String}):
 * <pre>
 *   16 Handshake    17 MethodCall    18 CallResult.Returned    19 CallResult.Threw
 * </pre>
 *
 * <p><b>A Kryo is not thread-safe</b>: {@link WireCodec} gives each lease its own.
 */
public final class WireRegistry {

    /** Kryo id of {@link Handshake}. */
    public static final int HANDSHAKE_ID = 16;
    /** Kryo id of {@link MethodCall}. */
    public static final int CALL_ID = 17;
    /** Kryo id of {@link CallResult.Returned}. */
    public static final int RETURNED_ID = 18;
    /** Kryo id of {@link CallResult.Threw}. */
    public static final int THREW_ID = 19;

    static {
        // Kryo probes sun.misc.Unsafe unless told not to, and JDK 24+ warns about that on every
        // start. Nothing here uses Kryo's unsafe streams, so switch the probe off unless the
        // application chose otherwise.
        if (System.getProperty("kryo.unsafe") == null) {
            System.setProperty("kryo.unsafe", "false");
        }
    }

    private WireRegistry() {
    }

    /** {@return a new Kryo with the frame payloads registered, on a codec and wire of its own} */
    public static Kryo newKryo() {
        return newKryo(new WireFormat(), new KryoWire());
    }

    /**
     * {@return a new Kryo with the frame payloads registered}
     *
     * @param format the codec its serializers write with
     * @param wire the buffers they write to and read from
     */
    public static Kryo newKryo(WireFormat format, KryoWire wire) {
        Kryo kryo = new Kryo(new RegisteredOnly(), new MapReferenceResolver());
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.register(Handshake.class, new FormatSerializer<>(wire,
                h -> format.writeHandshake(wire, h), () -> format.readHandshake(wire)), HANDSHAKE_ID);
        kryo.register(MethodCall.class, new FormatSerializer<>(wire,
                c -> format.writeCall(wire, c), () -> format.readCall(wire)), CALL_ID);
        FormatSerializer<CallResult> result = new FormatSerializer<>(wire,
                r -> format.writeResult(wire, r), () -> format.readResult(wire));
        kryo.register(CallResult.Returned.class, result, RETURNED_ID);
        kryo.register(CallResult.Threw.class, result, THREW_ID);
        return kryo;
    }

    /** A class name on the wire is refused: only registered ids are accepted. */
    private static final class RegisteredOnly extends DefaultClassResolver {
        @Override
        protected Registration readName(Input input) {
            throw new KryoException("a class name on the wire is refused; only registered ids are accepted");
        }
    }

    /**
     * Writes and reads one payload type with the shared format, on the lease's wire.
     *
     * @param <T> the payload type
     */
    private static final class FormatSerializer<T> extends Serializer<T> {
        private final KryoWire wire;
        private final Consumer<T> writer;
        private final Supplier<T> reader;

        FormatSerializer(KryoWire wire, Consumer<T> writer,
                         Supplier<? extends T> reader) {
            super(false, true);
            this.wire = wire;
            this.writer = writer;
            this.reader = reader::get;
        }

        @Override
        public void write(Kryo kryo, Output output, T value) {
            wire.output = output;
            writer.accept(value);
        }

        @Override
        public T read(Kryo kryo, Input input, Class<? extends T> type) {
            wire.input = input;
            return reader.get();
        }
    }
}
