package maestral.api.spi;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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

    private MaestralMethods() {
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

    private static String computeFingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Method m : METHODS) {
                sha.update(signature(m).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is required on every JVM", e);
        }
    }
}
