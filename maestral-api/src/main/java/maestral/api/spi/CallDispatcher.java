package maestral.api.spi;

/**
 * Carries out the calls a {@link TransportServer} receives. The daemon's dispatcher is a
 * {@link MaestralDispatcher}.
 *
 * <p><b>Called from many threads at once; a call may block</b> (for example
 * {@code statusChangeLongpoll}), so a transport runs each call off its I/O threads, except
 * the calls {@link #answersAtOnce} names, which it may run where it read them.
 */
@FunctionalInterface
public interface CallDispatcher {

    /**
     * {@return the value, or the error to send back; never throws}
     *
     * @param call the method and arguments a client sent
     */
    CallResult dispatch(MethodCall call);

    /**
     * {@return whether the call returns at once, without waiting on I/O or another call, so
     * that a transport may run it on the thread that read it and spare a hand-off}; the
     * default, {@code false}, is always safe
     *
     * @param call a call as received
     */
    default boolean answersAtOnce(MethodCall call) {
        return false;
    }
}
