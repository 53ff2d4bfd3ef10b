package maestral.api.spi;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import maestral.api.Maestral;

/**
 * The table of {@link Maestral}'s methods that both sides of a connection share: each method
 * has a small integer id (its place in the table, sorted by signature), and the table has a
 * fingerprint that the {@link Handshake} compares.
 */
public final class MaestralMethods {

    private static final List<Method> METHODS = Arrays.stream(Maestral.class.getMethods())
            .filter(m -> !Modifier.isStatic(m.getModifiers()))
            .sorted(Comparator.comparing(MaestralMethods::signature))
            .toList();

    private static final Map<Method, Integer> IDS = new HashMap<>();

    static {
        for (int i = 0; i < METHODS.size(); i++) {
            IDS.put(METHODS.get(i), i);
        }
    }

    private static final String FINGERPRINT = computeFingerprint();

    /**
     * The methods a served {@link Maestral} answers from memory, without waiting on I/O, on
     * another call or on the sync engine: state getters. A transport may run them on its I/O
     * thread; the daemon's served object keeps this promise.
     */
    private static final java.util.Set<String> ANSWERED_FROM_MEMORY = java.util.Set.of(
            "version", "configName", "status", "running", "paused", "syncing", "connected",
            "pendingLink", "pendingFirstDownload", "dropboxPath", "excludedItems", "excludedStatus",
            "logLevel", "notificationLevel", "notificationSnooze", "syncErrors", "fatalErrors",
            "getActivity", "getHistory");

    private static final boolean[] FROM_MEMORY = new boolean[METHODS.size()];

    static {
        for (int i = 0; i < METHODS.size(); i++) {
            FROM_MEMORY[i] = ANSWERED_FROM_MEMORY.contains(METHODS.get(i).getName());
        }
    }

    private MaestralMethods() {
    }

    /**
     * {@return whether the served object answers the method from memory, so that a transport may
     * run it on its I/O thread}: state getters such as {@code status()} and
     * {@code getActivity(int)}; never a call that may block, such as
     * {@code statusChangeLongpoll}, or one that reads or writes files.
     *
     * @param id a method id; an unknown id answers {@code false}
     */
    public static boolean answeredFromMemory(int id) {
        return id >= 0 && id < FROM_MEMORY.length && FROM_MEMORY[id];
    }

    /** {@return the number of methods} */
    public static int count() {
        return METHODS.size();
    }

    /**
     * {@return the method with that id}
     *
     * @param id a method id
     * @throws IndexOutOfBoundsException when no method has it
     */
    public static Method method(int id) {
        return METHODS.get(id);
    }

    /**
     * {@return its id}
     *
     * @param method a method of {@link Maestral}
     * @throws IllegalArgumentException when it is not a method of {@code Maestral}
     */
    public static int id(Method method) {
        Integer id = IDS.get(method);
        if (id == null) {
            throw new IllegalArgumentException("not a method of Maestral: " + method);
        }
        return id;
    }

    /**
     * {@return its id}
     *
     * @param name a method name of {@link Maestral} (its names are not overloaded)
     * @throws IllegalArgumentException when no method has that name
     */
    public static int id(String name) {
        for (int i = 0; i < METHODS.size(); i++) {
            if (METHODS.get(i).getName().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no method of Maestral is named '" + name + "'");
    }

    /** {@return a short hash of every method's generic signature} */
    public static String fingerprint() {
        return FINGERPRINT;
    }

    /**
     * {@return its name, generic parameter types and generic return type}
     *
     * @param m a method
     */
    static String signature(Method m) {
        return m.getName() + Arrays.stream(m.getGenericParameterTypes())
                .map(t -> t.getTypeName()).collect(Collectors.joining(",", "(", ")"))
                + m.getGenericReturnType().getTypeName();
    }

    /**
     * A 64-bit FNV-1a hash of the signatures: it only has to tell interfaces apart, not resist
     * an adversary, and unlike a {@code MessageDigest} it costs a command-line JVM no start-up
     * time.
     */
    private static String computeFingerprint() {
        long hash = 0xcbf29ce484222325L;
        for (Method m : METHODS) {
            for (byte b : (signature(m) + "\n").getBytes(StandardCharsets.UTF_8)) {
                hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
            }
        }
        return HexFormat.of().toHexDigits(hash);
    }
}
