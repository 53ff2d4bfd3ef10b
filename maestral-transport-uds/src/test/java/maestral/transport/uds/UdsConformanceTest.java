package maestral.transport.uds;

import maestral.api.spi.TransportProvider;
import maestral.transport.tck.TransportConformanceSuite;

/** Runs the transport conformance suite against the uds transport. */
class UdsConformanceTest extends TransportConformanceSuite {

    @Override
    protected TransportProvider provider() {
        return new UdsTransportProvider();
    }
}
