package maestral.transport.uds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import maestral.api.Maestral;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MaestralDispatcher;
import maestral.api.spi.RemoteMaestral;
import maestral.api.spi.TransportClient;
import maestral.api.spi.TransportServer;
import maestral.transport.tck.ScriptedMaestral;
import maestral.transport.uds.internal.UdsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client running as another user ({@code nobody}, through {@code setpriv}) is refused, and
 * the server serves its own user on. Needs root and setpriv; skipped otherwise.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ForeignUidTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    /** A JDK-only client: it needs no jar, which the other user may not be able to read. */
    private static final String FOREIGN_CLIENT = """
            import java.io.IOException;
            import java.net.StandardProtocolFamily;
            import java.net.UnixDomainSocketAddress;
            import java.nio.ByteBuffer;
            import java.nio.channels.SocketChannel;
            import java.util.HexFormat;

            public class ForeignClient {
                public static void main(String[] args) {
                    SocketChannel ch;
                    try {
                        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                        ch.connect(UnixDomainSocketAddress.of(args[0]));
                    } catch (Exception e) {
                        System.out.println("CONNECT-FAILED " + e);
                        return;
                    }
                    try (ch) {
                        ch.write(ByteBuffer.wrap(HexFormat.of().parseHex(args[1])));
                        int n = ch.read(ByteBuffer.allocate(1 << 16));
                        System.out.println(n < 0 ? "CLOSED" : "REPLIED " + n);
                    } catch (IOException e) {
                        System.out.println("CLOSED " + e);
                    }
                }
            }
            """;

    private Path dir;
    private TransportServer server;
    private TransportClient ownClient;

    @BeforeEach
    void requireRootAndSetpriv() throws IOException {
        Object uid = Files.getAttribute(Path.of(System.getProperty("java.io.tmpdir")), "unix:uid");
        boolean root = "root".equals(System.getProperty("user.name"));
        Path setpriv = Stream.of("/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv")
                .map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (!root || setpriv == null) {
            String why = !root ? "this test needs root to run a client as another user (user.name="
                    + System.getProperty("user.name") + ", tmp owner uid " + uid + ")"
                    : "this test needs setpriv (util-linux) to run a client as another user";
            System.out.println("ForeignUidTest skipped: " + why);
            Assumptions.abort(why);
        }
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (ownClient != null) {
            ownClient.close();
        }
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void aClientOfAnotherUidIsRefusedAndTheServerServesOn() throws Exception {
        dir = Files.createTempDirectory("uds-uid");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Path socket = dir.resolve("f.sock");
        Endpoint endpoint = new Endpoint("foreign", dir, socket);
        server = new UdsTransportProvider().bind(endpoint, Handshake.server("uds", "uid-test"),
                new MaestralDispatcher(new ScriptedMaestral("foreign")));
        ownClient = new UdsTransportProvider().connect(endpoint, Handshake.client("uds"), DEADLINE);
        Maestral remote = RemoteMaestral.over(ownClient, DEADLINE);
        Path source = dir.resolve("ForeignClient.java");
        Files.writeString(source, FOREIGN_CLIENT);
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
        String hello = HexFormat.of().formatHex(RawPeer.helloFrame());

        // As bound, the socket is 0600: the kernel refuses the other user already.
        String asBound = runAsNobody(source, socket, hello);
        assertTrue(asBound.startsWith("CONNECT-FAILED") || asBound.startsWith("CLOSED"), asBound);
        assertEquals("Up to date", remote.status());

        // Opened up to everyone, the connect gets through and the peer check must refuse it.
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        String opened = runAsNobody(source, socket, hello);
        assertTrue(opened.startsWith("CLOSED"), "the server answered a client of another uid: " + opened);
        assertEquals("Up to date", remote.status());
        TransportClient again = new UdsTransportProvider().connect(endpoint, Handshake.client("uds"), DEADLINE);
        try {
            assertEquals("echo:/x", RemoteMaestral.over(again, DEADLINE).excludedStatus("/x"));
        } finally {
            again.close();
        }
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (((UdsServer) server).connectionCount() != 1 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertEquals(1, ((UdsServer) server).connectionCount(), "only our own client is connected");
    }

    private static String runAsNobody(Path source, Path socket, String helloHex) throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", ChildJvm.javaLauncher(), "-XX:-UsePerfData", "-Xshare:auto",
                source.toString(), socket.toString(), helloHex));
        try (ChildJvm child = ChildJvm.start(command)) {
            String line = child.awaitLine("", Duration.ofSeconds(40));
            while (!line.startsWith("CONNECT-FAILED") && !line.startsWith("CLOSED")
                    && !line.startsWith("REPLIED")) {
                line = child.awaitLine("", Duration.ofSeconds(40));
            }
            return line;
        }
    }
}
