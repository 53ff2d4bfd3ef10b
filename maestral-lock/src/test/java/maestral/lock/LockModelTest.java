package maestral.lock;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import maestral.lock.LockModel.Acquire;
import maestral.lock.LockModel.KillHolder;
import maestral.lock.LockModel.Locked;
import maestral.lock.LockModel.LockingPid;
import maestral.lock.LockModel.Release;
import maestral.lock.LockModel.Step;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Proves that {@link LockModel} and its scenarios can fail: run against an in-memory lock with a
 * planted bug, they find it; against the same lock without a bug, they pass.
 */
class LockModelTest {

    /** The bugs a broken lock may have. */
    enum Bug {
        /** None: a correct lock. */
        NONE,
        /** Another process may take a held lock: two holders. */
        TWO_HOLDERS,
        /** The holding process may take it again. */
        REENTRANT,
        /** A process that does not hold it may release it. */
        RELEASE_BY_ANY,
        /** Release says it worked but keeps the lock. */
        RELEASE_KEEPS_IT,
        /** locked() only sees the lock of its own process. */
        LOCKED_ONLY_OWN,
        /** lockingPid() always says the asking process. */
        PID_ALWAYS_OWN,
        /** lockingPid() is empty when another process holds it. */
        PID_ONLY_OWN,
        /** A killed holder's lock stays held. */
        KILL_KEEPS_IT
    }

    private static final List<String> ACTORS = List.of("T0", "T1", "C0", "C1");
    private static final long JVM = 100;

    /** An in-memory lock over fake processes: threads T0, T1 in one, C0 and C1 children. */
    static final class FakeWorld implements LockModel.Processes {
        private final Bug bug;
        /** The "kernel": the processes holding the lock (a correct lock has at most one). */
        private final Set<Long> holders = new LinkedHashSet<>();
        private final Map<String, Long> pids = new HashMap<>(Map.of("T0", JVM, "T1", JVM, "C0", 200L, "C1", 300L));
        private final Set<String> killed = new LinkedHashSet<>();
        private long nextPid = 400;

        FakeWorld(Bug bug) {
            this.bug = bug;
        }

        List<LockActor> actors() {
            return ACTORS.stream().<LockActor>map(Actor::new).toList();
        }

        @Override
        public boolean isChild(long pid) {
            return pid != JVM && pids.containsValue(pid);
        }

        @Override
        public void kill(long pid) {
            pids.forEach((name, p) -> {
                if (p == pid) {
                    killed.add(name);
                }
            });
            if (bug != Bug.KILL_KEEPS_IT) {
                holders.remove(pid);
            }
        }

        @Override
        public void restartKilled() {
            for (String name : killed) {
                pids.put(name, nextPid++);
            }
            killed.clear();
        }

        private final class Actor implements LockActor {
            private final String name;

            Actor(String name) {
                this.name = name;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public long pid() {
                return pids.get(name);
            }

            @Override
            public boolean alive() {
                return !killed.contains(name);
            }

            @Override
            public boolean acquire() {
                long me = pid();
                boolean free = switch (bug) {
                    case TWO_HOLDERS -> !holders.contains(me);
                    case REENTRANT -> holders.isEmpty() || holders.equals(Set.of(me));
                    default -> holders.isEmpty();
                };
                if (free) {
                    holders.add(me);
                }
                return free;
            }

            @Override
            public boolean release() {
                long me = pid();
                if (bug == Bug.RELEASE_BY_ANY && !holders.isEmpty()) {
                    holders.clear();
                    return true;
                }
                if (!holders.contains(me)) {
                    return false;
                }
                if (bug != Bug.RELEASE_KEEPS_IT) {
                    holders.remove(me);
                }
                return true;
            }

            @Override
            public boolean locked() {
                return bug == Bug.LOCKED_ONLY_OWN ? holders.contains(pid()) : !holders.isEmpty();
            }

            @Override
            public OptionalLong lockingPid() {
                long me = pid();
                if (holders.contains(me) || (bug == Bug.PID_ALWAYS_OWN && !holders.isEmpty())) {
                    return OptionalLong.of(me);
                }
                if (bug == Bug.PID_ONLY_OWN) {
                    return OptionalLong.empty();
                }
                return holders.stream().mapToLong(Long::longValue).findFirst();
            }

            @Override
            public boolean holds() {
                return holders.contains(pid());
            }
        }
    }

