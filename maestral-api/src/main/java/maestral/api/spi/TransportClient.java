package maestral.api.spi;

/**
 * A connection to a daemon over one transport, multiplexing calls.
 *
 * <p><b>Safe for use by many threads at once</b>: calls from several threads travel over the
 * one connection, each gets its own answer, and a call that blocks in the daemon does not
 * delay the others.
 */
public interface TransportClient extends AutoCloseable {

    /** {@return the daemon's side of the handshake} */
    Handshake serverHello();

    /**
     * Makes one call and waits for its answer.
     *
     * <p>The daemon may have carried the call out even when this throws.
     *
     * @param call the method and arguments
     * @param timeoutNanos the deadline, in nanoseconds from now
     * @return the answer: a value or the error the daemon raised
     * @throws maestral.api.CallTimeoutError when the deadline passes first
     * @throws maestral.api.CommunicationError when the connection is closed or fails
     */
    CallResult call(MethodCall call, long timeoutNanos);

    /** {@return whether calls can still be made} */
    boolean isOpen();

    /** Closes the connection; pending and later calls fail with a {@code CommunicationError}. */
    @Override
    void close();
}
