package maestral.lock.internal;

/**
 * The layout of C's {@code struct flock}, the argument of {@code fcntl(F_GETLK/F_SETLK)}, on
 * the two platforms maestral runs on (64-bit).
 *
 * <pre>
 * Linux (x86_64, aarch64), 32 bytes:
 *   0        2          4 .. 8      16        24       28 .. 32
 *   +--------+----------+---+-------+---------+--------+----+
 *   | l_type | l_whence |pad| l_start | l_len | l_pid  |pad |
 *   | short  | short    |   | off_t   | off_t | pid_t  |    |
 *   +--------+----------+---+-------+---------+--------+----+
 *
 * macOS (x86_64, arm64), 24 bytes:
 *   0          8        16       20       22         24
 *   +----------+--------+--------+--------+----------+
 *   | l_start  | l_len  | l_pid  | l_type | l_whence |
 *   | off_t    | off_t  | pid_t  | short  | short    |
 *   +----------+--------+--------+--------+----------+
 * </pre>
 *
 * @param size the struct's size in bytes
 * @param typeOffset offset of {@code l_type} (short)
 * @param whenceOffset offset of {@code l_whence} (short)
 * @param startOffset offset of {@code l_start} (long)
 * @param lenOffset offset of {@code l_len} (long)
 * @param pidOffset offset of {@code l_pid} (int)
 */
public record FlockDescriptor(int size, int typeOffset, int whenceOffset, int startOffset,
                              int lenOffset, int pidOffset) {

    /** The Linux layout. */
    public static final FlockDescriptor LINUX = new FlockDescriptor(32, 0, 2, 8, 16, 24);

    /** The macOS layout. */
    public static final FlockDescriptor MACOS = new FlockDescriptor(24, 20, 22, 0, 8, 16);
}
