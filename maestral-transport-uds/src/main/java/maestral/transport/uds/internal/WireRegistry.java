package maestral.transport.uds.internal;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultClassResolver;
import com.esotericsoftware.kryo.util.MapReferenceResolver;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import maestral.api.AccountInfo;
import maestral.api.ErrorInfo;
import maestral.api.FileMetadata;
import maestral.api.SpaceUsage;
import maestral.api.SyncErrorInfo;
import maestral.api.SyncEvent;
import maestral.api.spi.CallResult;
import maestral.api.spi.Handshake;
import maestral.api.spi.MethodCall;
import maestral.api.spi.RemoteError;

/**
 * The one table of types that travel, shared by both sides, so that registration ids are
 * stable: a {@link Kryo} from {@link #newKryo()} requires registration, refuses class names
 * on the wire, and decodes nothing outside this table.
 *
 * <p>Registered, with their ids: Kryo's own primitives, their boxes and {@code String} (ids
 * 0 to 9, {@code String} with the serializer of this class); then
 * <pre>
 *   20 List (any implementation; decodes as ArrayList)   27 SyncErrorInfo
 *   21 Map (any implementation; decodes as LinkedHashMap) 28 SyncEvent
 *   22 Instant                                            29 Handshake
 *   23 AccountInfo                                        30 RemoteError
 *   24 ErrorInfo                                          31 MethodCall
 *   25 FileMetadata                                       32 CallResult.Returned
 *   26 SpaceUsage                                         33 CallResult.Threw
 * </pre>
 * New types get new ids at the end; an id is never reused for another type.
 *
 * <p>Every length read from the wire is checked against the bytes left before anything is
 * allocated for it, and nesting is limited to {@link #MAX_DEPTH}.
 *
 * <p><b>A Kryo is not thread-safe</b>: {@link WireCodec} pools them.
 */
public final class WireRegistry {

    /** The deepest nesting of lists and maps that is encoded or decoded. */
    public static final int MAX_DEPTH = 64;

    /** Id of every {@link List}. */
    public static final int LIST_ID = 20;
    /** Id of every {@link Map}. */
    public static final int MAP_ID = 21;

    static {
        // Kryo probes sun.misc.Unsafe unless told not to, and JDK 24+ warns about that on every
        // start. Nothing here uses Kryo's unsafe streams, so switch the probe off unless the
        // application chose otherwise.
        if (System.getProperty("kryo.unsafe") == null) {
            System.setProperty("kryo.unsafe", "false");
        }
    }

    private static final FlatRecordSerializer<RemoteError> REMOTE_ERROR =
            new FlatRecordSerializer<>(RemoteError.class);

    private WireRegistry() {
    }

    /** {@return a new Kryo with every wire type registered} */
    public static Kryo newKryo() {
        WireClassResolver resolver = new WireClassResolver();
        Kryo kryo = new Kryo(resolver, new MapReferenceResolver());
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.setMaxDepth(MAX_DEPTH);
        kryo.register(String.class, new StringSerializer());
        resolver.listRegistration = kryo.register(ArrayList.class, new ListSerializer(), LIST_ID);
        resolver.mapRegistration = kryo.register(LinkedHashMap.class, new MapSerializer(), MAP_ID);
        kryo.register(Instant.class, new InstantSerializer(), 22);
        kryo.register(AccountInfo.class, new FlatRecordSerializer<>(AccountInfo.class), 23);
        kryo.register(ErrorInfo.class, new FlatRecordSerializer<>(ErrorInfo.class), 24);
        kryo.register(FileMetadata.class, new FlatRecordSerializer<>(FileMetadata.class), 25);
        kryo.register(SpaceUsage.class, new FlatRecordSerializer<>(SpaceUsage.class), 26);
        kryo.register(SyncErrorInfo.class, new FlatRecordSerializer<>(SyncErrorInfo.class), 27);
        kryo.register(SyncEvent.class, new FlatRecordSerializer<>(SyncEvent.class), 28);
        kryo.register(Handshake.class, new FlatRecordSerializer<>(Handshake.class), 29);
        kryo.register(RemoteError.class, REMOTE_ERROR, 30);
        kryo.register(MethodCall.class, new MethodCallSerializer(), 31);
        kryo.register(CallResult.Returned.class, new ReturnedSerializer(), 32);
        kryo.register(CallResult.Threw.class, new ThrewSerializer(), 33);
        return kryo;
    }

    /**
     * Resolves classes by registration only: any {@link List} or {@link Map} maps to the one
     * list or map registration, and a class name on the wire is refused.
     */
    private static final class WireClassResolver extends DefaultClassResolver {
        Registration listRegistration;
        Registration mapRegistration;

        @Override
        @SuppressWarnings("rawtypes")
        public Registration getRegistration(Class type) {
            Registration registration = super.getRegistration(type);
            if (registration == null && type != null) {
                if (List.class.isAssignableFrom(type)) {
                    return listRegistration;
                }
                if (Map.class.isAssignableFrom(type)) {
                    return mapRegistration;
                }
            }
            return registration;
        }

