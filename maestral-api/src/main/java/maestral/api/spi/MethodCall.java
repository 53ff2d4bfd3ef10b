package maestral.api.spi;

import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * One call of a {@link maestral.api.Maestral} method, as it travels to the daemon.
 *
 * @param methodId the method's id in {@link MaestralMethods}
 * @param args the arguments, boxed; an empty array for none
 */
public record MethodCall(int methodId, Object[] args) {

    private static final Object[] NO_ARGS = {};
    /** The most characters of a string argument that {@link #toString()} shows. */
    private static final int SHOWN_CHARS = 40;
    /** The most characters {@link #toString()} returns. */
    private static final int MAX_TEXT = 300;

    /** Validates the parts. */
    public MethodCall {
        args = args == null ? NO_ARGS : args;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MethodCall(int id, Object[] a)
                && id == methodId && Arrays.deepEquals(a, args);
    }

    @Override
    public int hashCode() {
        return 31 * methodId + Arrays.deepHashCode(args);
    }

    /**
     * {@return the method and its arguments, abbreviated for messages and logs}: a string
     * is cut at 40 characters with its length noted, a collection or map shows its size, and
     * the whole text is at most 300 characters, whatever the arguments hold
     */
    @Override
    public String toString() {
        String name = methodId >= 0 && methodId < MaestralMethods.count()
                ? MaestralMethods.method(methodId).getName() : "#" + methodId;
        StringBuilder b = new StringBuilder(name).append('(');
        for (int i = 0; i < args.length && b.length() < MAX_TEXT; i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(abbreviate(args[i]));
        }
        b.append(')');
        return b.length() <= MAX_TEXT ? b.toString() : b.substring(0, MAX_TEXT - 2) + "…)";
    }

    private static String abbreviate(Object arg) {
        return switch (arg) {
            case null -> "null";
            case String s -> s.length() <= SHOWN_CHARS ? '"' + s + '"'
                    : '"' + s.substring(0, SHOWN_CHARS) + "\"… (" + s.length() + " chars)";
            case Collection<?> c -> arg.getClass().getSimpleName() + " of " + c.size();
            case Map<?, ?> m -> arg.getClass().getSimpleName() + " of " + m.size();
            case Object[] a -> "array of " + a.length;
            case Number n -> n.toString();
            case Boolean v -> v.toString();
            case Character c -> "'" + c + "'";
            default -> arg.getClass().getSimpleName();
        };
    }
}
