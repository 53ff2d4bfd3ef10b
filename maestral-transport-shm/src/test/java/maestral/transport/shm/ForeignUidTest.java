package maestral.transport.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MaestralDispatcher;
import maestral.api.spi.RemoteMaestral;
import maestral.api.spi.TransportClient;
import maestral.api.spi.TransportServer;
import maestral.transport.tck.ScriptedMaestral;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A process of another user ({@code nobody}, through {@code setpriv}) can neither list the
 * shm folder nor open, for reading or writing, any queue file in it, nor add a session folder:
 * every way in goes through the 0700 folder. Needs root and setpriv; skipped otherwise.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ForeignUidTest {

    /** A JDK-only intruder (the other user may not be able to read our jars). */
    private static final String INTRUDER = """
            import java.nio.channels.FileChannel;
            import java.nio.file.*;

            public class Intruder {
                public static void main(String[] args) {
                    Path folder = Path.of(args[0]);
                    try (var list = Files.list(folder)) {
                        System.out.println("LISTED " + list.count());
                    } catch (Exception e) {
                        System.out.println("DENIED list " + e.getClass().getSimpleName());
                    }
                    try {
                        Files.createDirectory(folder.resolve("sessions").resolve("s-intruder"));
                        System.out.println("CREATED session folder");
                    } catch (Exception e) {
                        System.out.println("DENIED mkdir " + e.getClass().getSimpleName());
                    }
                    for (int i = 1; i < args.length; i++) {
                        try (var ch = FileChannel.open(Path.of(args[i]), StandardOpenOption.READ)) {
                            System.out.println("OPENED " + args[i]);
                        } catch (Exception e) {
                            System.out.println("DENIED open " + e.getClass().getSimpleName());
                        }
                    }
                    System.out.println("DONE");
                }
            }
            """;

    private Path base;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeEach
    void requireRootAndSetpriv() {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean setpriv = Stream.of("/usr/bin/setpriv", "/bin/setpriv").map(Path::of).anyMatch(Files::isExecutable);
        if (!root || !setpriv) {
            String why = !root ? "this test needs root to run a process as another user"
                    : "this test needs setpriv (util-linux) to run a process as another user";
            System.out.println("shm ForeignUidTest skipped: " + why);
            Assumptions.abort(why);
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
        if (base != null) {
            try (Stream<Path> all = Files.walk(base)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void anotherUserCannotReachTheQueuesAndOurClientServesOn() throws Exception {
        base = Files.createTempDirectory("shm-uid");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x")); // others may pass through
        Endpoint endpoint = new Endpoint("foreign", base, base.resolve("foreign.sock"));
        ShmTransportProvider provider = new ShmTransportProvider();
        TransportServer server = provider.bind(endpoint, Handshake.server("shm", "uid-test"),
                new MaestralDispatcher(new ScriptedMaestral("foreign")));
        opened.add(server);
        TransportClient client = provider.connect(endpoint, Handshake.client("shm"), Duration.ofSeconds(10));
        opened.add(client);
        assertEquals("Up to date", RemoteMaestral.over(client, Duration.ofSeconds(10)).status());

        Path folder = base.resolve("shm-foreign");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
        List<String> queueFiles;
        try (Stream<Path> all = Files.walk(folder)) {
            queueFiles = all.filter(Files::isRegularFile).map(Path::toString).toList();
        }
        assertFalse(queueFiles.isEmpty(), "the server and the client have queue files");

        Path source = base.resolve("Intruder.java");
        Files.writeString(source, INTRUDER);
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
        List<String> command = new ArrayList<>(List.of("setpriv", "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", source.toString(), folder.toString()));
        command.addAll(queueFiles);
        List<String> lines = runToEnd(command, Duration.ofSeconds(60));

        assertTrue(lines.contains("DONE"), "the intruder ran to its end: " + lines);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("LISTED") || l.startsWith("CREATED")
                || l.startsWith("OPENED")), "another user got in: " + lines);
        assertEquals(2 + queueFiles.size(), lines.stream().filter(l -> l.startsWith("DENIED")).count(), lines.toString());
        assertEquals("echo:/x", RemoteMaestral.over(client, Duration.ofSeconds(10)).excludedStatus("/x"));
    }

    /** Runs a command, ended by its own pid at the deadline; {@return its output lines} */
    private static List<String> runToEnd(List<String> command, Duration deadline) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the intruder did not finish within " + deadline);
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            p.destroyForcibly();
        }
    }
}
