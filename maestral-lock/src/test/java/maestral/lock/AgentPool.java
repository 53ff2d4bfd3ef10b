package maestral.lock;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Child JVMs started ahead of need, so that replacing a killed child costs no JVM start: a spare
 * boots in the background while the test goes on. Spares only create their {@link Lock} instance,
 * which touches no file, until a test drives them.
 */
final class AgentPool implements AutoCloseable {

    private final Path folder;
    private final String name;
    private final Path logs;
    private final Deque<AgentProcess> spares = new ArrayDeque<>();

    /**
     * Starts the spares.
     *
     * @param folder the lock's folder
     * @param name the lock's name
     * @param logs the folder for the children's stderr
     * @param spares how many children to keep ready
     */
    AgentPool(Path folder, String name, Path logs, int spares) {
        this.folder = folder;
        this.name = name;
        this.logs = logs;
        for (int i = 0; i < spares; i++) {
            this.spares.add(AgentProcess.start("spare", folder, name, logs));
        }
    }

    /**
     * {@return a running child, a spare when one is left, and starts a new spare in its place}
     *
     * @param label the child's name in messages
     */
    AgentProcess take(String label) {
        AgentProcess child = spares.poll();
        if (child != null && child.broken()) {
            child.close();
            child = null;
        }
        if (child == null) {
            child = AgentProcess.start(label, folder, name, logs);
        } else {
            child.relabel(label);
            spares.add(AgentProcess.start("spare", folder, name, logs));
        }
        return child;
    }

    /** Kills every spare. */
    @Override
    public void close() {
        AgentProcess child;
        while ((child = spares.poll()) != null) {
            child.close();
        }
    }
}
