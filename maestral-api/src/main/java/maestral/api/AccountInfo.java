package maestral.api;

/**
 * The linked account.
 *
 * @param accountId a stable id of the account
 * @param email its email address, or {@code ""}
 * @param displayName its display name
 * @param accountType {@code "basic"}, {@code "pro"}, {@code "business"} or {@code "local"}
 */
public record AccountInfo(String accountId, String email, String displayName, String accountType) {
}
