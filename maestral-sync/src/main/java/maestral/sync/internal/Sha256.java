package maestral.sync.internal;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The content hash of the folder backend: SHA-256 of the bytes, in lower-case hex. */
public final class Sha256 {

    /** One read buffer per thread: a fresh 64 KiB array per small file costs more than hashing it. */
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

    private Sha256() {
    }

    /**
     * {@return the hash of the stream's remaining bytes}
     *
     * @param in the bytes, read to the end and not closed
     * @throws IOException when reading fails
     */
    public static String of(InputStream in) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = BUFFER.get();
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
