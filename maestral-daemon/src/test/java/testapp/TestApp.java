package testapp;

import java.io.IOException;
import maestral.daemon.Daemon;

/**
 * A program that uses the library, run as a child JVM by the tests, on the class path or
 * the module path (it lives outside the library's packages for that):
 * {@code start CONFIG} starts a detached daemon and prints {@code RESULT <start>};
 * {@code start-attached CONFIG} starts an attached daemon, prints {@code RESULT <start>} and
 * {@code DAEMON <pid>}, then waits (60 s at most) until its standard input closes.
 */
public final class TestApp {

    private TestApp() {
    }

    public static void main(String[] args) throws IOException {
        String config = args[1];
        switch (args[0]) {
            case "start" -> System.out.println("RESULT " + Daemon.startMaestralDaemonProcess(config, false, false, true));
            case "start-attached" -> {
                System.out.println("RESULT " + Daemon.startMaestralDaemonProcess(config, false, false, false));
                System.out.println("DAEMON " + Daemon.getMaestralPid(config).orElse(-1));
                System.out.flush();
                Thread stdin = new Thread(() -> {
                    try {
                        while (System.in.read() >= 0) {
                            // wait for the test to close our stdin
                        }
                    } catch (IOException e) {
                        // same as end of input
                    }
                    System.exit(0);
                });
                stdin.setDaemon(true);
                stdin.start();
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
        System.exit(0);
    }
}
