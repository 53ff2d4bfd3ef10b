package maestral.api.spi;

/**
 * One call of a {@link maestral.api.Maestral} method, as it travels to the daemon.
 *
 * @param methodId the method's id in {@link MaestralMethods}
 * @param args the arguments, boxed; an empty array for none
 */
public record MethodCall(int methodId, Object[] args) {

    private static final Object[] NO_ARGS = {};

    /** Validates the parts. */
    public MethodCall {
        args = args == null ? NO_ARGS : args;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MethodCall(int id, Object[] a)
                && id == methodId && java.util.Arrays.deepEquals(a, args);
    }

    @Override
    public int hashCode() {
        return 31 * methodId + java.util.Arrays.deepHashCode(args);
    }

    @Override
    public String toString() {
        String name = methodId >= 0 && methodId < MaestralMethods.count()
                ? MaestralMethods.method(methodId).getName() : "#" + methodId;
        return name + java.util.Arrays.deepToString(args);
    }
}
