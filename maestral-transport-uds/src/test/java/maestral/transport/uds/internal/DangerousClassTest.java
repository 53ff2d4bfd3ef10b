package maestral.transport.uds.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.io.Input;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * A crafted payload that names a class, by name or by an id outside the registry, never gets
 * that class loaded, initialised or constructed: {@link Tripwire} counts each of those.
 */
class DangerousClassTest {

    /** A class an attacker would like instantiated: it counts its initialisation and constructions. */
    public static final class Tripwire {
        static final AtomicInteger INITIALISED = Counters.INITIALISED;

        static {
            Counters.INITIALISED.incrementAndGet();
        }

        /** Counts. */
        public Tripwire() {
            Counters.CONSTRUCTED.incrementAndGet();
        }
    }

    /** Kept apart from {@link Tripwire} so that reading them does not initialise it. */
    static final class Counters {
        static final AtomicInteger INITIALISED = new AtomicInteger();
        static final AtomicInteger CONSTRUCTED = new AtomicInteger();
    }

    private static final Set<String> DANGEROUS = Set.of(Tripwire.class.getName(),
            "java.lang.ProcessBuilder", "javax.script.ScriptEngineManager", "java.net.URLClassLoader",
            "com.sun.rowset.JdbcRowSetImpl", "java.util.PriorityQueue", "java.lang.Runtime");

    @Test
    void aClassNameOnTheWireIsRefusedBeforeAnyLookup() {
        Kryo kryo = WireRegistry.newKryo();
        for (String name : DANGEROUS) {
            // Kryo's class id 1 (NAME + 2 = 0 means null, 1 means a name follows): varint 1, then the name.
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            payload.write(1);
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            payload.write(bytes.length + 1);
            payload.write(bytes, 0, bytes.length);
            KryoException e = assertThrows(KryoException.class,
                    () -> kryo.readClassAndObject(new Input(payload.toByteArray())));
            assertTrue(e.getMessage().contains("class name"), e.getMessage());
        }
        assertEquals(0, Counters.INITIALISED.get(), "the tripwire class was initialised");
        assertEquals(0, Counters.CONSTRUCTED.get(), "the tripwire class was constructed");
    }

    @Property(tries = 300)
    void anIdOutsideTheRegistryIsRefusedWithoutReflection(@ForAll @IntRange(min = 2, max = 5_000_000) int wireId) {
        Kryo kryo = WireRegistry.newKryo();
        Registration known = kryo.getRegistration(wireId - 2);
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        int v = wireId;
        while ((v & ~0x7F) != 0) {
            payload.write((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        payload.write(v);
        payload.write(0); // a few bytes of body for whatever might read one
        payload.write(0);
        try {
            kryo.readClassAndObject(new Input(payload.toByteArray()));
        } catch (KryoException | IndexOutOfBoundsException | maestral.api.spi.WireFormatException refused) {
            // refused, or a registered type with a truncated body
        }
        if (known != null) {
            assertTrue(known.getType().getName().startsWith("java.lang.")
                    || known.getType().getName().startsWith("java.util.")
                    || known.getType().getName().startsWith("java.time.")
                    || known.getType().getName().startsWith("maestral.")
                    || known.getType().isPrimitive(), "registered: " + known.getType());
            assertTrue(!DANGEROUS.contains(known.getType().getName()), known.getType().getName());
        }
        assertEquals(0, Counters.INITIALISED.get());
        assertEquals(0, Counters.CONSTRUCTED.get());
    }

    @Test
    void everyRegisteredTypeIsAnExpectedOne() {
        Kryo kryo = WireRegistry.newKryo();
        int registered = 0;
        for (int id = 0; id < 10_000; id++) {
            Registration r = kryo.getRegistration(id);
            if (r != null) {
                registered++;
                String n = r.getType().getName();
                assertTrue(r.getType().isPrimitive() || n.startsWith("java.lang.") || n.startsWith("java.util.")
                        || n.startsWith("java.time.") || n.startsWith("maestral.api"), "unexpected wire type " + n);
                assertTrue(!n.equals("java.lang.Object") && !n.equals("java.lang.Class")
                        && !n.contains("ClassLoader") && !n.contains("Process"), "dangerous wire type " + n);
            }
        }
        assertTrue(registered > 10, "registered types: " + registered);
    }
}
