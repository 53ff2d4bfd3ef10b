package maestral.daemon.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link ConfigNames#check}: what a configuration name may be. */
class ConfigNamesTest {

    @Test
    void acceptsOrdinaryNames() {
        for (String name : new String[] {"maestral", "work-2", "a_b", "a.b", "Ünïcode", "x"}) {
            assertEquals(name, ConfigNames.check(name));
        }
    }

    @Test
    void rejectsWhitespaceNamingIt() {
        for (String name : new String[] {"a b", " a", "a ", "a\tb", "a\nb", "a\u2003b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigNames.check(name),
                    name);
            assertTrue(e.getMessage().contains("whitespace"), e.getMessage());
        }
    }

    @Test
    void rejectsTheEmptyName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigNames.check(""));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void rejectsPathsAndHiddenNames() {
        for (String name : new String[] {"a/b", "/a", "a/", "..", ".hidden", "a\0b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigNames.check(name),
                    name);
            assertTrue(e.getMessage().contains("'/'"), e.getMessage());
        }
    }

    @Test
    void rejectsNull() {
        assertThrows(NullPointerException.class, () -> ConfigNames.check(null));
    }
}
