/**
 * The transport SPI: how a daemon serves {@link maestral.api.Maestral} and how clients reach
 * it. A transport is a jar whose module {@code provides maestral.api.spi.TransportProvider}
 * (and lists it in {@code META-INF/services} for class-path users); putting it on the path is
 * enough, no code changes.
 *
 * <h2>The parts</h2>
 * <ul>
 *   <li>{@link maestral.api.spi.TransportProvider}: id, preference, availability, JVM options,
 *       and the two factories {@code bind} and {@code connect};</li>
 *   <li>{@link maestral.api.spi.TransportServer}: the endpoint of one configuration; each call
 *       it receives goes to a {@link maestral.api.spi.CallDispatcher};</li>
 *   <li>{@link maestral.api.spi.TransportClient}: one connection that carries calls from many
 *       threads at once, each with its own deadline;</li>
 *   <li>{@link maestral.api.spi.Handshake}: the first exchange; a client refuses a daemon with
 *       another protocol version or interface fingerprint;</li>
 *   <li>{@link maestral.api.spi.MethodCall} and {@link maestral.api.spi.CallResult}: what
 *       travels, with method ids from {@link maestral.api.spi.MaestralMethods} and errors as
 *       {@link maestral.api.spi.RemoteError} data.</li>
 * </ul>
 *
 * <h2>Writing a third transport</h2>
 * A transport only moves {@code MethodCall}s one way and {@code CallResult}s back; the daemon,
 * the proxy and the error mapping are shared. In outline (a TCP-on-loopback transport, say):
 * <pre>{@code
 * public final class TcpTransportProvider implements TransportProvider {
 *     public String id() { return "tcp"; }
 *     public int preference() { return 10; }                   // below uds (100)
 *     public Availability availability() { return Availability.supportedHere(); }
 *     public List<String> jvmOptions() { return List.of(); }
 *
 *     public TransportServer bind(Endpoint endpoint, Handshake hello, CallDispatcher dispatcher)
 *             throws IOException {
 *         // bind 127.0.0.1:0, write the port to endpoint.runtimeDirectory()/NAME.tcp;
 *         // per connection: read the client's Handshake, answer with hello (or a refusal
 *         // from hello.incompatibility(theirs)); then for each MethodCall frame run
 *         //   CallResult r = dispatcher.dispatch(call);
 *         // on a virtual thread and write r back with the call's correlation id.
 *         return new TcpServer(...);
 *     }
 *
 *     public TransportClient connect(Endpoint endpoint, Handshake hello, Duration timeout) {
 *         // read the port file, connect within the timeout, send hello, read the server's,
 *         // then hello.requireCompatible(theirs); map every failure to CommunicationError.
 *         return new TcpClient(...);
 *     }
 * }
 * }</pre>
 * Declare it in {@code module-info.java} with
 * {@code provides maestral.api.spi.TransportProvider with TcpTransportProvider;}, and run the
 * conformance suite of the {@code maestral-transport-tck} module against it: a transport
 * that passes it works with the daemon and the proxy.
 */
package maestral.api.spi;
