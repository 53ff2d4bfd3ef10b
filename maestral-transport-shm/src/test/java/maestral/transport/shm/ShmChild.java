package maestral.transport.shm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import maestral.api.Maestral;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MaestralDispatcher;
import maestral.api.spi.RemoteMaestral;
import maestral.api.spi.TransportClient;
import maestral.api.spi.TransportServer;
import maestral.transport.tck.ScriptedMaestral;

/**
 * The main class of the child JVMs of the multi-process tests. Usage:
 * {@code MODE RUNTIME_DIR CONFIG [ARGS]}, with modes
 * <ul>
 *   <li>{@code server}: serves a {@link ScriptedMaestral}, prints {@code READY}, and closes
 *       when its stdin closes;</li>
 *   <li>{@code client THREADS CALLS}: makes {@code CALLS} echo calls on each of
 *       {@code THREADS} threads, checks every answer, prints {@code OK n} and exits;</li>
 *   <li>{@code idle-client}: connects, makes one call, prints {@code CONNECTED}, and closes
 *       when its stdin closes;</li>
 *   <li>{@code blocking-client MS}: connects, prints {@code CALLING}, and makes a call that
 *       blocks in the daemon for {@code MS} ms;</li>
 *   <li>{@code availability}: prints the provider's availability and what connecting does.</li>
 * </ul>
 */
public final class ShmChild {

    private ShmChild() {
    }

    /**
     * Runs one mode.
     *
     * @param args the mode and its arguments
     * @throws Exception when the mode fails
     */
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        ShmTransportProvider provider = new ShmTransportProvider();
        if (mode.equals("availability")) {
            System.out.println("AVAILABILITY " + provider.availability().supported() + " "
                    + provider.availability().reason());
            System.out.flush();
            return;
        }
        Path dir = Path.of(args[1]);
        Endpoint endpoint = new Endpoint(args[2], dir, dir.resolve(args[2] + ".sock"));
        switch (mode) {
            case "server" -> {
                try (TransportServer server = provider.bind(endpoint,
                        Handshake.server(provider.id(), "child-" + ProcessHandle.current().pid()),
                        new MaestralDispatcher(new ScriptedMaestral(args[2])))) {
                    System.out.println("READY " + ProcessHandle.current().pid() + " " + server.address());
                    System.out.flush();
                    waitForStdinToClose();
                }
            }
            case "client" -> {
                int threads = Integer.parseInt(args[3]);
                int calls = Integer.parseInt(args[4]);
                try (TransportClient client = provider.connect(endpoint, Handshake.client(provider.id()),
                        Duration.ofSeconds(20))) {
                    Maestral remote = RemoteMaestral.over(client, Duration.ofSeconds(20));
                    long pid = ProcessHandle.current().pid();
                    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                        List<Future<Integer>> done = new ArrayList<>();
                        for (int t = 0; t < threads; t++) {
                            int thread = t;
                            done.add(pool.submit(() -> {
                                for (int i = 0; i < calls; i++) {
                                    String path = "/p" + pid + "/t" + thread + "/c" + i;
                                    String answer = remote.excludedStatus(path);
                                    if (!answer.equals("echo:" + path)) {
                                        throw new AssertionError("asked " + path + ", got " + answer);
                                    }
                                    if (i % 100 == 0 && remote.getActivity(i % 5).size() != i % 5) {
                                        throw new AssertionError("wrong activity size");
                                    }
                                }
                                return calls;
                            }));
                        }
                        int total = 0;
                        for (Future<Integer> f : done) {
                            total += f.get(120, java.util.concurrent.TimeUnit.SECONDS);
                        }
                        System.out.println("OK " + total);
                    }
                }
            }
            case "idle-client" -> {
                try (TransportClient client = provider.connect(endpoint, Handshake.client(provider.id()),
                        Duration.ofSeconds(20))) {
                    String status = RemoteMaestral.over(client, Duration.ofSeconds(20)).status();
                    System.out.println("CONNECTED " + status);
                    System.out.flush();
                    waitForStdinToClose();
                }
            }
            case "blocking-client" -> {
                try (TransportClient client = provider.connect(endpoint, Handshake.client(provider.id()),
                        Duration.ofSeconds(20))) {
                    Maestral remote = RemoteMaestral.over(client, Duration.ofSeconds(60));
                    System.out.println("CALLING");
                    System.out.flush();
                    System.out.println("RETURNED " + remote.getFileStatus("/block/" + args[3]));
                }
            }
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
        System.out.flush();
    }

    private static void waitForStdinToClose() throws java.io.IOException {
        while (System.in.read() >= 0) {
            // nothing to read but the end
        }
    }
}
