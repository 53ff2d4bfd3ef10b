package maestral.daemon.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the daemon's logging: a size-bounded rotating log file per configuration
 * ({@code NAME.log}, rolled at 5 MiB into {@code NAME.log.1} to {@code .3}), and the console
 * when asked. Levels are maestral's numbers: 10 DEBUG, 20 INFO, 30 WARNING, 40 ERROR.
 */
public final class Logging {

    private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n";

    private Logging() {
    }

    /**
     * Logs to the rotating file, and to standard output when {@code toConsole}.
     *
     * @param logFile the log file
     * @param toConsole whether to log to standard output too
     */
    public static void toFile(Path logFile, boolean toConsole) {
        Folders.ensureExists(logFile.getParent());
        LoggerContext ctx = context();
        ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();

        RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
        file.setContext(ctx);
        file.setName("file");
        file.setFile(logFile.toString());
        FixedWindowRollingPolicy rolling = new FixedWindowRollingPolicy();
        rolling.setContext(ctx);
        rolling.setParent(file);
        rolling.setFileNamePattern(logFile + ".%i");
        rolling.setMinIndex(1);
        rolling.setMaxIndex(3);
        rolling.start();
        SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
        trigger.setContext(ctx);
        trigger.setMaxFileSize(FileSize.valueOf("5MB"));
        trigger.start();
        file.setRollingPolicy(rolling);
        file.setTriggeringPolicy(trigger);
        file.setEncoder(encoder(ctx));
        file.start();
        root.addAppender(file);
        if (toConsole) {
            root.addAppender(console(ctx));
        }
    }

    /**
     * Logs only warnings and errors to standard error: for command-line programs and for
     * programs that embed the library without a logback configuration of their own.
     *
     * @param ctx the logging context to configure
     */
    public static void quiet(LoggerContext ctx) {
        ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        ConsoleAppender<ILoggingEvent> console = console(ctx);
        console.stop();
        console.setTarget("System.err");
        console.start();
        root.addAppender(console);
        root.setLevel(Level.WARN);
    }

    /**
     * Sets the level of every logger of this process.
     *
     * @param level maestral's level: 10 DEBUG, 20 INFO, 30 WARNING, 40 and above ERROR
     */
    public static void setLevel(int level) {
        Level l = level <= 10 ? Level.DEBUG : level <= 20 ? Level.INFO : level <= 30 ? Level.WARN : Level.ERROR;
        context().getLogger(Logger.ROOT_LOGGER_NAME).setLevel(l);
    }

    private static LoggerContext context() {
        return (LoggerContext) LoggerFactory.getILoggerFactory();
    }

    private static PatternLayoutEncoder encoder(LoggerContext ctx) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(PATTERN);
        encoder.start();
        return encoder;
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext ctx) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("console");
        console.setEncoder(encoder(ctx));
        console.start();
        return console;
    }
}
