package io.openivs.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import io.openivs.server.api.ApiHandler;
import io.openivs.server.auth.CredentialStore;
import io.openivs.server.auth.Principal;
import io.openivs.server.net.KeepAlive;
import io.openivs.server.net.LogSafe;
import io.openivs.server.net.LogThrottle;
import io.openivs.server.playback.access.ConsoleTokens;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console on the API port, under {@code /console/}: its files (public: they hold nothing of anyone's),
 * sign-in with an API key, and for a signed-in browser the control API's own operations
 * ({@code /console/api/<Operation>}, answered by {@link ApiHandler} exactly as signed calls are), preview tokens
 * for private channels and the recordings a channel's events name. Everything else passes to the API.
 *
 * <p>A session is an HttpOnly, SameSite=Strict cookie (Secure over HTTPS); every call but the files also needs
 * the header {@value #CSRF_HEADER}, which a page of another origin cannot send without a CORS preflight that
 * this server never grants. The secret crosses once, in the sign-in body, and is never logged.
 */
@ChannelHandler.Sharable
public final class ConsoleHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConsoleHandler.class);
    public static final String PREFIX = "/console";
    static final String COOKIE = "openivs_console";
    static final String CSRF_HEADER = "x-openivs-console";
    private static final String API = "/console/api/";
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
            + " http: https:; media-src 'self' blob: http: https:; connect-src 'self' http: https:;"
            + " worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /**
     * What the console shows besides the API's answers.
     *
     * @param ingest             the ingest URLs without the stream key, by protocol ({@code rtmps}, {@code rtmp},
     *                           {@code srt})
     * @param recordingFilesBase where folder-stored recordings are served ({@code .../recordings/}), or null
     * @param secureCookie       whether the API port is HTTPS (the cookie is then Secure)
     */
    public record Settings(
            String region,
            java.util.Map<String, String> ingest,
            String recordingFilesBase,
            Path eventsFile,
            boolean secureCookie) {}

    private final ApiHandler api;
    private final ConsoleSessions sessions;
    private final ConsoleTokens tokens;
    private final Settings settings;
    private final RecordingEvents recordings;
    private final ConsoleAssets assets = new ConsoleAssets();
    private final Executor workers;
    private final Clock clock;
    private final LogThrottle refusals = new LogThrottle(1, java.util.concurrent.TimeUnit.SECONDS);

    public ConsoleHandler(
            ApiHandler api,
            CredentialStore credentials,
            ConsoleTokens tokens,
            Settings settings,
            Executor workers,
            Clock clock) {
        this.api = api;
        this.sessions = new ConsoleSessions(credentials, clock);
        this.tokens = tokens;
        this.settings = settings;
        this.recordings = new RecordingEvents(settings.eventsFile(), settings.recordingFilesBase());
        this.workers = workers;
        this.clock = clock;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)
                || !req.uri().startsWith(PREFIX)
                || req.decoderResult().isFailure()) {
            ctx.fireChannelRead(msg);
            return;
        }
        String path = new QueryStringDecoder(req.uri()).path();
        if (!path.equals(PREFIX) && !path.startsWith(PREFIX + "/")) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            route(ctx, req, path);
        } finally {
            req.release();
        }
    }

    private void route(ChannelHandlerContext ctx, FullHttpRequest req, String path) {
        KeepAlive keepAlive = KeepAlive.of(req);
        HttpMethod method = req.method();
        if (path.equals(PREFIX)) {
            FullHttpResponse r = response(HttpResponseStatus.MOVED_PERMANENTLY, null, null);
            r.headers().set(HttpHeaderNames.LOCATION, PREFIX + "/");
            keepAlive.writeAndFlush(ctx, r);
            return;
        }
        String name = path.substring(PREFIX.length() + 1);
        if (name.equals("session")) {
            session(ctx, req, keepAlive);
            return;
        }
        if (path.startsWith(API) || name.equals("token") || name.equals("recordings")) {
            Principal who = signedIn(req);
            if (who == null) {
                json(ctx, keepAlive, HttpResponseStatus.UNAUTHORIZED, message("Sign in to the console first."));
            } else if (!req.headers().contains(CSRF_HEADER)) {
                json(ctx, keepAlive, HttpResponseStatus.FORBIDDEN, message("Missing the console's request header."));
            } else if (path.startsWith(API)) {
                api.dispatch(ctx, req, path.substring(API.length() - 1), who);
            } else if (name.equals("token") && method.equals(HttpMethod.POST)) {
                token(ctx, req, keepAlive, who);
            } else if (name.equals("recordings") && method.equals(HttpMethod.GET)) {
                recordings(ctx, req, keepAlive, who);
            } else {
                json(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, message("Method not allowed."));
            }
            return;
        }
        ConsoleAssets.Asset asset = assets.get(name.isEmpty() ? "index.html" : name);
        if (asset == null) {
            json(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, message("No such console page."));
        } else if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            json(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, message("GET only."));
        } else {
            FullHttpResponse r = response(
                    HttpResponseStatus.OK, method.equals(HttpMethod.HEAD) ? null : asset.bytes(), asset.contentType());
            if (method.equals(HttpMethod.HEAD)) {
                HttpUtil.setContentLength(r, asset.bytes().length);
            }
            if (asset.contentType().startsWith("text/html")) {
                r.headers().set("Content-Security-Policy", CSP);
            }
            keepAlive.writeAndFlush(ctx, r);
        }
    }

    /** GET: who is signed in (401 if nobody); POST: sign in with an access key and secret; DELETE: sign out. */
    private void session(ChannelHandlerContext ctx, FullHttpRequest req, KeepAlive keepAlive) {
        if (req.method().equals(HttpMethod.GET)) {
            Principal who = signedIn(req);
            if (who == null) {
                json(ctx, keepAlive, HttpResponseStatus.UNAUTHORIZED, message("Not signed in."));
            } else {
                json(ctx, keepAlive, HttpResponseStatus.OK, about(who));
            }
            return;
        }
        if (!req.headers().contains(CSRF_HEADER)) {
            json(ctx, keepAlive, HttpResponseStatus.FORBIDDEN, message("Missing the console's request header."));
            return;
        }
        if (req.method().equals(HttpMethod.DELETE)) {
            sessions.close(cookie(req));
            FullHttpResponse r = response(HttpResponseStatus.NO_CONTENT, null, null);
            r.headers().set(HttpHeaderNames.SET_COOKIE, sessionCookie("", 0));
            keepAlive.writeAndFlush(ctx, r);
            return;
        }
        if (!req.method().equals(HttpMethod.POST)) {
            json(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, message("Method not allowed."));
            return;
        }
        JsonNode body = body(req);
        String keyId = body == null ? null : text(body, "accessKeyId");
        Principal who = body == null ? null : sessions.check(keyId, text(body, "secretAccessKey"));
        if (who == null) {
            // Anyone may try: one line per second at most, however fast they do.
            String shownKey = LogSafe.escape(keyId == null ? "(none)" : keyId);
            Object peer = ctx.channel().remoteAddress();
            refusals.occurred(held -> log.info(
                    "console: sign-in refused for access key {} from {} ({} more refused since the last such line)",
                    shownKey,
                    peer,
                    held));
            json(
                    ctx,
                    keepAlive,
                    HttpResponseStatus.FORBIDDEN,
                    message("The access key ID or secret access key is not valid."));
            return;
        }
        String id = sessions.open(who);
        if (id == null) {
            json(
                    ctx,
                    keepAlive,
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    message("Too many console sessions are open; retry later."));
            return;
        }
        log.info(
                "console: access key {} signed in from {}",
                who.accessKeyId(),
                ctx.channel().remoteAddress());
        FullHttpResponse r = jsonResponse(HttpResponseStatus.OK, about(who));
        r.headers().set(HttpHeaderNames.SET_COOKIE, sessionCookie(id, ConsoleSessions.LIFETIME_MS / 1000));
        keepAlive.writeAndFlush(ctx, r);
    }

    private ObjectNode about(Principal who) {
        ObjectNode o = Json.object();
        o.put("accessKeyId", who.accessKeyId());
        o.put("accountId", who.accountId());
        o.put("region", settings.region());
        ObjectNode ingest = o.putObject("ingest");
        settings.ingest().forEach(ingest::put);
        o.put("recordingsPlayable", settings.recordingFilesBase() != null);
        return o;
    }

    /** A preview token for one of the caller's channels (whether or not it exists: it plays nothing then). */
    private void token(ChannelHandlerContext ctx, FullHttpRequest req, KeepAlive keepAlive, Principal who) {
        JsonNode body = body(req);
        String channelArn = body == null ? null : text(body, "channelArn");
        Arn arn = Arn.parse(channelArn);
        if (!ownChannel(arn, who)) {
            json(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, message("channelArn is not one of your channels."));
            return;
        }
        offload(ctx, keepAlive, () -> {
            ObjectNode o = Json.object();
            o.put("token", tokens.mint(channelArn, clock.millis()));
            o.put("expiresInSeconds", ConsoleTokens.TTL_SECONDS);
            return o;
        });
    }

    private void recordings(ChannelHandlerContext ctx, FullHttpRequest req, KeepAlive keepAlive, Principal who) {
        List<String> arns = new QueryStringDecoder(req.uri()).parameters().get("channelArn");
        String channelArn = arns == null ? null : arns.get(0);
        if (!ownChannel(Arn.parse(channelArn), who)) {
            json(ctx, keepAlive, HttpResponseStatus.BAD_REQUEST, message("channelArn is not one of your channels."));
            return;
        }
        offload(ctx, keepAlive, () -> {
            ObjectNode o = Json.object();
            o.set("recordings", recordings.list(channelArn));
            return o;
        });
    }

    private boolean ownChannel(Arn arn, Principal who) {
        return arn != null
                && Arn.CHANNEL.equals(arn.type())
                && who.accountId().equals(arn.account())
                && settings.region().equals(arn.region());
    }

    private interface Work {
        ObjectNode run() throws IOException;
    }

    /** Runs {@code work} on a worker (it reads files or signs) and answers with what it made. */
    private void offload(ChannelHandlerContext ctx, KeepAlive keepAlive, Work work) {
        try {
            workers.execute(() -> {
                try {
                    json(ctx, keepAlive, HttpResponseStatus.OK, work.run());
                } catch (IOException | RuntimeException e) {
                    log.warn("console: {}", LogSafe.escape(e.toString()));
                    json(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, message("The server failed."));
                }
            });
        } catch (RejectedExecutionException e) {
            json(ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, message("The server is busy; retry later."));
        }
    }

    private Principal signedIn(FullHttpRequest req) {
        return sessions.find(cookie(req));
    }

    private static String cookie(FullHttpRequest req) {
        String header = req.headers().get(HttpHeaderNames.COOKIE);
        if (header == null || header.length() > 8192) {
            return null;
        }
        for (Cookie c : ServerCookieDecoder.STRICT.decode(header)) {
            if (c.name().equals(COOKIE)) {
                return c.value();
            }
        }
        return null;
    }

    private String sessionCookie(String value, long maxAgeSeconds) {
        DefaultCookie c = new DefaultCookie(COOKIE, value);
        c.setHttpOnly(true);
        c.setSameSite(CookieHeaderNames.SameSite.Strict);
        c.setSecure(settings.secureCookie());
        c.setPath(PREFIX + "/");
        c.setMaxAge(maxAgeSeconds);
        return ServerCookieEncoder.STRICT.encode(c);
    }

    private static JsonNode body(FullHttpRequest req) {
        if (!req.content().isReadable()) {
            return null;
        }
        try (ByteBufInputStream in = new ByteBufInputStream(req.content().duplicate())) {
            JsonNode n = Json.MAPPER.readTree((java.io.InputStream) in);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n != null && n.isTextual() ? n.asText() : null;
    }

    private static ObjectNode message(String text) {
        ObjectNode o = Json.object();
        o.put("message", text);
        return o;
    }

    private static void json(ChannelHandlerContext ctx, KeepAlive keepAlive, HttpResponseStatus status, ObjectNode o) {
        keepAlive.writeAndFlush(ctx, jsonResponse(status, o));
    }

    private static FullHttpResponse jsonResponse(HttpResponseStatus status, ObjectNode o) {
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(o);
        } catch (IOException e) {
            bytes = "{}".getBytes(StandardCharsets.US_ASCII);
        }
        return response(status, bytes, "application/json");
    }

    private static FullHttpResponse response(HttpResponseStatus status, byte[] body, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        if (contentType != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().set("X-Content-Type-Options", "nosniff");
        r.headers().set("X-Frame-Options", "DENY");
        r.headers().set("Referrer-Policy", "no-referrer");
        HttpUtil.setContentLength(r, body == null ? 0 : body.length);
        return r;
    }
}
