/**
 * The maestral API: the {@link maestral.api.Maestral} interface a daemon serves, the records
 * it returns, the {@link maestral.api.MaestralApiError} tree, and the transport SPI in
 * {@code maestral.api.spi}.
 *
 * <p>This module declares no service use itself: the daemon module {@code uses}
 * {@link maestral.api.spi.TransportProvider}, and each transport module {@code provides} it.
 * It depends on nothing but {@code java.base}. It reads one system property, for the
 * transports: {@code maestral.maxFrameBytes}, the largest frame of every transport in bytes
 * (default {@code 67108864}, 64 MiB; see {@link maestral.api.spi.FrameLimit}).
 */
module maestral.api {
    exports maestral.api;
    exports maestral.api.spi;
}
