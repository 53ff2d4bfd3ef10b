package maestral.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The far side of the raw unix-socket floor: a blocking JDK echo server that answers every
 * 64-byte message with the same 64 bytes, one thread per connection. Run as a child JVM by
 * {@link RawUdsBenchmark}; argument: the socket path.
 */
public final class UdsEcho {

    /** The message size, in bytes. */
    public static final int MESSAGE = 64;

    private UdsEcho() {
    }

    /**
     * Serves until the parent closes standard input.
     *
     * @param args the socket path
     * @throws IOException when the socket cannot be bound
     */
    public static void main(String[] args) throws IOException {
        ChildJvm.exitWithParent();
        Path path = Path.of(args[0]);
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        ChildJvm.ready(path.toString());
        while (true) {
            SocketChannel channel = server.accept();
            Thread t = new Thread(() -> echo(channel), "echo");
            t.setDaemon(true);
            t.start();
        }
    }

    private static void echo(SocketChannel channel) {
        ByteBuffer buf = ByteBuffer.allocateDirect(MESSAGE);
        try (channel) {
            while (true) {
                buf.clear();
                while (buf.hasRemaining()) {
                    if (channel.read(buf) < 0) {
                        return;
                    }
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }
}
