package io.openivs.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optional access log of the playback and API doors: one line per answered request with the
 * method, the path without its query (tokens, tickets and presigned signatures live there), status,
 * body bytes and duration. Installed per connection only when the {@code openivs.access} logger is
 * enabled ({@code --access-log}), so with it off playback pays nothing. It sits between the HTTP
 * codec and whoever answers, so it sees requests decoded and answers before encoding: HttpObjects,
 * or the bare pre-encoded buffers playback writes for shared answers (status line, headers and body),
 * whose head it reads for the status and Content-Length, or a file region holding such an answer.
 */
public final class AccessLog extends ChannelDuplexHandler {
    /** The logger's name: enable it at INFO to get the lines. */
    public static final String LOGGER = "openivs.access";

    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final String door;
    /** Requests read and not yet answered, oldest first (HTTP/1.1 answers in order). */
    private final ArrayDeque<Entry> pending = new ArrayDeque<>(2);
    /** The answer being written, or null between answers. */
    private Entry current;

    private static final class Entry {
        final String method;
        final String path;
        final long start = System.nanoTime();
        int status;
        long bytes;
        /** Body bytes a pre-encoded answer announced; -1 for an HttpObject answer. */
        long expected = -1;

        Entry(String method, String path) {
            this.method = method;
            this.path = path;
        }
    }

    /** @param door "playback" or "api", as the line names it */
    public AccessLog(String door) {
        this.door = door;
    }

    /** Whether the access log is on: then each connection of the doors gets an {@link AccessLog}. */
    public static boolean enabled() {
        return log.isInfoEnabled();
    }

    /** The path of a request target, without its query or fragment, escaped for the log. */
    static String pathOf(String uri) {
        int end = uri.length();
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        return LogSafe.escape(uri.substring(0, end));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest req && pending.size() < 64) {
            pending.add(new Entry(req.method().name(), pathOf(req.uri())));
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        try {
            observe(ctx, msg);
        } catch (RuntimeException e) {
            current = null; // never let the log break an answer
        }
        super.write(ctx, msg, promise);
    }

    private void observe(ChannelHandlerContext ctx, Object msg) {
        if (current == null) {
            current = pending.poll();
            if (current == null) {
                return; // an answer to no request read here (a refusal before the head was complete)
            }
        }
        Entry e = current;
        if (msg instanceof HttpResponse r) {
            e.status = r.status().code();
        }
        if (msg instanceof HttpContent c) {
            e.bytes += c.content().readableBytes();
            if (msg instanceof FullHttpResponse || msg instanceof LastHttpContent) {
                done(ctx, e);
            }
        } else if (msg instanceof FileRegion r) {
            e.bytes += r.count();
            if (e.status == 0) {
                // A whole pre-encoded answer in a file, head and body (a public segment sent with
                // sendfile): always a 200, and its byte count includes the head's ~130 bytes.
                e.status = 200;
                done(ctx, e);
            } else if (e.expected >= 0 && e.bytes >= e.expected) {
                done(ctx, e);
            }
        } else if (msg instanceof ByteBuf b) {
            if (e.status == 0) {
                readHead(e, b);
            } else {
                e.bytes += b.readableBytes();
            }
            if (e.expected >= 0 && e.bytes >= e.expected) {
                done(ctx, e);
            }
        }
    }

    /** A pre-encoded answer's first buffer: its status, its Content-Length, and whatever body follows the head. */
    private static void readHead(Entry e, ByteBuf b) {
        int from = b.readerIndex();
        int n = b.readableBytes();
        int headEnd = -1;
        for (int i = 3; i < n; i++) {
            if (b.getByte(from + i) == '\n' && b.getByte(from + i - 2) == '\n') {
                headEnd = i + 1;
                break;
            }
        }
        String head = b.toString(from, headEnd < 0 ? n : headEnd, StandardCharsets.US_ASCII);
        int sp = head.indexOf(' ');
        e.status = sp > 0 && head.length() >= sp + 4 ? Integer.parseInt(head.substring(sp + 1, sp + 4)) : 0;
        e.expected = 0;
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                e.expected = Long.parseLong(line.substring(15).trim());
            }
        }
        e.bytes = headEnd < 0 ? 0 : n - headEnd;
    }

    private void done(ChannelHandlerContext ctx, Entry e) {
        current = null;
        long micros = (System.nanoTime() - e.start) / 1_000;
        String ms = micros / 1000 + "." + (micros % 1000) / 100;
        String client = client(ctx.channel().remoteAddress());
        log.atInfo()
                .addKeyValue("door", door)
                .addKeyValue("client", client)
                .addKeyValue("method", e.method)
                .addKeyValue("path", e.path)
                .addKeyValue("status", e.status)
                .addKeyValue("bytes", e.bytes)
                .addKeyValue("duration_ms", Double.parseDouble(ms))
                .log("{} {} \"{} {}\" {} {} {}ms", door, client, e.method, e.path, e.status, e.bytes, ms);
    }

    private static String client(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : String.valueOf(a);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Entry e = current;
        if (e != null && e.status != 0) {
            // Closed mid-answer (a viewer that left during a segment): logged with what was sent.
            done(ctx, e);
        }
        pending.clear();
        super.channelInactive(ctx);
    }
}
