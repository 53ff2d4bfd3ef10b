/**
 * The maestral daemon: its lifecycle, the proxy, the served object and the command line.
 *
 * @uses maestral.api.spi.TransportProvider
 */
module maestral.daemon {
    requires transitive maestral.api;
    requires transitive maestral.lock;

    uses maestral.api.spi.TransportProvider;
}
