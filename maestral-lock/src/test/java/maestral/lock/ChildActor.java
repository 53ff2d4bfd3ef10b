package maestral.lock;

import java.util.OptionalLong;
import java.util.function.Supplier;

/** A child process using the lock; the process behind it may be replaced after a kill. */
final class ChildActor implements LockActor {

    private final String name;
    private final Supplier<AgentProcess> process;

    ChildActor(String name, Supplier<AgentProcess> process) {
        this.name = name;
        this.process = process;
    }

    /** {@return the current process of this actor} */
    AgentProcess process() {
        return process.get();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long pid() {
        return process().pid();
    }

    @Override
    public boolean alive() {
        return process().alive();
    }

    @Override
    public boolean acquire() {
        return process().acquire();
    }

    @Override
    public boolean release() {
        return process().release();
    }

    @Override
    public boolean locked() {
        return process().locked();
    }

    @Override
    public OptionalLong lockingPid() {
        return process().lockingPid();
    }

    @Override
    public boolean holds() {
        return process().holds();
    }

    @Override
    public String toString() {
        return name;
    }
}
