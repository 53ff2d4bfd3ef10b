package maestral.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import maestral.lock.LockModel.Step;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * Properties of {@link Lock} over random scenarios played by three threads of this JVM
 * ({@code T0..T2}) and two child JVMs ({@code C0}, {@code C1}, each a {@link LockAgent}), checked
 * against {@link LockModel} after every step.
 *
 * <p>The children are started once for the whole class and reused by every try; a try starts
 * from a free lock ({@link #reset()}), and only children that were killed or failed are
 * restarted.
 */
class LockPropertiesTest {

    /** The most steps of one scenario. */
    static final int MAX_STEPS = 40;

    private static final String NAME = "properties";
    private static final long OWN_PID = ProcessHandle.current().pid();
    private static final int CHILDREN = 2;
    private static final int THREADS = 3;

    private static Path root;
    private static Path folder;
    private static Path logs;
    private static Lock lock;
    private static AgentPool pool;
    private static final AgentProcess[] children = new AgentProcess[CHILDREN];
    private static final List<ThreadActor> threads = new ArrayList<>();
    private static final List<LockActor> actors = new ArrayList<>();

    /** The child processes, for {@link LockModel}: a killed one is restarted. */
    private static final LockModel.Processes PROCESSES = new LockModel.Processes() {
        @Override
        public boolean isChild(long pid) {
            return Arrays.stream(children).anyMatch(c -> c.pid() == pid);
        }

        @Override
        public void kill(long pid) {
            for (AgentProcess c : children) {
                if (c.pid() == pid) {
                    c.kill();
                }
            }
        }

        @Override
        public void restartKilled() {
            for (int i = 0; i < CHILDREN; i++) {
                if (!children[i].alive()) {
                    children[i].close();
                    children[i] = pool.take("C" + i);
                }
            }
        }
    };

    @BeforeContainer
    static void start() throws IOException {
        root = Files.createTempDirectory("maestral-lock-properties-");
        folder = root.resolve("locks");
        logs = root.resolve("logs");
        lock = Lock.singleton(NAME, folder);
        pool = new AgentPool(folder, NAME, logs, 2);
        for (int i = 0; i < CHILDREN; i++) {
            children[i] = pool.take("C" + i);
        }
        for (int i = 0; i < THREADS; i++) {
            ThreadActor t = new ThreadActor("T" + i, lock);
            threads.add(t);
            actors.add(t);
        }
        for (int i = 0; i < CHILDREN; i++) {
            int index = i;
            actors.add(new ChildActor("C" + i, () -> children[index]));
        }
        for (AgentProcess c : children) {
            c.awaitReady();
        }
    }

    @AfterContainer
    static void stop() {
        try {
            for (AgentProcess c : children) {
                if (c != null) {
                    c.close();
                }
            }
            if (pool != null) {
                pool.close();
            }
            for (ThreadActor t : threads) {
                t.close();
            }
        } finally {
            threads.clear();
            actors.clear();
            TestFiles.deleteRecursively(root);
        }
    }

    /** Brings every try to a free lock, with every child running and answering. */
    @BeforeTry
    void reset() {
        for (int i = 0; i < CHILDREN; i++) {
            if (children[i].broken()) {
                children[i].close();
                children[i] = pool.take("C" + i);
            }
        }
        for (AgentProcess c : children) {
            c.release(); // released, or this child did not hold it: both fine here
        }
        try {
            lock.release();
        } catch (IllegalStateException e) {
            // this process did not hold it
        }
    }

    /** {@return the actors' names in the order of {@link #actors}} */
    private static List<String> actorNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            names.add("T" + i);
        }
        for (int i = 0; i < CHILDREN; i++) {
            names.add("C" + i);
        }
        return names;
    }

    @Provide
    Arbitrary<List<Step>> scenarios() {
        return LockModel.steps(actorNames(), MAX_STEPS);
    }

    /**
     * Never two holders; acquire succeeds iff the lock is free; release by a process that does
     * not hold it throws and changes nothing; locked() and lockingPid() agree with the model from
     * every actor's view; a SIGKILLed holder's lock is free at once.
     */
    @Property(tries = 60)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void everyActorAgreesWithTheModel(@ForAll("scenarios") List<Step> steps) {
        assertEquals(actorNames(), actors.stream().map(LockActor::name).toList());
        LockModel model = new LockModel(actors, PROCESSES);
        model.run(steps);
        for (String event : List.of("refused", "illegal release", "holder killed", "child held")) {
            Statistics.label(event).collect(model.events().getOrDefault(event, 0) > 0);
        }
        // the scenarios must really exercise these, or the property proves little
        Statistics.label("refused").coverage(c -> c.check(true).percentage(p -> p >= 30));
        Statistics.label("illegal release").coverage(c -> c.check(true).percentage(p -> p >= 40));
        Statistics.label("child held").coverage(c -> c.check(true).percentage(p -> p >= 30));
        Statistics.label("holder killed").coverage(c -> c.check(true).percentage(p -> p >= 10));
    }

    /** Who acquires and releases while a child probes. */
    enum Acquirer {
        /** The other child, in a tight loop of its own. */
        OTHER_CHILD,
        /** A thread of this JVM. */
        THREAD
    }

    /**
     * One child probes locked() and lockingPid() in a tight loop while another process acquires
     * and releases repeatedly: every acquire of the free lock succeeds, so probing never takes
     * the lock; and the prober only ever sees the acquirer's pid.
     */
    @Property(tries = 6)
    void probingNeverTakesTheLock(@ForAll Acquirer acquirer,
                                  @ForAll @IntRange(min = 150, max = 400) int probeMillis) {
        AgentProcess prober = children[0];
        AgentProcess otherChild = children[1];
        long acquirerPid = acquirer == Acquirer.THREAD ? OWN_PID : otherChild.pid();
        ThreadActor thread = threads.get(0);

        prober.send("probe-loop " + probeMillis);
        long deadline = System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(probeMillis) + AgentProcess.ANSWER_TIMEOUT.toNanos();
        long cycles = 0;
        String probed;
        // acquire and release until the prober is done, so that both overlap all along
        while ((probed = prober.poll("probe-loop " + probeMillis)) == null) {
            assertTrue(System.nanoTime() - deadline < 0,
                    "the prober did not answer within " + probeMillis + " ms + " + AgentProcess.ANSWER_TIMEOUT);
            if (acquirer == Acquirer.THREAD) {
                int failures = thread.run(() -> {
                    int failed = 0;
                    for (int i = 0; i < 200; i++) {
                        if (lock.acquire()) {
                            lock.release();
                        } else {
                            failed++;
                        }
                    }
                    return failed;
                });
                assertEquals(0, failures, "acquires of the free lock failed while a child probed");
                cycles += 200;
            } else {
                assertEquals("cycled 50 0", otherChild.call("cycle 50"),
                        "acquires of the free lock failed while another child probed");
                cycles += 50;
            }
        }
        String[] words = probed.split(" ");
        assertEquals(4, words.length, "prober answered '" + probed + "'");
        assertEquals("probed", words[0], "prober answered '" + probed + "'");
        long iterations = Long.parseLong(words[1]);
        assertTrue(iterations > 0, "the prober never probed: " + probed);
        assertTrue(cycles > 0, "nothing acquired while the child probed");
        if (!words[3].equals("-")) {
            for (String pid : words[3].split(",")) {
                assertEquals(acquirerPid, Long.parseLong(pid),
                        "the prober saw a holder other than the acquirer " + acquirerPid + ": " + probed);
            }
        }
        // and the lock is free for everyone afterwards
        new LockModel(actors, PROCESSES).checkViews("after probing");
    }

    /**
     * All actors try to acquire at the same instant: exactly one wins, and everyone sees the
     * winner's process as the holder.
     */
    @Property(tries = 10)
    void exactlyOneRacerWins(@ForAll @IntRange(min = 0, max = 2000) int childrenHeadStartMicros)
            throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> threadResults = new ArrayList<>();
        for (ThreadActor t : threads) {
            threadResults.add(t.submit(() -> {
                if (!go.await(ThreadActor.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new AssertionError("no go");
                }
                return lock.acquire();
            }));
        }
        for (AgentProcess c : children) {
            c.send("acquire");
        }
        long spinUntil = System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(childrenHeadStartMicros);
        while (System.nanoTime() - spinUntil < 0) {
            Thread.onSpinWait();
        }
        go.countDown();

        List<Long> winners = new ArrayList<>();
        for (AgentProcess c : children) {
            String answer = c.await(AgentProcess.ANSWER_TIMEOUT, "acquire");
            if (answer.equals("true")) {
                winners.add(c.pid());
            } else {
                assertEquals("false", answer, c + " answered to acquire");
            }
        }
        for (int i = 0; i < THREADS; i++) {
            if (threads.get(i).await(threadResults.get(i))) {
                winners.add(OWN_PID);
            }
        }
        assertEquals(1, winners.size(), "not exactly one winner: " + winners);
        long winner = winners.get(0);
        for (LockActor a : actors) {
            assertEquals(OptionalLong.of(winner), a.lockingPid(), a.name() + " sees another holder");
            assertTrue(a.locked(), a.name() + " does not see the lock held");
        }
        List<String> holders = actors.stream().filter(LockActor::holds).map(LockActor::name)
                .collect(Collectors.toList());
        assertTrue(holders.stream().allMatch(n -> winner == OWN_PID ? n.startsWith("T") : isChild(n, winner)),
                "holders " + holders + " but the winner is " + winner);
    }

    private static boolean isChild(String name, long pid) {
        return name.startsWith("C") && children[Integer.parseInt(name.substring(1))].pid() == pid;
    }
}
