package testapp;

import java.io.IOException;
import maestral.daemon.Daemon;

/**
 * A program that uses the library, run as a child JVM by the tests, on the class path or
 * the module path (it lives outside the library's packages for that):
 * {@code start CONFIG} starts a detached daemon and prints {@code RESULT <start>};
 * {@code start-attached CONFIG} starts an attached daemon, prints {@code RESULT <start>} and
 * {@code DAEMON <pid>}, then waits (60 s at most) until its standard input closes;
 * {@code longpoll CONFIG} connects, prints {@code CALLING} and blocks in a 60 s long poll;
 * {@code soak CONFIG THREADS SECONDS} makes mixed calls from several threads through one proxy
 * for a while, checks every answer against its request, and prints
 * {@code SOAK calls=N errors=N misrouted=N} and a {@code LAST key value} line per thread;
 * {@code calls-when CONFIG FILE N} connects, prints {@code CONNECTED <transport>}, waits (60 s
 * at most) until FILE exists, makes N calls and prints {@code CALLS ok=N failed=N} and the
 * first failure as {@code FAILURE <class>: <message>}.
 */
public final class TestApp {

    private TestApp() {
    }

    public static void main(String[] args) throws Exception {
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
            case "longpoll" -> {
                try (maestral.daemon.MaestralProxy proxy = new maestral.daemon.MaestralProxy(config)) {
                    System.out.println("CALLING " + proxy.transport());
                    System.out.flush();
                    System.out.println("RETURNED " + proxy.statusChangeLongpoll(60));
                }
            }
            case "calls-when" -> callsWhen(config, java.nio.file.Path.of(args[2]), Integer.parseInt(args[3]));
            case "soak" -> Soak.run(config, Integer.parseInt(args[2]), Double.parseDouble(args[3]));
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
        System.exit(0);
    }

    private static void callsWhen(String config, java.nio.file.Path signal, int n) throws InterruptedException {
        try (maestral.daemon.MaestralProxy proxy = new maestral.daemon.MaestralProxy(config)) {
            System.out.println("CONNECTED " + proxy.transport());
            System.out.flush();
            long end = System.nanoTime() + 60_000_000_000L;
            while (!java.nio.file.Files.exists(signal) && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            int ok = 0;
            String failure = null;
            for (int i = 0; i < n; i++) {
                try {
                    proxy.excludedStatus("/when/" + i);
                    ok++;
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = e.getClass().getName() + ": " + e.getMessage();
                    }
                }
            }
            System.out.println("CALLS ok=" + ok + " failed=" + (n - ok));
            if (failure != null) {
                System.out.println("FAILURE " + failure.replace('\n', ' '));
            }
        }
    }
}
