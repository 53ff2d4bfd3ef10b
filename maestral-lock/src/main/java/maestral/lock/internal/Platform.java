package maestral.lock.internal;

import java.util.Locale;

/**
 * The C constants that differ between Linux and macOS.
 *
 * @param name {@code "linux"} or {@code "macos"}
 * @param oRdwr {@code O_RDWR}
 * @param oCreat {@code O_CREAT}
 * @param oCloexec {@code O_CLOEXEC}
 * @param fGetlk {@code F_GETLK}
 * @param fSetlk {@code F_SETLK}
 * @param fRdlck {@code F_RDLCK}
 * @param fWrlck {@code F_WRLCK}
 * @param fUnlck {@code F_UNLCK}
 * @param eagain {@code EAGAIN}
 * @param flock the layout of {@code struct flock}
 */
public record Platform(String name, int oRdwr, int oCreat, int oCloexec, int fGetlk, int fSetlk,
                       int fRdlck, int fWrlck, int fUnlck, int eagain, FlockDescriptor flock) {

    /** {@code EACCES}, the same on both platforms. */
    public static final int EACCES = 13;

    /** {@code EINTR}, the same on both platforms. */
    public static final int EINTR = 4;

    /** {@code ESRCH}, the same on both platforms. */
    public static final int ESRCH = 3;

    /** {@code SEEK_SET}, the same on both platforms. */
    public static final int SEEK_SET = 0;

    private static final Platform LINUX = new Platform("linux", 2, 0x40, 0x80000, 5, 6, 0, 1, 2,
            11, FlockDescriptor.LINUX);
    private static final Platform MACOS = new Platform("macos", 2, 0x200, 0x1000000, 7, 8, 1, 3,
            2, 35, FlockDescriptor.MACOS);

    /**
     * {@return the constants of the running platform}
     *
     * @throws UnsupportedOperationException on a platform other than Linux or macOS
     */
    public static Platform current() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("linux")) {
            return LINUX;
        }
        if (os.contains("mac") || os.contains("darwin")) {
            return MACOS;
        }
        throw new UnsupportedOperationException("maestral runs on Linux and macOS, not on " + os);
    }
}