        @Override
        protected Registration readName(Input input) {
            throw new KryoException("a class name on the wire is refused; only registered ids are accepted");
        }
    }

    // ---- helpers for the serializers ------------------------------------------------------

    /**
     * {@return the bytes left to read}
     *
     * @param input an input over a byte array
     */
    static int remaining(Input input) {
        return input.limit() - input.position();
    }

    /**
     * {@return a count read from the wire, checked against the bytes left}
     *
     * @param input where to read
     * @param what what is counted, for the message
     */
    static int readCount(Input input, String what) {
        int count = input.readVarInt(true);
        if (count < 0 || count > remaining(input)) {
            throw new KryoException(what + " count " + count + " exceeds the "
                    + remaining(input) + " bytes left");
        }
        return count;
    }

    /**
     * Writes a string, or {@code null}: its UTF-8 length plus one as a varint ({@code 0} for
     * {@code null}), then the UTF-8 bytes.
     *
     * @param output where to write
     * @param value the string, or {@code null}
     */
    static void writeString(Output output, String value) {
        if (value == null) {
            output.writeByte(0);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        output.writeVarInt(bytes.length + 1, true);
        output.writeBytes(bytes);
    }

    /**
     * {@return a string written by {@link #writeString}, or {@code null}}
     *
     * @param input where to read
     */
    static String readString(Input input) {
        int lengthPlusOne = input.readVarInt(true);
        if (lengthPlusOne == 0) {
            return null;
        }
        int length = lengthPlusOne - 1;
        if (length < 0 || length > remaining(input)) {
            throw new KryoException("string length " + length + " exceeds the "
                    + remaining(input) + " bytes left");
        }
        int at = input.position();
        String value = new String(input.getBuffer(), at, length, StandardCharsets.UTF_8);
        input.setPosition(at + length);
        return value;
    }

    private static void writeInstant(Output output, Instant value) {
        if (value == null) {
            output.writeByte(0);
            return;
        }
        output.writeByte(1);
        output.writeVarLong(value.getEpochSecond(), false);
        output.writeVarInt(value.getNano(), true);
    }

    private static Instant readInstant(Input input) {
        byte present = input.readByte();
        if (present == 0) {
            return null;
        }
        if (present != 1) {
            throw new KryoException("bad presence byte of an Instant: " + present);
        }
        return instantOf(input);
    }

    private static Instant instantOf(Input input) {
        long seconds = input.readVarLong(false);
        int nanos = input.readVarInt(true);
        try {
            return Instant.ofEpochSecond(seconds, nanos);
        } catch (java.time.DateTimeException | ArithmeticException e) {
            throw new KryoException("bad Instant: " + seconds + "s " + nanos + "ns", e);
        }
    }

    // ---- serializers --------------------------------------------------------------------

    /**
     * A record whose components are all {@code String}, {@code long}, {@code int},
     * {@code boolean} or {@code Instant}, written component by component in declaration order
     * (strings with {@link #writeString}, numbers as varints, instants with a presence byte),
     * with no field names or types on the wire. A record the canonical constructor refuses
     * (such as a handshake without a part) fails to decode with a {@link KryoException}.
     *
     * @param <R> the record type
     */
    private static final class FlatRecordSerializer<R extends Record> extends Serializer<R> {
        private final Class<R> type;
        private final RecordComponent[] components;
        private final Constructor<R> canonical;

        FlatRecordSerializer(Class<R> type) {
            super(false, true);
            this.type = type;
            this.components = type.getRecordComponents();
            for (RecordComponent c : components) {
                Class<?> t = c.getType();
                if (t != String.class && t != long.class && t != int.class && t != boolean.class
                        && t != Instant.class) {
                    throw new IllegalArgumentException(type.getName() + "." + c.getName()
                            + " has a type this serializer cannot write: " + t.getName());
                }
            }
            try {
                this.canonical = type.getDeclaredConstructor(Arrays.stream(components)
                        .map(RecordComponent::getType).toArray(Class<?>[]::new));
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException("no canonical constructor in " + type.getName(), e);
            }
        }

        @Override
        public void write(Kryo kryo, Output output, R record) {
            for (RecordComponent c : components) {
                Object value;
                try {
                    value = c.getAccessor().invoke(record);
                } catch (ReflectiveOperationException e) {
                    throw new KryoException("cannot read " + type.getSimpleName() + "." + c.getName(), e);
                }
                switch (value) {
                    case Long l -> output.writeVarLong(l, false);
                    case Integer i -> output.writeVarInt(i, false);
                    case Boolean b -> output.writeBoolean(b);
                    case Instant instant -> writeInstant(output, instant);
                    case null -> {
                        if (c.getType() == Instant.class) {
                            writeInstant(output, null);
                        } else {
                            writeString(output, null);
                        }
                    }
                    default -> writeString(output, (String) value);
                }
            }
        }

        @Override
        public R read(Kryo kryo, Input input, Class<? extends R> ignored) {
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                Class<?> t = components[i].getType();
                values[i] = t == String.class ? readString(input)
                        : t == long.class ? input.readVarLong(false)
                        : t == int.class ? input.readVarInt(false)
                        : t == boolean.class ? input.readBoolean()
                        : readInstant(input);
            }
            try {
                return canonical.newInstance(values);
            } catch (InvocationTargetException e) {
                throw new KryoException("a " + type.getSimpleName() + " that cannot be built: "
                        + e.getCause(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new KryoException("cannot build a " + type.getSimpleName(), e);
            }
        }
    }

    private static final class StringSerializer extends Serializer<String> {
        StringSerializer() {
            super(true, true);
        }

        @Override
        public void write(Kryo kryo, Output output, String value) {
            writeString(output, value);
        }

        @Override
        public String read(Kryo kryo, Input input, Class<? extends String> type) {
            return readString(input);
        }
    }

    /** Writes any list as its size and elements; reads an {@link ArrayList}. */
    private static final class ListSerializer extends Serializer<List<?>> {
        @Override
        public void write(Kryo kryo, Output output, List<?> list) {
            int size = list.size();
            output.writeVarInt(size, true);
            int written = 0;
            for (Object element : list) {
                kryo.writeClassAndObject(output, element);
                written++;
            }
            if (written != size) {
                throw new KryoException("the list changed while it was written");
            }
        }

        @Override
        public List<?> read(Kryo kryo, Input input, Class<? extends List<?>> type) {
            int size = readCount(input, "list element");
            List<Object> list = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                list.add(kryo.readClassAndObject(input));
            }
            return list;
        }
    }

    /** Writes any map as its size and entries; reads a {@link LinkedHashMap}. */
    private static final class MapSerializer extends Serializer<Map<?, ?>> {
        @Override
        public void write(Kryo kryo, Output output, Map<?, ?> map) {
            int size = map.size();
            output.writeVarInt(size, true);
            int written = 0;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                kryo.writeClassAndObject(output, entry.getKey());
                kryo.writeClassAndObject(output, entry.getValue());
                written++;
            }
            if (written != size) {
                throw new KryoException("the map changed while it was written");
            }
        }

        @Override
        public Map<?, ?> read(Kryo kryo, Input input, Class<? extends Map<?, ?>> type) {
            int size = readCount(input, "map entry");
            Map<Object, Object> map = LinkedHashMap.newLinkedHashMap(size);
            for (int i = 0; i < size; i++) {
                Object key = kryo.readClassAndObject(input);
                map.put(key, kryo.readClassAndObject(input));
            }
            return map;
        }
    }

