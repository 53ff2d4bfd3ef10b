/**
 * The uds transport. It exports nothing; it will provide
 * {@link maestral.api.spi.TransportProvider} with the id {@code "uds"}.
 */
module maestral.transport.uds {
    requires maestral.api;
}
