package maestral.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import maestral.api.Maestral;

/**
 * The arguments and payloads of the calls measured: a 32-byte path for
 * {@code excludedStatus}, and a list of 480 strings of 64 characters (30 KiB of text) stored
 * with {@code setConf} and read back with {@code getConf}. The payload sits in a config
 * section of its own so that the excluded items stay empty and {@code excludedStatus} stays a
 * small call.
 */
public final class Payloads {

    /** A 32-byte Dropbox path. */
    public static final String PATH_32 = "/Documents/projects/maestral/a.b";
    /** The config section of the payload. */
    public static final String SECTION = "bench";
    /** The config name of the payload. */
    public static final String NAME = "payload";
    /** How many strings the payload holds. */
    public static final int ITEMS = 480;
    /** The length of each payload string. */
    public static final int ITEM_CHARS = 64;

    private static final List<String> PAYLOAD;

    static {
        if (PATH_32.length() != 32) {
            throw new AssertionError("PATH_32 is " + PATH_32.length() + " bytes");
        }
        List<String> items = new ArrayList<>(ITEMS);
        for (int i = 0; i < ITEMS; i++) {
            StringBuilder s = new StringBuilder("/Documents/archive/2024/folder-").append(i).append('/');
            while (s.length() < ITEM_CHARS) {
                s.append((char) ('a' + s.length() % 26));
            }
            items.add(s.toString());
        }
        PAYLOAD = Collections.unmodifiableList(items);
    }

    private Payloads() {
    }

    /** {@return the payload list (480 x 64 characters)} */
    public static List<String> payload() {
        return PAYLOAD;
    }

    /**
     * Stores the payload through a {@code Maestral} and checks that it reads back whole.
     *
     * @param maestral a proxy or a local instance
     * @throws IllegalStateException when it does not read back
     */
    public static void install(Maestral maestral) {
        maestral.setConf(SECTION, NAME, PAYLOAD);
        Object back = maestral.getConf(SECTION, NAME);
        if (!(back instanceof List<?> list) || !PAYLOAD.equals(list)) {
            throw new IllegalStateException("the payload did not read back: " + describe(back));
        }
    }

    private static String describe(Object o) {
        return o == null ? "null" : o.getClass().getName()
                + (o instanceof List<?> l ? " of " + l.size() : "");
    }
}
