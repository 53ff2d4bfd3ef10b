/**
 * {@link maestral.lock.Lock}: one lock per file, held by at most one thread of one process,
 * and probed through the kernel without being taken.
 */
package maestral.lock;
