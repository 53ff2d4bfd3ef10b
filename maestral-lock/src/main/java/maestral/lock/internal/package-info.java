/**
 * Not API: POSIX calls through the Foreign Function &amp; Memory API, for the lock and the
 * daemon. Nothing here is stable.
 */
package maestral.lock.internal;
