package maestral.api.spi;

/**
 * Carries out the calls a {@link TransportServer} receives. The daemon's dispatcher is a
 * {@link MaestralDispatcher}.
 *
 * <p><b>Called from many threads at once; a call may block</b> (for example
 * {@code statusChangeLongpoll}), so a transport runs each call off its I/O threads.
 */
@FunctionalInterface
public interface CallDispatcher {

    /**
     * {@return the value, or the error to send back; never throws}
     *
     * @param call the method and arguments a client sent
     */
    CallResult dispatch(MethodCall call);
}
