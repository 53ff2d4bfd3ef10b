package maestral.transport.tck;

import maestral.api.spi.TransportProvider;

/** Proves the conformance suite on the in-memory loopback transport. */
class LoopbackConformanceTest extends TransportConformanceSuite {

    @Override
    protected TransportProvider provider() {
        return new LoopbackTransportProvider();
    }
}
