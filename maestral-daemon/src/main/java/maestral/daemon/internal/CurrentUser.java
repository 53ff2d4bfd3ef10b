package maestral.daemon.internal;

import com.sun.security.auth.module.UnixSystem;

/** The few facts about the current user and process the daemon needs. */
final class CurrentUser {

    private static final long UID = new UnixSystem().getUid();

    private CurrentUser() {
    }

    /** {@return the real user id of this process} */
    static long uid() {
        return UID;
    }
}
