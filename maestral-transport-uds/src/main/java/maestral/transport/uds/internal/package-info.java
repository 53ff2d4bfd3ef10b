/**
 * The implementation of the unix-domain-socket transport: framing
 * ({@link maestral.transport.uds.internal.FrameDescriptor}), the Kryo type registry, the
 * Netty server and client. <b>Not API</b>: this package is not exported and may change
 * without notice.
 */
package maestral.transport.uds.internal;
