package maestral.api.spi;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import maestral.api.AccountInfo;
import maestral.api.ErrorInfo;
import maestral.api.FileMetadata;
import maestral.api.Maestral;
import maestral.api.SpaceUsage;
import maestral.api.SyncErrorInfo;
import maestral.api.SyncEvent;

/**
 * The one description of what travels between a proxy and a daemon: the kinds of value (each
 * with a stable tag), the records that travel (each with a stable tag and its components in
 * declaration order), and the methods of the served interface. Every transport derives its
 * encoding from it ({@link WireFormat} is the shared codec), and {@link #fingerprint()}
 * hashes all of it, so that two builds that differ in any method or record component refuse
 * each other at the {@link Handshake}.
 *
 * <h2>Value kinds</h2>
 * <pre>
 *  tag kind       Java type                    tag kind       Java type
 *   0  NULL       null                           8  LIST       any List (arrives as ArrayList)
 *   1  FALSE      Boolean.FALSE                  9  MAP        any Map (arrives as LinkedHashMap)
 *   2  TRUE       Boolean.TRUE                  10  BYTE       Byte
 *   3  INT        Integer                       11  SHORT      Short
 *   4  LONG       Long                          12  CHAR       Character
 *   5  DOUBLE     Double                        13  FLOAT      Float
 *   6  STRING     String                     32..  records of {@link #records()}
 *   7  INSTANT    Instant
 * </pre>
 *
 * <h2>Records</h2>
 * The standard model ({@link #STANDARD}) carries, with their tags:
 * <pre>
 *   32 AccountInfo   33 SpaceUsage   34 FileMetadata   35 SyncEvent   36 SyncErrorInfo
 *   37 ErrorInfo     48 Handshake    49 RemoteError (the last two only inside frames)
 * </pre>
 * A record component is a {@link FieldKind}: {@code boolean}, {@code int}, {@code long},
 * {@code double}, a nullable {@code String} or a nullable {@code Instant}. Adding a record to
 * the API means adding one line to {@link #STANDARD}; a tag is never reused for another type.
 *
 * <p><b>Immutable; safe for use by many threads at once.</b>
 */
public final class WireModel {

    /** The kinds of value, each with its stable tag on the wire. */
    public enum Kind {
        /** {@code null}. */
        NULL(0),
        /** {@code Boolean.FALSE}. */
        FALSE(1),
        /** {@code Boolean.TRUE}. */
        TRUE(2),
        /** An {@code Integer}. */
        INT(3),
        /** A {@code Long}. */
        LONG(4),
        /** A {@code Double}. */
        DOUBLE(5),
        /** A {@code String}. */
        STRING(6),
        /** An {@code Instant}. */
        INSTANT(7),
        /** A {@code List}, element by element. */
        LIST(8),
        /** A {@code Map}, entry by entry. */
        MAP(9),
        /** A {@code Byte}. */
        BYTE(10),
        /** A {@code Short}. */
        SHORT(11),
        /** A {@code Character}. */
        CHAR(12),
        /** A {@code Float}. */
        FLOAT(13);

        private final int tag;

        Kind(int tag) {
            this.tag = tag;
        }

        /** {@return the tag of this kind on the wire} */
        public int tag() {
            return tag;
        }
    }

    /** The first tag a record may have; the tags below belong to the {@link Kind}s. */
    public static final int FIRST_RECORD_TAG = 32;

    /** The kinds of record component. */
    public enum FieldKind {
        /** A {@code boolean}. */
        BOOLEAN(boolean.class),
        /** An {@code int}. */
        INT(int.class),
        /** A {@code long}. */
        LONG(long.class),
        /** A {@code double}. */
        DOUBLE(double.class),
        /** A {@code String}, possibly {@code null}. */
        STRING(String.class),
        /** An {@code Instant}, possibly {@code null}. */
        INSTANT(Instant.class);

        private final Class<?> type;

        FieldKind(Class<?> type) {
            this.type = type;
        }

