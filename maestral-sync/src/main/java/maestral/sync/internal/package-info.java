/**
 * Internals of the sync engine: not API. The engine's passes ({@code SyncCore}), the
 * three-way decision ({@code Reconciler}), the SQLite index ({@code Index}), tree scanning
 * and hashing, the recursive watcher, and the embedded folder backend ({@code FolderBackend}).
 */
package maestral.sync.internal;
