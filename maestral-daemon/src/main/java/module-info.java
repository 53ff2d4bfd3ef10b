/**
 * The maestral daemon: its lifecycle ({@link maestral.daemon.Daemon}), the proxy
 * ({@link maestral.daemon.MaestralProxy}), the served object, and the {@code maestral} command
 * ({@code maestral.daemon.cli.Main}).
 *
 * <p>Transports are plugins found with {@link java.util.ServiceLoader}; a daemon serves all
 * that work here. Logging goes through SLF4J, bound to logback: a rotating file per
 * configuration for the daemon, warnings on standard error otherwise.
 *
 * <p>System properties, all optional:
 * <ul>
 *   <li>{@code maestral.transports}: comma list of the transports a daemon serves (default all);</li>
 *   <li>{@code maestral.transport} (or {@code MAESTRAL_TRANSPORT}): the transport a client uses
 *       (default the best both sides have);</li>
 *   <li>{@code maestral.startTimeout}: seconds to wait for a started daemon (default 30);</li>
 *   <li>{@code maestral.connectTimeout}: seconds for a proxy to connect (default 5);</li>
 *   <li>{@code maestral.callTimeout}: seconds each proxy call may take (default 30);</li>
 *   <li>{@code maestral.sync.reconcileInterval}: seconds between two full reconciles of a
 *       syncing daemon (default 60);</li>
 *   <li>{@code maestral.store.maxValueBytes}: the most bytes a config or state value may take as
 *       JSON (default 1048576, 1 MiB); a larger value is refused;</li>
 *   <li>{@code maestral.store.maxFileBytes}: the most bytes a config or state file may take
 *       (default 8388608, 8 MiB); a change that would make it larger is refused;</li>
 *   <li>{@code maestral.daemon.aotCache}: an AOT cache (JDK 25) a started daemon's JVM uses
 *       when the file is there; the JVM ignores one made for another class path, JDK or jar
 *       (the {@code maestral} script's build records one for its runtime);</li>
 *   <li>{@code maestral.daemon.aotCacheOutput}: where a started daemon records an AOT cache as
 *       it exits (a training run; only jars on the class path, no class folders);</li>
 *   <li>{@code maestral.dir.runtime}, {@code maestral.dir.config}, {@code maestral.dir.data},
 *       {@code maestral.dir.log}: folder overrides (default from XDG or macOS locations).</li>
 * </ul>
 *
 * <p>Syncing is done by {@code maestral.sync}; its remote backends are plugins too.
 *
 * @uses maestral.api.spi.TransportProvider
 * @provides ch.qos.logback.classic.spi.Configurator quiet logging for programs without a
 *     logback configuration
 */
module maestral.daemon {
    requires transitive maestral.api;
    requires transitive maestral.lock;
    requires maestral.sync;
    requires org.slf4j;
    requires ch.qos.logback.classic;
    requires ch.qos.logback.core;
    requires jdk.security.auth;

    exports maestral.daemon;

    uses maestral.api.spi.TransportProvider;

    provides ch.qos.logback.classic.spi.Configurator
            with maestral.daemon.internal.QuietLoggingConfigurator;
}