        static FieldKind of(Class<?> type, String where) {
            for (FieldKind k : values()) {
                if (k.type == type) {
                    return k;
                }
            }
            throw new IllegalArgumentException(where + " has type " + type.getName()
                    + ", which no wire field kind carries (" + Arrays.toString(values()) + ")");
        }
    }

    /**
     * One component of a record, as it travels.
     *
     * @param name the component's name
     * @param kind how it is encoded
     * @param accessor reads it: {@code (Record) -> Object}
     */
    public record Field(String name, FieldKind kind, MethodHandle accessor) {

        /** Validates the parts. */
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(accessor, "accessor");
        }

        /**
         * {@return the component's value in a record}
         *
         * @param record a record of the field's type
         */
        public Object get(Record record) {
            try {
                return (Object) accessor.invokeExact(record);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("cannot read " + name, e);
            }
        }
    }

    /**
     * A record class that travels.
     *
     * @param tag its stable tag on the wire
     * @param type the record class
     * @param fields its components in declaration order
     * @param constructor its canonical constructor: {@code (Object[]) -> Record}
     */
    public record RecordType(int tag, Class<? extends Record> type, List<Field> fields,
                             MethodHandle constructor) {

        /** Validates the parts. */
        public RecordType {
            Objects.requireNonNull(type, "type");
            fields = List.copyOf(fields);
            Objects.requireNonNull(constructor, "constructor");
        }

        /**
         * {@return a record built from its component values}; the canonical constructor's
         * checks apply
         *
         * @param values one value per field, in order, boxed
         * @throws IllegalArgumentException when the constructor refuses them
         */
        public Record create(Object[] values) {
            try {
                return (Record) constructor.invokeExact(values);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("a " + type.getSimpleName()
                        + " that cannot be built: " + e.getMessage(), e);
            } catch (Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("cannot build a " + type.getSimpleName(), e);
            }
        }

        /** {@return the record's shape: tag, class and each component's name and type, in order} */
        String shape() {
            StringBuilder b = new StringBuilder().append(tag).append(' ').append(type.getName()).append('(');
            for (Field f : fields) {
                b.append(f.name()).append(':').append(f.kind()).append(',');
            }
            return b.append(')').toString();
        }
    }

    /** The model this library speaks: {@link Maestral}'s methods and the API's records. */
    public static final WireModel STANDARD = new WireModel(Maestral.class, List.of(
            new Entry(32, AccountInfo.class),
            new Entry(33, SpaceUsage.class),
            new Entry(34, FileMetadata.class),
            new Entry(35, SyncEvent.class),
            new Entry(36, SyncErrorInfo.class),
            new Entry(37, ErrorInfo.class),
            new Entry(48, Handshake.class),
            new Entry(49, RemoteError.class)));

    /**
     * One line of a model's record table.
     *
     * @param tag the record's stable tag, at least {@link #FIRST_RECORD_TAG} and below 256
     * @param type the record class
     */
    public record Entry(int tag, Class<? extends Record> type) {

        /** Validates the parts. */
        public Entry {
            Objects.requireNonNull(type, "type");
            if (tag < FIRST_RECORD_TAG || tag > 255) {
                throw new IllegalArgumentException("record tag " + tag + " of " + type.getName()
                        + " is outside " + FIRST_RECORD_TAG + "..255");
            }
        }
    }

    private final Class<?> served;
    private final List<Method> methods;
    private final List<RecordType> records;
    private final RecordType[] byTag = new RecordType[256];
    private final Map<Class<?>, RecordType> byClass = new HashMap<>();
    private final String fingerprint;

    /**
     * Creates a model; {@link #STANDARD} is the one this library speaks, others are for tests
     * and tools.
     *
     * @param served the served interface, whose non-static methods are the callable ones
     * @param table the records that travel, each with its tag
     * @throws IllegalArgumentException when two entries share a tag or a class, or a component
     *     has a type no {@link FieldKind} carries
     */
    public WireModel(Class<?> served, List<Entry> table) {
        this.served = Objects.requireNonNull(served, "served");
        this.methods = Arrays.stream(served.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()))
                .sorted(Comparator.comparing(WireModel::signature))
                .toList();
        List<RecordType> list = new ArrayList<>();
        for (Entry e : table) {
            RecordType type = describe(e);
            if (byTag[e.tag()] != null || byClass.containsKey(e.type())) {
                throw new IllegalArgumentException("tag " + e.tag() + " or class "
                        + e.type().getName() + " appears twice in the wire table");
            }
            byTag[e.tag()] = type;
            byClass.put(e.type(), type);
            list.add(type);
        }
        this.records = List.copyOf(list);
        this.fingerprint = computeFingerprint();
    }

    /** {@return the served interface} */
    public Class<?> served() {
        return served;
    }

    /** {@return the callable methods, sorted by signature: a method's id is its place here} */
    public List<Method> methods() {
        return methods;
    }

    /** {@return the records that travel, in table order} */
    public List<RecordType> records() {
        return records;
    }

    /**
     * {@return the record type with that tag, or {@code null}}
     *
     * @param tag a tag read from the wire
     */
    public RecordType record(int tag) {
        return tag >= 0 && tag < byTag.length ? byTag[tag] : null;
    }

    /**
     * {@return the record type of that class, or {@code null} when it does not travel}
     *
     * @param type a class
     */
    public RecordType record(Class<?> type) {
        return byClass.get(type);
    }

    /**
     * {@return a short hash of the whole model}: every method's generic signature, every
     * record's tag, class and components (name and kind, in order), the value kinds and the
     * string rule of {@link WireFormat}
     */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * {@return a method's name, generic parameter types and generic return type}
     *
     * @param m a method
     */
    static String signature(Method m) {
        StringBuilder b = new StringBuilder(m.getName()).append('(');
        for (java.lang.reflect.Type t : m.getGenericParameterTypes()) {
            b.append(t.getTypeName()).append(',');
        }
        return b.append(')').append(m.getGenericReturnType().getTypeName()).toString();
    }

    private static RecordType describe(Entry e) {
        Class<? extends Record> type = e.type();
        RecordComponent[] components = type.getRecordComponents();
        if (components == null) {
            throw new IllegalArgumentException(type.getName() + " is not a record");
        }
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        List<Field> fields = new ArrayList<>(components.length);
        Class<?>[] types = new Class<?>[components.length];
        try {
            for (int i = 0; i < components.length; i++) {
                RecordComponent c = components[i];
                types[i] = c.getType();
                FieldKind kind = FieldKind.of(c.getType(), type.getName() + "." + c.getName());
                MethodHandle accessor = lookup.unreflect(c.getAccessor())
                        .asType(MethodType.methodType(Object.class, Record.class));
                fields.add(new Field(c.getName(), kind, accessor));
            }
            MethodHandle constructor = lookup.findConstructor(type,
                            MethodType.methodType(void.class, types))
                    .asSpreader(Object[].class, types.length)
                    .asType(MethodType.methodType(Record.class, Object[].class));
            return new RecordType(e.tag(), type, fields, constructor);
        } catch (ReflectiveOperationException ex) {
            throw new IllegalArgumentException("cannot describe " + type.getName()
                    + " for the wire (it must be a public record with public components)", ex);
        }
    }

    /**
     * A 64-bit FNV-1a hash: it only has to tell models apart, not resist an adversary, and
     * unlike a {@code MessageDigest} it costs a command-line JVM no start-up time.
     */
    private String computeFingerprint() {
        StringBuilder text = new StringBuilder();
        for (Method m : methods) {
            text.append("method ").append(signature(m)).append('\n');
        }
        for (RecordType r : records) {
            text.append("record ").append(r.shape()).append('\n');
        }
        for (Kind k : Kind.values()) {
            text.append("kind ").append(k).append('=').append(k.tag()).append('\n');
        }
        text.append("strings ").append(WireFormat.STRING_RULE).append('\n');
        long hash = 0xcbf29ce484222325L;
        for (byte b : text.toString().getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return HexFormat.of().toHexDigits(hash);
    }
}
