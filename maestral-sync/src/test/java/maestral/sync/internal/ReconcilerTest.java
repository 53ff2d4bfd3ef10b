package maestral.sync.internal;

import static maestral.sync.internal.Reconciler.Action.CONFLICT;
import static maestral.sync.internal.Reconciler.Action.CREATE_LOCAL_FOLDER;
import static maestral.sync.internal.Reconciler.Action.CREATE_REMOTE_FOLDER;
import static maestral.sync.internal.Reconciler.Action.DELETE_LOCAL;
import static maestral.sync.internal.Reconciler.Action.DELETE_REMOTE;
import static maestral.sync.internal.Reconciler.Action.DOWNLOAD;
import static maestral.sync.internal.Reconciler.Action.FORGET;
import static maestral.sync.internal.Reconciler.Action.NOTHING;
import static maestral.sync.internal.Reconciler.Action.RECORD;
import static maestral.sync.internal.Reconciler.Action.UPLOAD;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import maestral.sync.internal.Reconciler.Action;
import maestral.sync.spi.RemoteEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The three-way decision, case by case. Notation: {@code -} absent, {@code D} folder,
 * {@code A}, {@code B}, {@code C} files with that content; the remote revision of content
 * {@code X} is {@code rX}, so the index entry {@code A} means "synced as content A, rev rA".
 */
class ReconcilerTest {

    private static TreeScanner.Item local(String s) {
        return switch (s) {
            case "-" -> null;
            case "D" -> new TreeScanner.Item(true, 0, 0, null, null);
            default -> new TreeScanner.Item(false, 1, 1, null, "h" + s);
        };
    }

    private static RemoteEntry remote(String s) {
        return switch (s) {
            case "-" -> null;
            case "D" -> new RemoteEntry("/p", true, 0, 0, null, null);
            default -> new RemoteEntry("/p", false, 1, 1, "r" + s, "h" + s);
        };
    }

    private static Index.Entry index(String s) {
        return switch (s) {
            case "-" -> null;
            case "D" -> new Index.Entry("/p", true, 0, 0, null, null);
            default -> new Index.Entry("/p", false, 1, 1, "h" + s, "r" + s);
        };
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // local, remote, index -> action
                // nothing changed
                Arguments.of("A", "A", "A", NOTHING),
                Arguments.of("D", "D", "D", NOTHING),
                Arguments.of("-", "-", "-", NOTHING),
                // only the local side changed: push
                Arguments.of("B", "A", "A", UPLOAD),
                Arguments.of("A", "-", "-", UPLOAD),
                Arguments.of("-", "A", "A", DELETE_REMOTE),
                Arguments.of("D", "-", "-", CREATE_REMOTE_FOLDER),
                Arguments.of("-", "D", "D", DELETE_REMOTE),
                Arguments.of("D", "A", "A", CREATE_REMOTE_FOLDER),
                Arguments.of("A", "D", "D", UPLOAD),
                // only the remote side changed: pull
                Arguments.of("A", "B", "A", DOWNLOAD),
                Arguments.of("-", "A", "-", DOWNLOAD),
                Arguments.of("A", "-", "A", DELETE_LOCAL),
                Arguments.of("-", "D", "-", CREATE_LOCAL_FOLDER),
                Arguments.of("D", "-", "D", DELETE_LOCAL),
                Arguments.of("A", "D", "A", CREATE_LOCAL_FOLDER),
                Arguments.of("D", "A", "D", DOWNLOAD),
                // both changed the same way: record
                Arguments.of("B", "B", "A", RECORD),
                Arguments.of("A", "A", "-", RECORD),
                Arguments.of("D", "D", "-", RECORD),
                Arguments.of("D", "D", "A", RECORD),
                Arguments.of("-", "-", "A", FORGET),
                Arguments.of("-", "-", "D", FORGET),
                // deleted on one side, modified on the other: the modified one is restored
                Arguments.of("-", "B", "A", DOWNLOAD),
                Arguments.of("B", "-", "A", UPLOAD),
                Arguments.of("-", "D", "A", CREATE_LOCAL_FOLDER),
                Arguments.of("D", "-", "A", CREATE_REMOTE_FOLDER),
                // both changed differently: conflict, keep both
                Arguments.of("B", "C", "A", CONFLICT),
                Arguments.of("A", "B", "-", CONFLICT),
                Arguments.of("D", "B", "A", CONFLICT),
                Arguments.of("B", "D", "A", CONFLICT),
                Arguments.of("A", "D", "-", CONFLICT),
                Arguments.of("D", "A", "-", CONFLICT));
    }

    @ParameterizedTest(name = "local {0}, remote {1}, index {2} -> {3}")
    @MethodSource("cases")
    void decides(String l, String r, String i, Action expected) {
        assertEquals(expected, Reconciler.decide(local(l), remote(r), index(i)));
    }

    @Test
    void aRemoteRevisionChangeWithEqualContentIsStillAPullNotAConflict() {
        // the remote rewrote the same bytes (new rev); the local file is as synced
        RemoteEntry rewritten = new RemoteEntry("/p", false, 1, 1, "rA2", "hA");
        assertEquals(DOWNLOAD, Reconciler.decide(local("A"), rewritten, index("A")));
    }

    @Test
    void conflictCopiesAreNamedAsMaestralNamesThem() {
        Set<String> taken = new HashSet<>(Set.of("/d/report.txt"));
        assertEquals("/d/report (conflicting copy).txt", SyncCore.conflictCopy("/d/report.txt", taken));
        assertEquals("/folder (conflicting copy)", SyncCore.conflictCopy("/folder", taken));
        assertEquals("/.bashrc (conflicting copy)", SyncCore.conflictCopy("/.bashrc", taken));
        taken.add("/d/Report (Conflicting Copy).txt");
        assertEquals("/d/report (conflicting copy 2).txt", SyncCore.conflictCopy("/d/report.txt", taken));
    }
}
