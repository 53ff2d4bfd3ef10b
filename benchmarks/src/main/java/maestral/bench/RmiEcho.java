package maestral.bench;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.Remote;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;

/**
 * The far side of the RMI floor: exports an {@link Echo} on an ephemeral port bound to
 * 127.0.0.1 only, and writes its serialized stub to a file for the parent to read, so that no
 * registry (and no fixed port) is needed. Run as a child JVM by {@link RmiBenchmark} with
 * {@code -Djava.rmi.server.hostname=127.0.0.1}; argument: the stub file.
 */
public final class RmiEcho implements Echo {

    /** Kept reachable so that the exported object is never collected. */
    private static RmiEcho served;

    private RmiEcho() {
    }

    @Override
    public byte[] echo(byte[] message) {
        return message;
    }

    /** Binds server sockets to the loopback address only. */
    private record LoopbackServerSockets() implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        }
    }

    /**
     * Serves until the parent closes standard input.
     *
     * @param args the file to write the stub to
     * @throws IOException when the object cannot be exported or the stub written
     */
    public static void main(String[] args) throws IOException {
        ChildJvm.exitWithParent();
        served = new RmiEcho();
        Remote stub = UnicastRemoteObject.exportObject(served, 0, null, new LoopbackServerSockets());
        Path file = Path.of(args[0]);
        try (OutputStream out = Files.newOutputStream(file);
             ObjectOutputStream oos = new ObjectOutputStream(out)) {
            oos.writeObject(stub);
        }
        ChildJvm.ready(file.toString());
    }
}
