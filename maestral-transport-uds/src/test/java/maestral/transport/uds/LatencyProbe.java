package maestral.transport.uds;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import maestral.api.Maestral;
import maestral.api.spi.Endpoint;
import maestral.api.spi.Handshake;
import maestral.api.spi.MaestralMethods;
import maestral.api.spi.MethodCall;
import maestral.api.spi.RemoteMaestral;
import maestral.api.spi.TransportClient;

/**
 * Not a test: measures the round trip of {@code status()} through the uds transport against a
 * raw JDK blocking unix-socket ping-pong of 64 bytes, both to a server in a child JVM.
 * Run with the test class path: {@code java -cp ... maestral.transport.uds.LatencyProbe [N]}.
 */
public final class LatencyProbe {

    private LatencyProbe() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        Path dir = Files.createTempDirectory("uds-probe");
        Path socket = dir.resolve("p.sock");
        Path echo = dir.resolve("e.sock");
        try (ChildJvm child = ChildJvm.startMain(List.of("-Xmx256m"), ServerMain.class,
                socket.toString(), echo.toString())) {
            child.awaitLine("READY", Duration.ofSeconds(30));
            try (TransportClient client = new UdsTransportProvider().connect(
                    new Endpoint("child", dir, socket), Handshake.client("uds"), Duration.ofSeconds(10));
                 SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX);
                 SocketChannel ideal = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                raw.connect(UnixDomainSocketAddress.of(echo));
                ideal.connect(UnixDomainSocketAddress.of(socket));
                ByteBuffer idealBuf = ByteBuffer.allocateDirect(1 << 16);
                writeFrame(ideal, RawPeer.helloFrame());
                readFrame(ideal, idealBuf);
                Maestral remote = RemoteMaestral.over(client, Duration.ofSeconds(10));
                MethodCall status = new MethodCall(MaestralMethods.id("status"), null);
                ByteBuffer buf = ByteBuffer.allocateDirect(64);
                long[] proxy = new long[n];
                long[] direct = new long[n];
                long[] socketTimes = new long[n];
                long[] idealTimes = new long[n];
                for (int round = 0; round < 2; round++) {
                    for (int i = 0; i < n; i++) {
                        long t0 = System.nanoTime();
                        remote.status();
                        long t1 = System.nanoTime();
                        client.call(status, 10_000_000_000L).valueOrThrow();
                        long t2 = System.nanoTime();
                        pingPong(raw, buf);
                        long t3 = System.nanoTime();
                        idealCall(ideal, idealBuf, status, i);
                        idealTimes[i] = System.nanoTime() - t3;
                        proxy[i] = t1 - t0;
                        direct[i] = t2 - t1;
                        socketTimes[i] = t3 - t2;
                    }
                    if (round == 0) {
                        System.out.println("warm-up done");
                    }
                }
                report("raw JDK SocketChannel 64 B ping-pong", socketTimes);
                report("blocking JDK client, same frames", idealTimes);
                report("TransportClient.call(status)", direct);
                report("RemoteMaestral status()", proxy);
                Arrays.sort(socketTimes);
                Arrays.sort(proxy);
                System.out.printf("ratio p50 proxy/raw = %.2f%n",
                        (double) proxy[n / 2] / socketTimes[n / 2]);
            }
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(echo);
            Files.deleteIfExists(dir);
        }
    }

    private static void pingPong(SocketChannel raw, ByteBuffer buf) throws java.io.IOException {
        buf.clear();
        while (buf.hasRemaining()) {
            raw.write(buf);
        }
        buf.clear();
        while (buf.hasRemaining()) {
            if (raw.read(buf) < 0) {
                throw new java.io.EOFException();
            }
        }
    }

    private static void idealCall(SocketChannel ch, ByteBuffer buf, MethodCall call, long id)
            throws java.io.IOException {
        io.netty.buffer.ByteBuf frame = maestral.transport.uds.internal.WireCodec.encodeCall(
                io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, id, call, 1 << 26);
        try {
            ByteBuffer nio = frame.nioBuffer();
            while (nio.hasRemaining()) {
                ch.write(nio);
            }
        } finally {
            frame.release();
        }
        io.netty.buffer.ByteBuf in = io.netty.buffer.Unpooled.wrappedBuffer(readFrame(ch, buf));
        maestral.transport.uds.internal.WireCodec.decodeResult(in).valueOrThrow();
    }

    private static void writeFrame(SocketChannel ch, byte[] frame) throws java.io.IOException {
        ByteBuffer b = ByteBuffer.wrap(frame);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static byte[] readFrame(SocketChannel ch, ByteBuffer buf) throws java.io.IOException {
        buf.clear().limit(4);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new java.io.EOFException();
            }
        }
        int len = buf.getInt(0);
        buf.limit(4 + len);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new java.io.EOFException();
            }
        }
        byte[] out = new byte[4 + len];
        buf.flip();
        buf.get(out);
        return out;
    }

    private static void report(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf("%-40s p50 %6.1f us  p90 %6.1f us  p99 %6.1f us%n", what,
                s[s.length / 2] / 1e3, s[(int) (s.length * 0.9)] / 1e3, s[(int) (s.length * 0.99)] / 1e3);
    }
}
