/**
 * The maestral daemon: {@link maestral.daemon.Daemon} starts, finds and stops the daemon of a
 * configuration, and {@link maestral.daemon.MaestralProxy} talks to it from other processes.
 */
package maestral.daemon;
