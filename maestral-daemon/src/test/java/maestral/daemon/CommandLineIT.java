package maestral.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import maestral.daemon.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The maestral command against a real daemon process: output and exit status. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CommandLineIT extends DaemonTestSupport {

    private record Result(int status, String out, String err) {
    }

    private Result maestral(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void startStatusPauseStopAsAUserRunsThem() {
        Result notRunning = maestral("status", "-c", config);
        assertEquals(1, notRunning.status());
        assertTrue(notRunning.out().contains("Maestral daemon is not running."), notRunning.out());

        Result started = maestral("start", "-c", config);
        assertEquals(0, started.status(), started.err());
        assertTrue(Daemon.isRunning(config));

        Result again = maestral("start", "-c", config);
        assertEquals(0, again.status());
        assertTrue(again.out().contains("already running"), again.out());

        Result status = maestral("status", "-v", "-c", config);
        assertEquals(0, status.status(), status.err());
        assertTrue(status.out().contains("Status:        Stopped"), status.out());
        assertTrue(status.out().contains("Transport:     " + expectedTransport()), status.out());

        assertEquals(0, maestral("pause", "-c", config).status());
        assertTrue(maestral("status", "-c", config).out().contains("Paused"));

        Result resume = maestral("resume", "-c", config);
        assertEquals(1, resume.status(), "resuming an unlinked configuration is refused");
        assertTrue(resume.err().contains("No Dropbox account linked"), resume.err());

        Result fileStatus = maestral("filestatus", "/tmp", "-c", config);
        assertEquals(0, fileStatus.status());
        assertEquals("unwatched", fileStatus.out().trim());

        Result doctor = maestral("doctor", "-c", config);
        assertTrue(doctor.out().contains("Answers:        yes, over " + expectedTransport()), doctor.out());

        Result stopped = maestral("stop", "-c", config);
        assertEquals(0, stopped.status());
        assertTrue(stopped.out().contains("Stopped Maestral daemon."), stopped.out());
        assertFalse(Daemon.isRunning(config));
        assertEquals(1, maestral("pause", "-c", config).status());
    }
}
