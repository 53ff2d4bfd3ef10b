package maestral.bench;

import maestral.daemon.MaestralProxy;

/** Connects proxies over a named transport and checks that they got it. */
public final class Clients {

    private Clients() {
    }

    /**
     * Connects a proxy to the benchmark daemon over a transport.
     *
     * @param transport {@code uds} or {@code shm}
     * @return the proxy
     * @throws IllegalStateException when the proxy ends up on another transport
     */
    public static MaestralProxy connect(String transport) {
        System.setProperty("maestral.transport", transport);
        MaestralProxy proxy = new MaestralProxy(DaemonFixture.CONFIG);
        if (!transport.equals(proxy.transport())) {
            String got = proxy.transport();
            proxy.close();
            throw new IllegalStateException("asked for transport " + transport + ", got " + got);
        }
        return proxy;
    }
}
