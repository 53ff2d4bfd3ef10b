/**
 * The maestral API: the {@link maestral.api.Maestral} interface a daemon serves, the records
 * it returns, the {@link maestral.api.MaestralApiError} tree, and the transport SPI in
 * {@code maestral.api.spi}.
 *
 * <p>This module declares no service use itself: the daemon module {@code uses}
 * {@link maestral.api.spi.TransportProvider}, and each transport module {@code provides} it.
 * It depends on nothing but {@code java.base} and reads no system property.
 */
module maestral.api {
    exports maestral.api;
    exports maestral.api.spi;
}