    private static void run(Bug bug, List<Step> steps) {
        FakeWorld world = new FakeWorld(bug);
        new LockModel(world.actors(), world).run(steps);
    }

    @Example
    void aCorrectLockPassesTheMaestralScenarios() {
        assertDoesNotThrow(() -> run(Bug.NONE, List.of(
                new Acquire("T0"), new Locked("T0"), new Acquire("T0"), new LockingPid("T0"),
                new Release("T0"), new Locked("T0"), new Release("T0"),
                new Acquire("T1"), new Locked("T0"), new Acquire("T0"), new LockingPid("T0"),
                new Release("T0"), new Release("T0"),
                new Acquire("C0"), new Locked("T0"), new Acquire("T0"), new Release("T0"),
                new LockingPid("T0"), new KillHolder(), new Locked("T0"), new Acquire("T0"))));
    }

    @Example
    void twoHoldersAreFound() {
        assertThrows(AssertionError.class, () -> run(Bug.TWO_HOLDERS, List.of(new Acquire("C0"), new Acquire("C1"))));
        assertThrows(AssertionError.class, () -> run(Bug.TWO_HOLDERS, List.of(new Acquire("T0"), new Acquire("C1"))));
    }

    @Example
    void reentranceIsFound() {
        assertThrows(AssertionError.class, () -> run(Bug.REENTRANT, List.of(new Acquire("T0"), new Acquire("T0"))));
        assertThrows(AssertionError.class, () -> run(Bug.REENTRANT, List.of(new Acquire("T0"), new Acquire("T1"))));
    }

    @Example
    void releaseByANonHolderIsFound() {
        assertThrows(AssertionError.class, () -> run(Bug.RELEASE_BY_ANY, List.of(new Acquire("C0"), new Release("T0"))));
    }

    @Example
    void aReleaseThatKeepsTheLockIsFound() {
        assertThrows(AssertionError.class, () -> run(Bug.RELEASE_KEEPS_IT, List.of(new Acquire("C0"), new Release("C0"))));
    }

    @Example
    void aBlindLockedIsFound() {
        assertThrows(AssertionError.class, () -> run(Bug.LOCKED_ONLY_OWN, List.of(new Acquire("C0"))));
    }

    @Example
    void wrongPidsAreFound() {
        assertThrows(AssertionError.class, () -> run(Bug.PID_ALWAYS_OWN, List.of(new Acquire("C0"))));
        assertThrows(AssertionError.class, () -> run(Bug.PID_ONLY_OWN, List.of(new Acquire("T0"))));
    }

    @Example
    void aStaleLockAfterKillIsFound() {
        assertThrows(AssertionError.class, () -> run(Bug.KILL_KEEPS_IT, List.of(new Acquire("C1"), new KillHolder())));
        // killing a holder that is not a child is not possible; nothing happens
        assertDoesNotThrow(() -> run(Bug.KILL_KEEPS_IT, List.of(new Acquire("T1"), new KillHolder(), new Release("T0"))));
    }

    @Property(tries = 300)
    void aCorrectLockPassesEveryScenario(@ForAll("scenarios") List<Step> steps) {
        run(Bug.NONE, steps);
    }

    /** The random scenarios of {@link LockPropertiesTest} find every planted bug. */
    @Example
    void randomScenariosFindEveryBug() {
        Arbitrary<List<Step>> scenarios = scenarios();
        for (Bug bug : EnumSet.complementOf(EnumSet.of(Bug.NONE))) {
            boolean found = scenarios.sampleStream().limit(300).anyMatch(steps -> {
                try {
                    run(bug, steps);
                    return false;
                } catch (AssertionError e) {
                    return true;
                }
            });
            assertTrue(found, "300 random scenarios did not find the bug " + bug);
        }
    }

    @Provide
    Arbitrary<List<Step>> scenarios() {
        return LockModel.steps(ACTORS, LockPropertiesTest.MAX_STEPS);
    }
}
