package io.openivs.server.recording;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.openivs.server.net.KeepAlive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Serves the embedded store's recordings on the playback port:
 * {@code GET /recordings/<bucket>/<key>}, e.g.
 * {@code /recordings/my-bucket/ivs/v1/<account>/<channel>/2026/11/24/19/5/<id>/media/hls/master.m3u8}.
 * Files are read on {@code io}, never on the event loop; other requests pass down the pipeline.
 */
@ChannelHandler.Sharable
public final class RecordingFilesHandler extends ChannelInboundHandlerAdapter {
    public static final String PREFIX = "/recordings/";

    private final FolderDestination folders;
    private final Executor io;

    public RecordingFilesHandler(FolderDestination folders, Executor io) {
        this.folders = folders;
        this.io = io;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest req) || !req.uri().startsWith(PREFIX)) {
            ctx.fireChannelRead(msg);
            return;
        }
        KeepAlive keepAlive = KeepAlive.of(req);
        boolean head = HttpMethod.HEAD.equals(req.method());
        boolean get = HttpMethod.GET.equals(req.method());
        String path = new QueryStringDecoder(req.uri()).path().substring(PREFIX.length());
        if (!head && !get) {
            reply(ctx, empty(HttpResponseStatus.METHOD_NOT_ALLOWED), keepAlive);
            return;
        }
        int slash = path.indexOf('/');
        Path file = slash < 0 ? null : folders.resolve(path.substring(0, slash), path.substring(slash + 1));
        if (file == null) {
            reply(ctx, empty(HttpResponseStatus.NOT_FOUND), keepAlive);
            return;
        }
        try {
            io.execute(() -> reply(ctx, read(file, head), keepAlive));
        } catch (RejectedExecutionException e) {
            reply(ctx, empty(HttpResponseStatus.SERVICE_UNAVAILABLE), keepAlive);
        }
    }

    private static FullHttpResponse read(Path file, boolean head) {
        try {
            if (!Files.isRegularFile(file)) {
                return empty(HttpResponseStatus.NOT_FOUND);
            }
            long size = Files.size(file);
            FullHttpResponse r = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.OK,
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(Files.readAllBytes(file)));
            r.headers()
                    .set(
                            HttpHeaderNames.CONTENT_TYPE,
                            contentType(file.getFileName().toString()));
            HttpUtil.setContentLength(r, head ? size : r.content().readableBytes());
            return r;
        } catch (NoSuchFileException e) {
            return empty(HttpResponseStatus.NOT_FOUND);
        } catch (IOException e) {
            return empty(HttpResponseStatus.INTERNAL_SERVER_ERROR);
        }
    }

    private static String contentType(String name) {
        if (name.endsWith(".m3u8")) {
            return "application/vnd.apple.mpegurl";
        } else if (name.endsWith(".ts")) {
            return "video/mp2t";
        } else if (name.endsWith(".jpg")) {
            return "image/jpeg";
        } else if (name.endsWith(".json")) {
            return "application/json";
        }
        return "application/octet-stream";
    }

    private static FullHttpResponse empty(HttpResponseStatus status) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        HttpUtil.setContentLength(r, 0);
        return r;
    }

    private static void reply(ChannelHandlerContext ctx, FullHttpResponse r, KeepAlive keepAlive) {
        r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        keepAlive.writeAndFlush(ctx, r);
    }
}
