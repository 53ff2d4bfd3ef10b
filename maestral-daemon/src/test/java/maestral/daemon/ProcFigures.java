package maestral.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What a test measures of a running daemon, from {@code /proc} and the file system: resident
 * memory, open descriptors, and the bytes its shared-memory queues take.
 */
final class ProcFigures {

    private ProcFigures() {
    }

    /** {@return the resident set size of the process in KiB, from /proc/PID/status} */
    static long rssKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for pid " + pid);
    }

    /** {@return the number of open descriptors of the process} */
    static long openFds(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        }
    }

    /** {@return the open descriptors of the process that are sockets} */
    static long openSockets(long pid) throws IOException {
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        n++;
                    }
                } catch (IOException closedMeanwhile) {
                    // gone
                }
            }
        }
        return n;
    }

    /** {@return the bytes allocated on disk under a folder (du -sB1), 0 when it is missing} */
    static long allocatedBytes(Path dir) throws IOException, InterruptedException {
        if (!Files.exists(dir)) {
            return 0;
        }
        Process du = new ProcessBuilder("du", "-sB1", dir.toString()).redirectErrorStream(true).start();
        if (!du.waitFor(20, TimeUnit.SECONDS)) { // first: du prints one line, reading first could block
            du.destroyForcibly();
            throw new IOException("du did not finish");
        }
        String out = new String(du.getInputStream().readAllBytes());
        try {
            return Long.parseLong(out.trim().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return 0; // files vanished while du ran
        }
    }

    /** Runs a full GC in the process (jcmd GC.run), so that resident memory is compared after one. */
    static void fullGc(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return;
        }
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Prints a figure for the reliability report: {@code FIGURE test key=value}. */
    static void figure(String test, String text) {
        String line = "FIGURE [" + System.getProperty("maestral.transport", "default") + "] " + test + " " + text;
        System.out.println(line);
        try {
            Files.writeString(Path.of("target", "reliability-figures.txt"), line + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.out.println("cannot record the figure: " + e);
        }
    }
}
