/**
 * The {@code maestral} command: {@link maestral.daemon.cli.Main}.
 */
package maestral.daemon.cli;
