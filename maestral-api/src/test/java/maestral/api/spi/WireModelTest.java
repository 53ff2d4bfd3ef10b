package maestral.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import maestral.api.Maestral;
import org.junit.jupiter.api.Test;

/** The wire model: its table, and a fingerprint that changes with any method or record shape. */
class WireModelTest {

    /** A record as a first build has it. */
    public record Shape(String name, long size) {
    }

    /** The same record with a component added, as a second build might have it. */
    public record ShapeWithMore(String name, long size, boolean folder) {
    }

    /** The same components under other names. */
    public record ShapeRenamed(String title, long size) {
    }

    /** A served interface of a build with one method more. */
    public interface MoreMaestral extends Maestral {
        /** {@return something new} */
        String somethingNew();
    }

    /** A component of no wire kind. */
    public record Unsendable(List<String> items) {
    }

    private static WireModel model(Class<?> served, Class<? extends Record> shape) {
        return new WireModel(served, List.of(new WireModel.Entry(40, shape),
                new WireModel.Entry(48, Handshake.class), new WireModel.Entry(49, RemoteError.class)));
    }

    @Test
    void twoTablesThatDifferInARecordShapeHaveOtherFingerprints() {
        String base = model(Maestral.class, Shape.class).fingerprint();
        assertEquals(base, model(Maestral.class, Shape.class).fingerprint(), "stable for the same table");
        assertNotEquals(base, model(Maestral.class, ShapeWithMore.class).fingerprint(), "a component added");
        assertNotEquals(base, model(Maestral.class, ShapeRenamed.class).fingerprint(), "a component renamed");
        assertNotEquals(base, new WireModel(Maestral.class, List.of(new WireModel.Entry(41, Shape.class),
                new WireModel.Entry(48, Handshake.class), new WireModel.Entry(49, RemoteError.class)))
                .fingerprint(), "a tag changed");
        assertNotEquals(base, model(MoreMaestral.class, Shape.class).fingerprint(), "a method added");
    }

    @Test
    void theHandshakeCarriesTheStandardFingerprintAndTwoFingerprintsRefuseEachOther() {
        Handshake mine = Handshake.client("x");
        assertEquals(WireModel.STANDARD.fingerprint(), mine.fingerprint());
        assertEquals(2, mine.protocolVersion());
        Handshake other = new Handshake(Handshake.PROTOCOL_VERSION, model(Maestral.class, Shape.class).fingerprint(),
                "9.9", "x", 1, "i");
        String why = mine.incompatibility(other);
        assertTrue(why.contains(mine.fingerprint()) && why.contains(other.fingerprint())
                && why.contains("9.9") && why.contains(Handshake.LIBRARY_VERSION), why);
    }

    @Test
    void theStandardTableHoldsEveryRecordOfTheApiWithStableTags() {
        WireModel m = WireModel.STANDARD;
        assertEquals(List.of(32, 33, 34, 35, 36, 37, 48, 49),
                m.records().stream().map(WireModel.RecordType::tag).toList());
        assertSame(maestral.api.SyncEvent.class, m.record(35).type());
        assertEquals(13, m.record(maestral.api.SyncEvent.class).fields().size());
        assertNull(m.record(20), "tags below 32 are value kinds");
        assertNull(m.record(String.class));
        assertEquals(MaestralMethods.count(), m.methods().size());
    }

    @Test
    void aBadTableIsRefusedWithAClearMessage() {
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> new WireModel(
                Maestral.class, List.of(new WireModel.Entry(40, Shape.class), new WireModel.Entry(40, ShapeRenamed.class))));
        assertTrue(twice.getMessage().contains("40"), twice.getMessage());
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> new WireModel(Maestral.class, List.of(new WireModel.Entry(40, Unsendable.class))));
        assertTrue(kind.getMessage().contains("items") && kind.getMessage().contains("java.util.List"),
                kind.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new WireModel.Entry(13, Shape.class));
    }
}