    private static final class InstantSerializer extends Serializer<Instant> {
        InstantSerializer() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, Instant value) {
            output.writeVarLong(value.getEpochSecond(), false);
            output.writeVarInt(value.getNano(), true);
        }

        @Override
        public Instant read(Kryo kryo, Input input, Class<? extends Instant> type) {
            return instantOf(input);
        }
    }

    private static final class MethodCallSerializer extends Serializer<MethodCall> {
        @Override
        public void write(Kryo kryo, Output output, MethodCall v) {
            output.writeVarInt(v.methodId(), false);
            Object[] args = v.args();
            output.writeVarInt(args.length, true);
            for (Object arg : args) {
                kryo.writeClassAndObject(output, arg);
            }
        }

        @Override
        public MethodCall read(Kryo kryo, Input input, Class<? extends MethodCall> type) {
            int methodId = input.readVarInt(false);
            int count = readCount(input, "argument");
            Object[] args = new Object[count];
            for (int i = 0; i < count; i++) {
                args[i] = kryo.readClassAndObject(input);
            }
            return new MethodCall(methodId, args);
        }
    }

    private static final class ReturnedSerializer extends Serializer<CallResult.Returned> {
        @Override
        public void write(Kryo kryo, Output output, CallResult.Returned v) {
            kryo.writeClassAndObject(output, v.value());
        }

        @Override
        public CallResult.Returned read(Kryo kryo, Input input,
                                        Class<? extends CallResult.Returned> type) {
            return new CallResult.Returned(kryo.readClassAndObject(input));
        }
    }

    private static final class ThrewSerializer extends Serializer<CallResult.Threw> {
        ThrewSerializer() {
            super(false, true);
        }

        @Override
        public void write(Kryo kryo, Output output, CallResult.Threw v) {
            REMOTE_ERROR.write(kryo, output, v.error());
        }

        @Override
        public CallResult.Threw read(Kryo kryo, Input input, Class<? extends CallResult.Threw> type) {
            return new CallResult.Threw(REMOTE_ERROR.read(kryo, input, RemoteError.class));
        }
    }
}
