package io.openivs.server.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A raw HTTP client socket that sends as little and as slowly as it likes. */
final class SlowClient implements AutoCloseable {
    private final Socket socket = new Socket();
    private final InputStream in;

    SlowClient(int port) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        in = socket.getInputStream();
    }

    /** Sends {@code text}; false if the server has closed the connection. */
    boolean trySend(String text) {
        try {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** What the server sends until it closes or {@code millis} pass; null if it is still open then. */
    String readUntilClosed(long millis) throws IOException {
        return read(null, millis);
    }

    /** What the server sends until {@code end} has come, it closes, or {@code millis} pass (then null). */
    String readUntil(String end, long millis) throws IOException {
        return read(end, millis);
    }

    private String read(String end, long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        StringBuilder got = new StringBuilder();
        byte[] buf = new byte[4096];
        try {
            while (end == null || got.indexOf(end) < 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return null;
                }
                socket.setSoTimeout((int) left);
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            return got.toString();
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            return got.toString(); // reset: closed
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
