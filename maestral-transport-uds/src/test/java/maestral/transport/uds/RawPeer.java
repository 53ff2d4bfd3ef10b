package maestral.transport.uds;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import maestral.api.spi.Handshake;
import maestral.transport.uds.internal.FrameDescriptor;
import maestral.transport.uds.internal.WireCodec;

/**
 * A raw JDK unix socket peer for attacking a server: it writes any bytes and waits, with a
 * deadline, for the server's answer or for the server to close the connection.
 */
final class RawPeer implements AutoCloseable {

    private final SocketChannel channel;
    private final Selector selector;

    private RawPeer(SocketChannel channel, Selector selector) {
        this.channel = channel;
        this.selector = selector;
    }

    static RawPeer connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            Selector sel = Selector.open();
            ch.register(sel, SelectionKey.OP_READ);
            return new RawPeer(ch, sel);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** {@return a valid HELLO frame of this library's client} */
    static byte[] helloFrame() {
        ByteBuf buf = WireCodec.encodeHello(UnpooledByteBufAllocator.DEFAULT, Handshake.client("uds"),
                FrameDescriptor.DEFAULT_MAX_FRAME_BYTES);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** {@return a frame of that type and correlation id around the payload} */
    static byte[] frame(byte type, long correlationId, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + payload.length);
        b.putInt(FrameDescriptor.MIN_FRAME_LENGTH + payload.length);
        b.put(type);
        b.put(new byte[FrameDescriptor.RESERVED_LENGTH]);
        b.putLong(correlationId);
        b.put(payload);
        return b.array();
    }

    /**
     * Writes the bytes, giving up when the server closed the connection.
     *
     * @return whether all bytes were written
     */
    boolean write(byte[] bytes, Duration deadline) throws InterruptedException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long end = System.nanoTime() + deadline.toNanos();
        try {
            while (b.hasRemaining()) {
                if (channel.write(b) == 0) {
                    if (System.nanoTime() > end) {
                        throw new AssertionError("could not write within " + deadline);
                    }
                    Thread.sleep(1);
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    void shutdownOutput() {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            // the server already closed it
        }
    }

    /**
     * Reads until the server closes the connection.
     *
     * @return whether it closed within the deadline
     */
    boolean awaitClose(Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        ByteBuffer sink = ByteBuffer.allocate(1 << 16);
        while (true) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            try {
                sink.clear();
                if (channel.read(sink) < 0) {
                    return true;
                }
            } catch (IOException e) {
                return true; // reset by the server
            }
        }
    }

    /** {@return the next whole frame the server sent, read within the deadline} */
    byte[] readFrame(Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer one = ByteBuffer.allocate(1);
        int need = FrameDescriptor.LENGTH_FIELD_LENGTH;
        while (got.size() < need) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no whole frame within " + deadline + ", got " + got.size() + " bytes");
            }
            selector.select(Math.max(1, left / 1_000_000));
            selector.selectedKeys().clear();
            one.clear();
            int n = channel.read(one);
            if (n < 0) {
                throw new AssertionError("the server closed the connection after " + got.size() + " bytes");
            }
            if (n == 1) {
                got.write(one.get(0));
                if (got.size() == FrameDescriptor.LENGTH_FIELD_LENGTH) {
                    need += ByteBuffer.wrap(got.toByteArray()).getInt();
                }
            }
        }
        return got.toByteArray();
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
