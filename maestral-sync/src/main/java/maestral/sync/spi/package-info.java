/**
 * The remote backend SPI: how the sync engine reaches a remote. A backend is a plugin: a jar
 * whose module {@code provides maestral.sync.spi.RemoteBackend} (with a
 * {@code META-INF/services} entry for class-path users). The embedded backend ({@code "folder"})
 * treats a folder of this machine as the remote.
 *
 * <p>A minimal cloud backend implements {@link maestral.sync.spi.RemoteBackend} (pure: no I/O
 * before {@code open}) and {@link maestral.sync.spi.RemoteSession}: a full listing with a
 * revision and content hash per file, streamed reads, atomic conditional writes and deletes,
 * folders, moves, and a change feed ({@code cursor()} and {@code awaitChanges}, a long poll
 * that only has to say "something changed"). The engine compares revisions with its index to
 * tell what changed on the remote since the last sync.
 */
package maestral.sync.spi;
