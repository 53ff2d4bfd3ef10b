package maestral.bench;

import java.util.List;

/**
 * The JVM options of every JVM a benchmark starts (JMH forks, echo servers, load clients):
 * Chronicle Queue's access and quiet flags, and native access for Netty and the lock, as
 * {@code spec/DEPENDENCIES.md} lists them. The constants exist so that {@code @Fork} can
 * name them; {@link #FLAGS} holds the same list for {@link ProcessBuilder}s.
 */
public final class Jvm {

    /** Chronicle: no usage analytics. */
    public static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
    /** Chronicle: no banner. */
    public static final String NO_ANNOUNCER = "-Dchronicle.announcer.disable=true";
    /** Chronicle: no disk-space poller thread. */
    public static final String NO_DISK_MONITOR = "-Dchronicle.disk.monitor.disable=true";
    /** Chronicle reflects into {@code java.lang.reflect}. */
    public static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    /** Chronicle maps files through {@code sun.nio.ch}. */
    public static final String EXPORT_NIO = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    /** Chronicle cleans buffers through {@code jdk.internal.ref}. */
    public static final String EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    /** Netty's JNI library, the lock's FFM calls and Chronicle. */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** Chronicle and Kryo use {@code sun.misc.Unsafe} memory access. */
    public static final String UNSAFE_ALLOW = "--sun-misc-unsafe-memory-access=allow";

    /** All of the above, in order. */
    public static final List<String> FLAGS = List.of(NO_ANALYTICS, NO_ANNOUNCER, NO_DISK_MONITOR,
            OPEN_REFLECT, EXPORT_NIO, EXPORT_REF, NATIVE_ACCESS, UNSAFE_ALLOW);

    private Jvm() {
    }
}
