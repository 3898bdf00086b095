package io.openivs.server.ingest.rtmp;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** A blocking socket that speaks just enough RTMP (a plain handshake, raw bytes) to misbehave on purpose. */
final class RawRtmpPeer implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RawRtmpPeer(int port) throws IOException {
        this(new Socket(), port);
    }

    /** Over the given socket, e.g. an unconnected TLS one. */
    RawRtmpPeer(Socket socket, int port) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        socket.setSoLinger(true, 0); // close with a reset, as a vanishing publisher would
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    /** C0+C1 (plain, zero version field), reads S0+S1+S2, sends C2. */
    RawRtmpPeer handshake() throws IOException {
        byte[] c0c1 = new byte[1 + RtmpHandshake.PACKET_SIZE];
        c0c1[0] = 3;
        System.arraycopy(
                ChunkBytes.pattern(RtmpHandshake.PACKET_SIZE - 8, 7), 0, c0c1, 9, RtmpHandshake.PACKET_SIZE - 8);
        out.write(c0c1);
        out.flush();
        byte[] reply = new byte[1 + 2 * RtmpHandshake.PACKET_SIZE];
        new DataInputStream(in).readFully(reply);
        byte[] c2 = new byte[RtmpHandshake.PACKET_SIZE];
        System.arraycopy(reply, 1, c2, 0, RtmpHandshake.PACKET_SIZE);
        out.write(c2);
        out.flush();
        return this;
    }

    RawRtmpPeer send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** True if the server closes the connection within the timeout (reading and discarding whatever it sends). */
    boolean closedByServerWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        byte[] sink = new byte[8192];
        try {
            while (true) {
                if (in.read(sink) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server counts as closed
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
