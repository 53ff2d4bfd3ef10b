/**
 * The shm transport. It exports nothing; it will provide
 * {@link maestral.api.spi.TransportProvider} with the id {@code "shm"}.
 */
module maestral.transport.shm {
    requires maestral.api;
}
