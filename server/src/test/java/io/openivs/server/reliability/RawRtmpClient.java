package io.openivs.server.reliability;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.openivs.server.ingest.rtmp.Amf0;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A blocking RTMP peer that writes chunks by hand: for attacks a real encoder would never make. */
final class RawRtmpClient implements AutoCloseable {
    static final int COMMAND_AMF0 = 20;
    private static final int HANDSHAKE_PACKET = 1536;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RawRtmpClient(int port) throws IOException {
        socket = new Socket();
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    /** The plain handshake: C0+C1, reads S0+S1+S2, echoes S1 as C2. */
    RawRtmpClient handshake() throws IOException {
        byte[] c0c1 = new byte[1 + HANDSHAKE_PACKET];
        c0c1[0] = 3;
        send(c0c1);
        byte[] reply = new byte[1 + 2 * HANDSHAKE_PACKET];
        new DataInputStream(in).readFully(reply);
        byte[] c2 = new byte[HANDSHAKE_PACKET];
        System.arraycopy(reply, 1, c2, 0, HANDSHAKE_PACKET);
        return send(c2);
    }

    /** A type 0 chunk header on chunk stream {@code csid} (2..63) declaring a message of {@code length} bytes. */
    static byte[] type0Header(int csid, int length, int typeId, int messageStreamId) {
        return new byte[] {
            (byte) csid,
            0,
            0,
            0,
            (byte) (length >>> 16),
            (byte) (length >>> 8),
            (byte) length,
            (byte) typeId,
            (byte) messageStreamId,
            (byte) (messageStreamId >>> 8),
            (byte) (messageStreamId >>> 16),
            (byte) (messageStreamId >>> 24)
        };
    }

    /** {@code payload} as one message on chunk stream {@code csid}, in 128-byte chunks. */
    static byte[] message(int csid, int typeId, int messageStreamId, byte[] payload) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(type0Header(csid, payload.length, typeId, messageStreamId));
        for (int off = 0; off < payload.length; off += 128) {
            if (off > 0) {
                b.write(0xC0 | csid); // type 3: continuation
            }
            b.write(payload, off, Math.min(128, payload.length - off));
        }
        return b.toByteArray();
    }

    /** An AMF0 command: name, transaction id, command object, arguments. */
    static byte[] command(String name, double transactionId, Object commandObject, Object... arguments) {
        ByteBuf buf = Unpooled.buffer();
        Amf0.write(buf, name);
        Amf0.write(buf, transactionId);
        Amf0.write(buf, commandObject);
        for (Object a : arguments) {
            Amf0.write(buf, a);
        }
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    /** connect to {@code app}, createStream, publish {@code key}: what an encoder sends before its media. */
    RawRtmpClient connectAndPublish(String app, String key) throws IOException {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("app", app);
        props.put("type", "nonprivate");
        props.put("tcUrl", "rtmp://127.0.0.1/" + app);
        send(message(3, COMMAND_AMF0, 0, command("connect", 1, props)));
        send(message(3, COMMAND_AMF0, 0, command("createStream", 2, null)));
        return send(message(4, COMMAND_AMF0, 1, command("publish", 0, null, key, "live")));
    }

    RawRtmpClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends {@code bytes}; false if the server has closed the connection already. */
    boolean trySend(byte[] bytes) {
        try {
            send(bytes);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** True if the server closes the connection within {@code millis} (what it sends is read and dropped). */
    boolean closedByServerWithin(long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        byte[] sink = new byte[8192];
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) left);
                if (in.read(sink) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // a reset counts as closed
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
