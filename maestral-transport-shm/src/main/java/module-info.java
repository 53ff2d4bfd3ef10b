/**
 * The shared-memory transport of maestral: it {@code provides}
 * {@link maestral.api.spi.TransportProvider} with {@code ShmTransportProvider}, id
 * {@code "shm"}, preference 200 (the unix-socket transport has 100). Calls travel through
 * Chronicle Queue files under {@code RUNTIME/shm-CONFIG/}: each client connection claims a
 * session (a request queue it alone writes and a reply queue the daemon alone writes) from a
 * small pool the daemon keeps ready, so no call waits for another client's write lock. It
 * exports nothing, and no other
 * module sees Chronicle.
 *
 * <p>System properties, read at each {@code bind} and {@code connect}:
 * <ul>
 *   <li>{@code maestral.maxFrameBytes} ({@link maestral.api.spi.FrameLimit}, the one limit of
 *       every transport): the largest frame, header included; default 64 MiB.</li>
 *   <li>{@code maestral.shm.idle}: how a waiting poller idles: {@code busy} (spin; lowest
 *       latency, a core per poller), {@code adaptive} (default: spin about 50 µs after the
 *       last message, then sleep on a futex in the shared control file, which the writer of
 *       the next message wakes directly; where futexes are not available, short parks), or
 *       {@code sleepy} (sleep on the futex at once);</li>
 *   <li>{@code maestral.shm.maxParkMicros}: the bound of a pause of a caller that waits while
 *       another caller of the same connection reads the answers (it is woken when its answer
 *       comes; the bound only limits a missed wake-up), and of the back-off after a failed
 *       poll; default {@code 10000} (10 ms).</li>
 * </ul>
 * Before Chronicle's first use it sets these of Chronicle's own properties to {@code true},
 * unless they are set: {@code chronicle.analytics.disable} (no usage reports, no files in the
 * home folder), {@code chronicle.announcer.disable}, {@code chronicle.disk.monitor.disable} and
 * {@code disable.perf.info}. The JVM options it needs (the same on the class path and the
 * module path) are those of {@code ShmTransportProvider.jvmOptions()}; its
 * {@code availability()} names the one missing.
 *
 * @provides maestral.api.spi.TransportProvider the shm transport, id {@code "shm"}
 */
module maestral.transport.shm {
    requires maestral.api;
    requires chronicle.queue;
    requires chronicle.wire;
    requires chronicle.bytes;
    requires chronicle.core;
    requires org.slf4j;
    requires jdk.security.auth;

    provides maestral.api.spi.TransportProvider with maestral.transport.shm.ShmTransportProvider;
}
