package maestral.lock;

import java.util.OptionalLong;

/** One party using the lock in a test: a thread of the test JVM or a child process. */
interface LockActor {

    /** {@return a short name for messages, such as {@code T0} or {@code C1}} */
    String name();

    /** {@return the pid of the process this actor runs in} */
    long pid();

    /** {@return whether its process runs (a killed child does not until restarted)} */
    boolean alive();

    /** {@return what {@link Lock#acquire()} returned} */
    boolean acquire();

    /** {@return true when {@link Lock#release()} returned, false when it threw IllegalStateException} */
    boolean release();

    /** {@return what {@link Lock#locked()} returned} */
    boolean locked();

    /** {@return what {@link Lock#lockingPid()} returned} */
    OptionalLong lockingPid();

    /** {@return what {@link Lock#holdsCurrentFile()} returned: whether this process holds it} */
    boolean holds();
}
