package io.openivs.server.playback;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A 200 answer encoded once and written to every viewer that gets the same answer: an HTTP/1.1
 * keep-alive GET of a public channel, which is nearly all of them. It is the bytes
 * {@link Responses} and Netty's encoder would make for that request. The head (status line and
 * headers) and the body are kept in one direct buffer, head first, with the head's length
 * remembered, so either can be handed out without a scan. Unreleasable and freed by the GC with its
 * {@link PlaybackWindow}; every writer takes a duplicate.
 */
final class EncodedResponse {
    private final ByteBuf bytes;
    private final int headLength;

    private EncodedResponse(ByteBuf bytes, int headLength) {
        this.bytes = bytes;
        this.headLength = headLength;
    }

    /** A whole response: head and {@code body}. */
    static EncodedResponse of(AsciiString type, CachePolicy cache, byte[] body) {
        byte[] head = head(type, cache, false, body.length);
        ByteBuf bytes = direct(head.length + body.length).writeBytes(head).writeBytes(body);
        return new EncodedResponse(Unpooled.unreleasableBuffer(bytes), head.length);
    }

    /**
     * Heads without bodies, one per content length, in one buffer: a window's segments, whose bodies
     * are the segments' own bytes, sent after the head.
     */
    static ByteBuf[] heads(AsciiString type, CachePolicy cache, int[] contentLengths) {
        return heads(type, cache, false, contentLengths);
    }

    /** As above; {@code varyAccept} adds {@code Vary: Accept} where {@link Responses} would (after the length). */
    static ByteBuf[] heads(AsciiString type, CachePolicy cache, boolean varyAccept, int[] contentLengths) {
        byte[][] heads = new byte[contentLengths.length][];
        int total = 0;
        for (int i = 0; i < heads.length; i++) {
            heads[i] = head(type, cache, varyAccept, contentLengths[i]);
            total += heads[i].length;
        }
        ByteBuf all = direct(total);
        for (byte[] head : heads) {
            all.writeBytes(head);
        }
        all = Unpooled.unreleasableBuffer(all);
        ByteBuf[] out = new ByteBuf[heads.length];
        int at = 0;
        for (int i = 0; i < heads.length; i++) {
            out[i] = all.slice(at, heads[i].length);
            at += heads[i].length;
        }
        return out;
    }

    /** The whole response, for one writer. */
    ByteBuf whole() {
        return bytes.duplicate();
    }

    /** Bytes of the head in {@link #whole()}, where the body starts. */
    int headLength() {
        return headLength;
    }

    /** The body alone, for answers that need other headers. */
    ByteBuf body() {
        return bytes.slice(headLength, bytes.writerIndex() - headLength);
    }

    /** Header order and spelling as Netty's encoder writes what {@link Responses} builds. */
    private static byte[] head(AsciiString type, CachePolicy cache, boolean varyAccept, int contentLength) {
        return ("HTTP/1.1 200 OK\r\n"
                        + HttpHeaderNames.CONTENT_TYPE + ": " + type + "\r\n"
                        + HttpHeaderNames.CACHE_CONTROL + ": " + cache.value + "\r\n"
                        + HttpHeaderNames.CONTENT_LENGTH + ": " + contentLength + "\r\n"
                        + (varyAccept ? HttpHeaderNames.VARY + ": " + Responses.ACCEPT + "\r\n" : "")
                        + HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN + ": *\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Empty, direct (sockets take it without a copy into a direct buffer) and freed by the GC; the
     * caller makes it unreleasable once filled, so no writer can free what the others still send.
     */
    private static ByteBuf direct(int size) {
        return Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(size)).clear();
    }
}
