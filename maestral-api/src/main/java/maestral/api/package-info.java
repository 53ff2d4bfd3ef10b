/**
 * The API a maestral daemon serves: {@link maestral.api.Maestral}, the records it returns,
 * and its errors, rooted at {@link maestral.api.MaestralApiError}, plus
 * {@link maestral.api.CommunicationError} for a daemon that cannot be reached.
 */
package maestral.api;
