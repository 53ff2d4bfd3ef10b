/**
 * The conformance suite of the transport SPI. A transport's test extends
 * {@link maestral.transport.tck.TransportConformanceSuite} and names its provider; passing it
 * is what makes a transport work with the daemon and the proxy.
 */
package maestral.transport.tck;
