/**
 * An inter-process and inter-thread lock per file ({@link maestral.lock.Lock}) whose holder
 * can be asked of the kernel without taking the lock.
 *
 * <p>It calls {@code open}, {@code fcntl} and {@code close} of the C library through the
 * Foreign Function &amp; Memory API: run with {@code --enable-native-access=maestral.lock}
 * (or {@code ALL-UNNAMED} on the class path). It uses and provides no service and reads no
 * system property. Its POSIX bindings are shared with the daemon by a qualified export.
 */
@SuppressWarnings("module") // maestral.daemon is built after this module
module maestral.lock {
    exports maestral.lock;
    exports maestral.lock.internal to maestral.daemon;
}
