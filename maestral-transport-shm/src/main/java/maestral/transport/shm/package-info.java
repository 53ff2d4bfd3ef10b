/**
 * The shared-memory transport's entry point, {@link maestral.transport.shm.ShmTransportProvider},
 * found through {@link java.util.ServiceLoader}. This package is not exported: users reach it
 * only as a {@link maestral.api.spi.TransportProvider}.
 */
package maestral.transport.shm;
