package maestral.api.spi;

/**
 * The answer to a {@link MethodCall}: a value or an error, as data, so that the hot path
 * throws nothing until the caller unwraps it with {@link #valueOrThrow()}.
 */
public sealed interface CallResult {

    /**
     * {@return the value}
     *
     * @throws RuntimeException the daemon's error, rebuilt as its own class
     */
    Object valueOrThrow();

    /**
     * A call that returned.
     *
     * @param value what it returned, {@code null} for {@code void}
     */
    record Returned(Object value) implements CallResult {
        @Override
        public Object valueOrThrow() {
            return value;
        }
    }

    /**
     * A call that threw.
     *
     * @param error what it threw
     */
    record Threw(RemoteError error) implements CallResult {
        @Override
        public Object valueOrThrow() {
            throw error.toException();
        }
    }
}
