/**
 * The unix-domain-socket transport's entry point,
 * {@link maestral.transport.uds.UdsTransportProvider}, found through
 * {@link java.util.ServiceLoader}. The module exports no package: use the transport through
 * the {@code maestral.api.spi} interfaces only.
 */
package maestral.transport.uds;
