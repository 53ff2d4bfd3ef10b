package maestral.transport.shm.internal;

import java.util.List;
import java.util.Locale;
import maestral.api.spi.Availability;

/**
 * What Chronicle Queue needs from the JVM: the options to launch a JVM with, the system
 * properties set before its first use, and a check, without side effects, that this JVM
 * grants the access it needs.
 */
public final class ChronicleSupport {

    /**
     * The JVM options a process needs to use this transport, valid both on the class path and
     * on the module path: each grant names {@code ALL-UNNAMED} for the class path and the
     * automatic modules ({@code chronicle.core}; {@code org.jnrproject.jffi} and
     * {@code com.sun.jna}, which load native code) for the module path. On the class path the
     * JVM prints a one-line warning for each module name it does not know, and goes on.
     */
    public static final List<String> JVM_OPTIONS = List.of(
            "-Dchronicle.analytics.disable=true",
            "-Dchronicle.announcer.disable=true",
            "-Dchronicle.disk.monitor.disable=true",
            "--add-opens=java.base/java.lang.reflect=chronicle.core,ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=chronicle.core,ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.ref=chronicle.core,ALL-UNNAMED",
            "--add-modules=jdk.unsupported",
            "--enable-native-access=ALL-UNNAMED,maestral.transport.shm,org.jnrproject.jffi,com.sun.jna",
            "--sun-misc-unsafe-memory-access=allow");

    /** The system properties set to {@code true} before Chronicle is first used, unless set. */
    public static final List<String> QUIET_PROPERTIES = List.of(
            "chronicle.analytics.disable", "chronicle.announcer.disable",
            "chronicle.disk.monitor.disable", "disable.perf.info");

    private static final String CHRONICLE_CORE_CLASS = "net.openhft.chronicle.core.Jvm";
    private static final String QUEUE_CLASS =
            "net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder";

    private static volatile Availability availability;

    private ChronicleSupport() {
    }

    /**
     * Turns Chronicle's usage analytics, announcer banner, disk-space poller and performance
     * notes off, unless the user set those properties. Called before any Chronicle class is
     * initialised.
     */
    public static void prepare() {
        for (String p : QUIET_PROPERTIES) {
            if (System.getProperty(p) == null) {
                System.setProperty(p, "true");
            }
        }
    }

    /** {@return whether Chronicle can work in this JVM, and else the option to add; never throws} */
    public static Availability availability() {
        Availability a = availability;
        if (a == null) {
            try {
                a = check();
            } catch (Throwable t) { // a check must never take the caller down
                a = Availability.unsupported("the shm transport could not check this JVM: " + t);
            }
            availability = a;
        }
        return a;
    }

    private static Availability check() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") && !os.contains("mac")) {
            return Availability.unsupported("the shm transport needs Linux or macOS (it deletes "
                    + "queue files that other processes may still map), not " + os);
        }
        ClassLoader loader = ChronicleSupport.class.getClassLoader();
        Class<?> core;
        try {
            core = Class.forName(CHRONICLE_CORE_CLASS, false, loader);
            Class.forName(QUEUE_CLASS, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            return Availability.unsupported("Chronicle Queue is not on the path: " + e);
        }
        Module chronicle = core.getModule();
        Module base = Object.class.getModule();
        String target = chronicle.isNamed() ? chronicle.getName() : "ALL-UNNAMED";
        if (!base.isOpen("java.lang.reflect", chronicle)) {
            return missing("--add-opens=java.base/java.lang.reflect=" + target);
        }
        if (!base.isExported("sun.nio.ch", chronicle)) {
            return missing("--add-exports=java.base/sun.nio.ch=" + target);
        }
        if (!base.isExported("jdk.internal.ref", chronicle)) {
            return missing("--add-exports=java.base/jdk.internal.ref=" + target);
        }
        if (ModuleLayer.boot().findModule("jdk.unsupported").isEmpty()) {
            return missing("--add-modules=jdk.unsupported");
        }
        String unsafe = System.getProperty("sun.misc.unsafe.memory.access", "");
        if (unsafe.equals("deny")) {
            return missing("--sun-misc-unsafe-memory-access=allow");
        }
        return Availability.supportedHere();
    }

    private static Availability missing(String option) {
        return Availability.unsupported("Chronicle Queue cannot map its files in this JVM: start it with "
                + option + " (all options: " + String.join(" ", JVM_OPTIONS) + ")");
    }
}
