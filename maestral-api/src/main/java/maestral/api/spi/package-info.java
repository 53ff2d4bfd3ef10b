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
 *       another protocol version or wire-model fingerprint;</li>
 *   <li>{@link maestral.api.spi.MethodCall} and {@link maestral.api.spi.CallResult}: what
 *       travels, with method ids from {@link maestral.api.spi.MaestralMethods} and errors as
 *       {@link maestral.api.spi.RemoteError} data.</li>
 * </ul>
 *
 * <h2>What travels</h2>
 * {@link maestral.api.spi.WireModel} describes it once: the value kinds with their tags, the
 * records that travel with theirs, and the served methods; its fingerprint is what the
 * handshake compares. {@link maestral.api.spi.WireFormat} is the one codec of that model,
 * written against two small interfaces, {@link maestral.api.spi.WireOutput} and
 * {@link maestral.api.spi.WireInput}, that a transport implements over its own buffer (or
 * takes from {@link maestral.api.spi.ByteBufferWire}). {@link maestral.api.spi.FrameLimit} is
 * the one size limit of a frame, and its two factories word the refusals of every transport.
 *
 * <h2>Writing a third transport</h2>
 * A transport only moves {@code MethodCall}s one way and {@code CallResult}s back; the daemon,
 * the proxy, the codec and the error mapping are shared. In outline (a TCP-on-loopback
 * transport, say):
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
 *         // int limit = FrameLimit.maxFrameBytes(); per connection, with its own
 *         // WireFormat format = new WireFormat().limit(limit, HEADER):
 *         //   read a length-prefixed frame (refuse a length over limit before allocating),
 *         //   Handshake theirs = format.readHandshake(ByteBufferWire.forReading(frame));
 *         //   answer with hello (or the refusal hello.incompatibility(theirs));
 *         //   then per frame: MethodCall call = format.readCall(...), run
 *         //     CallResult r = dispatcher.dispatch(call);
 *         //   on a virtual thread and write it back with the call's correlation id:
 *         //     ByteBufferWire out = ByteBufferWire.forWriting(256);
 *         //     try { format.writeResult(out, r); }
 *         //     catch (UnsendableException e) { format.writeResult(out, FrameLimit.cannotAnswer(e)); }
 *         return new TcpServer(...);
 *     }
 *
 *     public TransportClient connect(Endpoint endpoint, Handshake hello, Duration timeout) {
 *         // read the port file, connect within the timeout, send hello (format.writeHandshake),
 *         // read the server's, then hello.requireCompatible(theirs); encode each call with
 *         // format.writeCall, throwing FrameLimit.cannotSend(call, e) on UnsendableException;
 *         // map every failure to CommunicationError.
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
