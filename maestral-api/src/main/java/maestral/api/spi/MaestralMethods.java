package maestral.api.spi;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import maestral.api.Maestral;

/**
 * The table of {@link Maestral}'s methods that both sides of a connection share: each method
 * has a small integer id (its place in {@link WireModel#methods()}, sorted by signature), and
 * the whole wire model has a fingerprint that the {@link Handshake} compares.
 */
public final class MaestralMethods {

    private static final List<Method> METHODS = WireModel.STANDARD.methods();

    private static final Map<Method, Integer> IDS = new HashMap<>();

    static {
        for (int i = 0; i < METHODS.size(); i++) {
            IDS.put(METHODS.get(i), i);
        }
    }

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

    /**
     * {@return the fingerprint of the whole wire model, {@link WireModel#fingerprint()} of
     * {@link WireModel#STANDARD}}: every method signature and every record component
     */
    public static String fingerprint() {
        return WireModel.STANDARD.fingerprint();
    }
}
