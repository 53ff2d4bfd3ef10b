package maestral.daemon.internal;

import java.nio.file.Path;

/** Points {@link Folders#current()} at folders under a temporary folder, and back. */
final class TestFolders {

    private static final String[] DIRS = {"runtime", "config", "data", "log"};

    private TestFolders() {
    }

    /**
     * Sets {@code maestral.dir.*} to {@code base/runtime}, {@code base/config}, ...
     *
     * @param base a temporary folder
     * @return the folders now current
     */
    static Folders set(Path base) {
        for (String d : DIRS) {
            System.setProperty("maestral.dir." + d, base.resolve(d).toString());
        }
        return Folders.current();
    }

    /** Clears every {@code maestral.dir.*} property. */
    static void clear() {
        for (String d : DIRS) {
            System.clearProperty("maestral.dir." + d);
        }
    }
}
