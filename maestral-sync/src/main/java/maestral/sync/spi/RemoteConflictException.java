package maestral.sync.spi;

import java.io.IOException;

/**
 * A conditional change of the remote was refused because the item is no longer what the
 * caller expected (another revision, something in the way, a folder that is not empty).
 * Nothing was changed; the engine looks again at its next pass.
 */
public class RemoteConflictException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was expected and what was found
     */
    public RemoteConflictException(String message) {
        super(message);
    }
}
