package testapp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import maestral.api.NotLinkedError;
import maestral.daemon.MaestralProxy;

/**
 * One soak client: several threads share one proxy and make mixed calls until a deadline.
 * Every answer is checked against its own request: a value written under a key of this
 * thread alone must be read back; a path must come back with its own status; an expected
 * error must arrive as its own class. An answer that belongs to another request counts as
 * misrouted; any other failure counts as an error.
 */
final class Soak {

    private Soak() {
    }

    static void run(String config, int threads, double seconds) throws Exception {
        AtomicLong calls = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong misrouted = new AtomicLong();
        long pid = ProcessHandle.current().pid();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<String> last = new ArrayList<>();
        try (MaestralProxy proxy = new MaestralProxy(config);
             ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            System.out.println("CONNECTED " + proxy.transport());
            System.out.flush();
            List<Future<String>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String key = "k" + pid + "-" + t;
                done.add(pool.submit(() -> {
                    String written = null;
                    for (long i = 0; System.nanoTime() < end; i++) {
                        try {
                            switch ((int) (i % 6)) {
                                case 0 -> {
                                    String value = key + "-v" + i;
                                    proxy.setState("soak", key, value);
                                    written = value;
                                    calls.incrementAndGet();
                                    check(value.equals(proxy.getState("soak", key)), misrouted);
                                }
                                case 1 -> check("included".equals(proxy.excludedStatus("/" + key + "/" + i)), misrouted);
                                case 2 -> {
                                    try {
                                        proxy.getAccountInfo();
                                        misrouted.incrementAndGet();
                                    } catch (NotLinkedError expected) {
                                        // its own answer
                                    }
                                }
                                case 3 -> check(!proxy.statusChangeLongpoll(0.001), misrouted);
                                case 4 -> check(proxy.getActivity((int) (i % 7)).isEmpty(), misrouted);
                                default -> check(config.equals(proxy.configName()), misrouted);
                            }
                        } catch (RuntimeException e) {
                            if (errors.incrementAndGet() <= 5) {
                                System.out.println("ERROR " + e);
                            }
                        }
                        calls.incrementAndGet();
                    }
                    return key + " " + written;
                }));
            }
            for (Future<String> f : done) {
                last.add(f.get());
            }
        }
        System.out.println("SOAK calls=" + calls.get() + " errors=" + errors.get() + " misrouted=" + misrouted.get());
        for (String l : last) {
            System.out.println("LAST " + l);
        }
        System.out.flush();
    }

    private static void check(boolean answerMatchesRequest, AtomicLong misrouted) {
        if (!answerMatchesRequest) {
            misrouted.incrementAndGet();
        }
    }
}
