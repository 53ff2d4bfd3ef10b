package maestral.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import maestral.api.BadInputError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bounded values against a real daemon in its own JVM, over the transport of this execution
 * (the integration tests run once per transport): the stores refuse a value or a file over
 * their limits and keep the old value, a call over the frame limit fails alone, and every
 * refusal is a short {@link BadInputError} that names what was too large.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BoundedValuesIT extends DaemonTestSupport {

    @Test
    void storesAndTheFrameLimitRefuseHugeValuesInShortWordsAndTheDaemonServesOn() throws Exception {
        assertEquals(Start.OK, Daemon.startMaestralDaemonProcess(config));
        try (MaestralProxy maestral = new MaestralProxy(config)) {
            assertEquals(expectedTransport(), maestral.transport());
            maestral.setState("acc", "note", "small");

            String twoMiB = "y".repeat(2 << 20);
            BadInputError value = assertThrows(BadInputError.class, () -> maestral.setState("acc", "note", twoMiB));
            assertEquals("Value too large", value.title());
            assertTrue(value.message().contains("'note'") && value.message().contains("'acc'")
                    && value.message().contains("1048576") && value.message().contains("maestral.store.maxValueBytes"),
                    value.message());
            assertTrue(value.getMessage().length() < 400, value.getMessage());
            assertEquals("small", maestral.getState("acc", "note"), "the old value stays");

            String eightyMiB = "z".repeat(80 << 20);
            BadInputError frame = assertThrows(BadInputError.class, () -> maestral.setState("acc", "huge", eightyMiB));
            assertEquals("Cannot send the call", frame.title());
            assertTrue(frame.message().contains("64 MiB") && frame.message().contains("maestral.maxFrameBytes")
                    && frame.message().contains("83886080 chars"), frame.message());
            assertTrue(frame.getMessage().length() < 400, frame.getMessage());

            assertEquals("small", maestral.getState("acc", "note"));
            assertEquals(null, maestral.getState("acc", "huge"), "nothing of the huge value was kept");
            Path stateFile = base.resolve("data").resolve(config + ".state.json");
            assertTrue(Files.exists(stateFile), stateFile + " holds the small value");
            assertTrue(Files.size(stateFile) < 4096, "the state file stays small: " + Files.size(stateFile));
            assertTrue(maestral.status().length() > 0, "the connection serves on");
        }
    }
}
