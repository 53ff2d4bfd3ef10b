package maestral.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The maestral command against a real daemon process: output and exit status. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CommandLineIT extends DaemonTestSupport {


    @Test
    void startStatusPauseStopAsAUserRunsThem() {
        CliResult notRunning = maestral("status", "-c", config);
        assertEquals(1, notRunning.status());
        assertTrue(notRunning.out().contains("Maestral daemon is not running."), notRunning.out());

        CliResult started = maestral("start", "-c", config);
        assertEquals(0, started.status(), started.err());
        assertTrue(Daemon.isRunning(config));

        CliResult again = maestral("start", "-c", config);
        assertEquals(0, again.status());
        assertTrue(again.out().contains("already running"), again.out());

        CliResult status = maestral("status", "-v", "-c", config);
        assertEquals(0, status.status(), status.err());
        assertTrue(status.out().contains("Status:        Stopped"), status.out());
        assertTrue(status.out().contains("Transport:     " + expectedTransport()), status.out());

        assertEquals(0, maestral("pause", "-c", config).status());
        assertTrue(maestral("status", "-c", config).out().contains("Paused"));

        CliResult resume = maestral("resume", "-c", config);
        assertEquals(1, resume.status(), "resuming an unlinked configuration is refused");
        assertTrue(resume.err().contains("No Dropbox account linked"), resume.err());

        CliResult fileStatus = maestral("filestatus", "/tmp", "-c", config);
        assertEquals(0, fileStatus.status());
        assertEquals("unwatched", fileStatus.out().trim());

        CliResult doctor = maestral("doctor", "-c", config);
        assertTrue(doctor.out().contains("Answers:        yes, over " + expectedTransport()), doctor.out());

        CliResult stopped = maestral("stop", "-c", config);
        assertEquals(0, stopped.status());
        assertTrue(stopped.out().contains("Stopped Maestral daemon."), stopped.out());
        assertFalse(Daemon.isRunning(config));
        assertEquals(1, maestral("pause", "-c", config).status());
    }
}
