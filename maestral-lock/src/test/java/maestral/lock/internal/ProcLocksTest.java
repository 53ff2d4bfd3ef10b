package maestral.lock.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Reading {@code /proc/locks}: which lines name a holder of a file, and Linux's device numbers. */
class ProcLocksTest {

    /** {@code makedev(major, minor)} as glibc encodes it. */
    private static long makedev(long major, long minor) {
        return ((major & 0xfff) << 8) | ((major & ~0xfffL) << 32) | (minor & 0xff) | ((minor & ~0xffL) << 12);
    }

    @Test
    void deviceNumbersRoundTrip() {
        for (long[] mm : new long[][] {{0xfd, 1}, {8, 17}, {0, 0}, {259, 3}, {0x1234, 0x56789}}) {
            long dev = makedev(mm[0], mm[1]);
            assertEquals(mm[0], ProcLocks.major(dev), "major of " + Long.toHexString(dev));
            assertEquals(mm[1], ProcLocks.minor(dev), "minor of " + Long.toHexString(dev));
        }
    }

    @Test
    void onlyAnotherProcesssPosixLockOnThatFileNamesAHolder() {
        long dev = makedev(0xfd, 1);
        String table = """
                1: FLOCK  ADVISORY  WRITE 111 fd:01:4242 0 EOF
                2: OFDLCK ADVISORY  WRITE -1 fd:01:4242 0 EOF
                3: POSIX  ADVISORY  WRITE 333 fd:01:9999 0 EOF
                4: POSIX  ADVISORY  WRITE 444 fe:01:4242 0 EOF
                5: POSIX  ADVISORY  READ 555 fd:01:42420 0 EOF
                5: -> POSIX  ADVISORY  WRITE 666 fd:01:4242 0 EOF
                """;
        assertEquals(0, ProcLocks.holder(table, dev, 4242, 1));
        assertEquals(777, ProcLocks.holder(table + "6: POSIX  ADVISORY  WRITE 777 fd:01:4242 0 EOF\n", dev, 4242, 1));
        assertEquals(777, ProcLocks.holder(table + "6: POSIX  ADVISORY  WRITE 777 FD:001:4242 0 EOF\n", dev, 4242, 1),
                "zero-padded or upper-case hexadecimal");
        assertEquals(0, ProcLocks.holder(table + "6: POSIX  ADVISORY  WRITE 777 fd:01:4242 0 EOF\n", dev, 4242, 777),
                "this process's own lock is not reported, as with F_GETLK");
    }
}
