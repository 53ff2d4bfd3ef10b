package maestral.daemon.internal;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's default for a program that uses this library without a logback configuration of
 * its own: warnings and errors on standard error, instead of logback's everything-on-stdout.
 * A {@code logback.xml}, {@code logback-test.xml} or {@code -Dlogback.configurationFile}
 * takes precedence.
 */
public final class QuietLoggingConfigurator extends ContextAwareBase implements Configurator {

    /** Creates the configurator; logback calls it through {@link java.util.ServiceLoader}. */
    public QuietLoggingConfigurator() {
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (System.getProperty("logback.configurationFile") != null
                || (cl != null && (cl.getResource("logback-test.xml") != null
                || cl.getResource("logback.xml") != null))) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        Logging.quiet(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
