/**
 * Not API: the daemon's folders, transport discovery, child launching, the served object and
 * its persistence. Nothing here is stable.
 */
package maestral.daemon.internal;
