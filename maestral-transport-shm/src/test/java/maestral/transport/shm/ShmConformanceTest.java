package maestral.transport.shm;

import maestral.api.spi.TransportProvider;
import maestral.transport.tck.TransportConformanceSuite;

/** The transport conformance suite, run against the shm transport in one JVM. */
class ShmConformanceTest extends TransportConformanceSuite {

    @Override
    protected TransportProvider provider() {
        return new ShmTransportProvider();
    }
}
