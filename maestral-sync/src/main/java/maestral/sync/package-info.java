/**
 * The sync engine: {@link maestral.sync.SyncEngine} syncs a local folder with a remote that a
 * {@link maestral.sync.spi.RemoteBackend} opens, found by {@link maestral.sync.Backends}.
 */
package maestral.sync;
