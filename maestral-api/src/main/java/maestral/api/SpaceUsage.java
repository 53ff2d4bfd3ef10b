package maestral.api;

/**
 * Space used and allocated on the remote.
 *
 * @param used bytes used
 * @param allocated bytes allocated, or -1 when unlimited or unknown
 * @param allocationType {@code "individual"}, {@code "team"} or {@code "unknown"}
 */
public record SpaceUsage(long used, long allocated, String allocationType) {
}
