package maestral.lock;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * The model a {@link Lock} shared by several actors (threads and processes) must follow, and the
 * runner that checks real actors against it after every step.
 *
 * <p>The model is the pid of the holding process, or 0 when the lock is free. After every step
 * every live actor is asked {@link Lock#locked()}, {@link Lock#lockingPid()} and
 * {@link Lock#holdsCurrentFile()}, and each answer must agree with the model; at most one process
 * may hold the lock.
 */
final class LockModel {

    /** The processes behind the actors, as far as the model needs them. */
    interface Processes {

        /** {@return whether that pid is a child process the test may kill} */
        boolean isChild(long pid);

        /** SIGKILLs that child and waits until it is gone. */
        void kill(long pid);

        /** Starts a new process in place of every child killed so far. */
        void restartKilled();
    }

    /** One step of a scenario. */
    sealed interface Step permits Acquire, Release, Locked, LockingPid, KillHolder {

        /**
         * Runs this step on the actors and checks the result against the model.
         *
         * @param model the model
         */
        void applyTo(LockModel model);
    }

    /**
     * {@code acquire()} by an actor.
     *
     * @param actor the actor's name
     */
    record Acquire(String actor) implements Step {
        @Override
        public void applyTo(LockModel model) {
            model.acquire(actor);
        }

        @Override
        public String toString() {
            return "acquire(" + actor + ")";
        }
    }

    /**
     * {@code release()} by an actor.
     *
     * @param actor the actor's name
     */
    record Release(String actor) implements Step {
        @Override
        public void applyTo(LockModel model) {
            model.release(actor);
        }

        @Override
        public String toString() {
            return "release(" + actor + ")";
        }
    }

    /**
     * {@code locked()} by an actor.
     *
     * @param actor the actor's name
     */
    record Locked(String actor) implements Step {
        @Override
        public void applyTo(LockModel model) {
            model.locked(actor);
        }

        @Override
        public String toString() {
            return "locked(" + actor + ")";
        }
    }

    /**
     * {@code lockingPid()} by an actor.
     *
     * @param actor the actor's name
     */
    record LockingPid(String actor) implements Step {
        @Override
        public void applyTo(LockModel model) {
            model.lockingPid(actor);
        }

        @Override
        public String toString() {
            return "lockingPid(" + actor + ")";
        }
    }

    /** SIGKILL the child that holds the lock (nothing when no child holds it), then restart it. */
    record KillHolder() implements Step {
        @Override
        public void applyTo(LockModel model) {
            model.killHolder();
        }

        @Override
        public String toString() {
            return "killHolder";
        }
    }

    /**
     * {@return random scenarios over those actors; they shrink towards fewer steps and the first
     * actor}
     *
     * @param actors the actors' names; those starting with {@code C} (children) are picked twice
     *     as often as the others
     * @param maxSteps the most steps of one scenario; the number of steps is uniformly
     *     distributed from 1 to this
     */
    static Arbitrary<List<Step>> steps(List<String> actors, int maxSteps) {
        List<Tuple.Tuple2<Integer, String>> weighted = actors.stream()
                .map(name -> Tuple.of(name.startsWith("C") ? 2 : 1, name)).toList();
        Arbitrary<String> actor = Arbitraries.frequency(weighted);
        Arbitrary<Step> step = Arbitraries.frequencyOf(
                Tuple.of(6, actor.map(Acquire::new)),
                Tuple.of(5, actor.map(Release::new)),
                Tuple.of(2, actor.map(Locked::new)),
                Tuple.of(2, actor.map(LockingPid::new)),
                Tuple.of(2, Arbitraries.just(new KillHolder())));
        return step.list().ofMinSize(1).ofMaxSize(maxSteps)
                .withSizeDistribution(RandomDistribution.uniform());
    }

    private final Map<String, LockActor> actors = new LinkedHashMap<>();
    private final Processes processes;
    private final List<String> history = new ArrayList<>();
    /** The pid of the process holding the lock, 0 when free. */
    private long holder;
    /** What the scenario exercised, for coverage statistics. */
    private final Map<String, Integer> events = new LinkedHashMap<>();

    /**
     * A model of a free lock.
     *
     * @param actors the actors, whose names must differ
     * @param processes their processes
     */
    LockModel(List<? extends LockActor> actors, Processes processes) {
        for (LockActor a : actors) {
            if (this.actors.put(a.name(), a) != null) {
                throw new IllegalArgumentException("two actors named " + a.name());
            }
        }
        this.processes = processes;
    }

    /**
     * Checks that the lock is free from every actor's view, then runs the steps, checking every
     * actor's view after each.
     *
     * @param steps the scenario
     * @throws AssertionError when an actor disagrees with the model
     */
    void run(List<Step> steps) {
        checkViews("at the start");
        for (Step step : steps) {
            history.add(step.toString());
            step.applyTo(this);
            checkViews("after " + step);
        }
    }

    /** {@return the pid of the holding process, 0 when the lock is free} */
    long holder() {
        return holder;
    }

    /**
     * {@return how often each interesting event happened so far: {@code acquired}, {@code refused}
     * (acquire returned false), {@code released}, {@code illegal release} (by a non-holder),
     * {@code holder killed}, {@code child held}}
     */
    Map<String, Integer> events() {
        return events;
    }

    private void count(String event) {
        events.merge(event, 1, Integer::sum);
    }

    void acquire(String name) {
        LockActor a = actor(name);
        boolean expected = holder == 0;
        boolean got = a.acquire();
        check(got == expected, name + ".acquire() returned " + got + " while the lock is " + describe());
        if (got) {
            holder = a.pid();
            count("acquired");
            if (processes.isChild(holder)) {
                count("child held");
            }
        } else {
            count("refused");
        }
    }

    void release(String name) {
        LockActor a = actor(name);
        boolean expected = holder == a.pid();
        boolean got = a.release();
        check(!expected || got, name + ".release() threw IllegalStateException although its process "
                + a.pid() + " holds the lock");
        check(expected || !got, name + ".release() did not throw IllegalStateException although its "
                + "process " + a.pid() + " does not hold the lock, which is " + describe());
        if (got) {
            holder = 0;
            count("released");
        } else {
            count("illegal release");
        }
    }

    void locked(String name) {
        LockActor a = actor(name);
        boolean got = a.locked();
        check(got == (holder != 0), name + ".locked() returned " + got + " while the lock is " + describe());
    }

    void lockingPid(String name) {
        LockActor a = actor(name);
        OptionalLong got = a.lockingPid();
        check(got.equals(expectedPid()), name + ".lockingPid() returned " + got + " (" + name
                + " runs in " + a.pid() + ") while the lock is " + describe());
    }

    void killHolder() {
        if (holder == 0 || !processes.isChild(holder)) {
            return;
        }
        long killed = holder;
        processes.kill(killed);
        holder = 0;
        count("holder killed");
        // no waiting, no retry: the kernel must have dropped the lock when the process ended
        checkViews("right after SIGKILL of the holder " + killed);
        processes.restartKilled();
    }

    /**
     * Asks every live actor for its view of the lock and checks it against the model.
     *
     * @param when for messages
     */
    void checkViews(String when) {
        TreeSet<Long> holders = new TreeSet<>();
        for (LockActor a : actors.values()) {
            if (!a.alive()) {
                continue;
            }
            boolean locked = a.locked();
            check(locked == (holder != 0), when + ": " + a.name() + ".locked() returned " + locked
                    + " while the lock is " + describe());
            OptionalLong pid = a.lockingPid();
            check(pid.equals(expectedPid()), when + ": " + a.name() + ".lockingPid() returned " + pid
                    + " (" + a.name() + " runs in " + a.pid() + ") while the lock is " + describe());
            if (a.holds()) {
                holders.add(a.pid());
            }
        }
        check(holders.size() <= 1, when + ": several processes hold the lock: " + holders);
        check(holders.equals(holder == 0 ? new TreeSet<Long>() : new TreeSet<>(List.of(holder))),
                when + ": the processes that say they hold the lock are " + holders
                + " while the lock is " + describe());
    }

    private OptionalLong expectedPid() {
        return holder == 0 ? OptionalLong.empty() : OptionalLong.of(holder);
    }

    private LockActor actor(String name) {
        LockActor a = actors.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no actor " + name);
        }
        return a;
    }

    private String describe() {
        if (holder == 0) {
            return "free";
        }
        return "held by process " + holder + " ("
                + actors.values().stream().filter(a -> a.alive() && a.pid() == holder)
                        .map(LockActor::name).collect(Collectors.joining(", ")) + ")";
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new AssertionError(message + "\n  steps so far: " + history);
        }
    }
}
