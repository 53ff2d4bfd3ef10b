package maestral.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A call shows itself abbreviated, whatever its arguments hold. */
class MethodCallTest {

    private static final int SET_STATE = MaestralMethods.id("setState");

    @Test
    void shortArgumentsShowWhole() {
        assertEquals("setState(\"acc\", \"key\", 42)",
                new MethodCall(SET_STATE, new Object[] {"acc", "key", 42}).toString());
        assertEquals("status()", new MethodCall(MaestralMethods.id("status"), null).toString());
        assertEquals("#9999(null)", new MethodCall(9999, new Object[] {null}).toString());
    }

    @Test
    void longStringsAreCutWithTheirLengthAndCollectionsShowTheirSize() {
        String huge = "y".repeat(300 << 20);
        String shown = new MethodCall(SET_STATE, new Object[] {"acc", "huge", huge}).toString();
        assertEquals("setState(\"acc\", \"huge\", \"" + "y".repeat(40) + "\"… (314572800 chars))", shown);
        List<String> many = new ArrayList<>(List.of("a", "b", "c"));
        assertEquals("setState(\"s\", \"k\", ArrayList of 3)",
                new MethodCall(SET_STATE, new Object[] {"s", "k", many}).toString());
        assertTrue(new MethodCall(SET_STATE, new Object[] {"s", "k", Map.of(1, 2)}).toString()
                .endsWith("of 1)"));
    }

    @Test
    void theWholeTextStaysUnderThreeHundredCharacters() {
        Object[] args = new Object[100];
        for (int i = 0; i < args.length; i++) {
            args[i] = "z".repeat(39);
        }
        String shown = new MethodCall(SET_STATE, args).toString();
        assertTrue(shown.length() <= 300, shown.length() + " chars");
        assertTrue(shown.startsWith("setState(\"zzz") && shown.endsWith("…)"), shown);
    }
}
