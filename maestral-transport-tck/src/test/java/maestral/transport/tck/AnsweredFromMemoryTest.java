package maestral.transport.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import maestral.api.spi.CallDispatcher;
import maestral.api.spi.MaestralDispatcher;
import maestral.api.spi.MaestralMethods;
import maestral.api.spi.MethodCall;
import org.junit.jupiter.api.Test;

/** Which calls a transport may run on its I/O thread: state getters only, never a call that waits. */
class AnsweredFromMemoryTest {

    private static final List<String> GETTERS = List.of("version", "configName", "status", "running",
            "paused", "syncing", "connected", "pendingLink", "pendingFirstDownload", "dropboxPath",
            "excludedItems", "excludedStatus", "logLevel", "notificationLevel", "notificationSnooze",
            "syncErrors", "fatalErrors", "getActivity", "getHistory");

    private static final List<String> MAY_WAIT = List.of("statusChangeLongpoll", "shutdownDaemon",
            "getFileStatus", "getConf", "setConf", "getState", "setState", "link", "unlink", "listFolder",
            "getMetadata", "getAccountInfo", "getSpaceUsage", "startSync", "stopSync", "pauseSync",
            "resumeSync", "rebuildIndex", "createDropboxDirectory", "moveDropboxDirectory",
            "pendingDropboxFolder", "setExcludedItems", "excludeItem", "includeItem", "setLogLevel");

    private final CallDispatcher dispatcher = new MaestralDispatcher(new ScriptedMaestral("memory"));

    private boolean atOnce(String method) {
        return dispatcher.answersAtOnce(new MethodCall(MaestralMethods.id(method), null));
    }

    @Test
    void stateGettersAnswerAtOnce() {
        GETTERS.forEach(m -> assertTrue(atOnce(m), m));
    }

    @Test
    void callsThatMayWaitOrTouchFilesDoNot() {
        MAY_WAIT.forEach(m -> assertFalse(atOnce(m), m));
    }

    @Test
    void exactlyTheGettersAreMarkedAndUnknownIdsAreNot() {
        long marked = IntStream.range(0, MaestralMethods.count()).filter(MaestralMethods::answeredFromMemory).count();
        assertEquals(GETTERS.size(), marked);
        assertFalse(MaestralMethods.answeredFromMemory(-1));
        assertFalse(MaestralMethods.answeredFromMemory(MaestralMethods.count()));
    }

    @Test
    void aDispatcherThatSaysNothingIsNeverRunOnAnIoThread() {
        CallDispatcher plain = call -> null;
        assertFalse(plain.answersAtOnce(new MethodCall(MaestralMethods.id("status"), null)));
    }
}
