package maestral.transport.uds;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MaestralDispatcher;
import maestral.api.spi.TransportServer;
import maestral.transport.tck.ScriptedMaestral;

/**
 * A uds server of a {@link ScriptedMaestral} in its own JVM, for tests and the latency probe:
 * {@code ServerMain SOCKET [RAW_ECHO_SOCKET]}. It prints {@code READY} once it serves, and
 * stops when its standard input ends. With a second path it also serves a raw JDK echo of
 * 64-byte messages there, the floor the transport is compared with.
 */
public final class ServerMain {

    private ServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        TransportServer server = new UdsTransportProvider().bind(
                new Endpoint("child", socket.getParent(), socket),
                Handshake.server("uds", "child-" + ProcessHandle.current().pid()),
                new MaestralDispatcher(new ScriptedMaestral("child")));
        ServerSocketChannel echo = null;
        if (args.length > 1) {
            Path echoPath = Path.of(args[1]);
            Files.deleteIfExists(echoPath);
            echo = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            echo.bind(UnixDomainSocketAddress.of(echoPath));
            ServerSocketChannel listening = echo;
            Thread.ofPlatform().daemon().name("raw-echo-accept").start(() -> acceptEchoes(listening));
        }
        System.out.println("READY");
        System.out.flush();
        InputStream in = System.in;
        while (in.read() != -1) {
            // wait for the parent to close our input
        }
        server.close();
        if (echo != null) {
            echo.close();
            Files.deleteIfExists(Path.of(args[1]));
        }
        OutputStream out = System.out;
        out.flush();
        System.exit(0);
    }

    private static void acceptEchoes(ServerSocketChannel listening) {
        try {
            while (true) {
                SocketChannel peer = listening.accept();
                Thread.ofPlatform().daemon().name("raw-echo").start(() -> echo(peer));
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static void echo(SocketChannel peer) {
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        try (peer) {
            while (true) {
                b.clear();
                while (b.hasRemaining()) {
                    if (peer.read(b) < 0) {
                        return;
                    }
                }
                b.flip();
                while (b.hasRemaining()) {
                    peer.write(b);
                }
            }
        } catch (IOException e) {
            // peer left
        }
    }
}
