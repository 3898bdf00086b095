package io.openivs.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.openivs.model.Member;
import io.openivs.model.Operation;
import io.openivs.model.ServiceModel;
import io.openivs.model.Shape;
import io.openivs.model.validate.UnknownMembers;
import io.openivs.model.validate.Validator;
import io.openivs.server.auth.AuthException;
import io.openivs.server.auth.Principal;
import io.openivs.server.auth.SigV4Verifier;
import io.openivs.server.net.LogSafe;
import io.openivs.server.resource.Json;
import io.openivs.server.store.StoreException;
import io.openivs.server.store.StoreUnavailableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control API's request pipeline: authenticate (SigV4), route, parse,
 * validate against the model, then run the operation's handler on a worker
 * thread and write the REST-JSON answer. Everything before the handler is
 * CPU-only and runs on the event loop; the handler may block on the store.
 */
@ChannelHandler.Sharable
public final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
    private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.US_ASCII);

    private final ServiceModel model;
    private final Router router;
    private final SigV4Verifier verifier;
    private final Map<String, OperationHandler> handlers;
    private final Executor workers;
    private final String region;
    private final OpsEndpoints ops;
    private final ApiRequests requests;
    /** When the last "database unreachable" warning was logged: once per {@link #UNAVAILABLE_LOG_MS}. */
    private final java.util.concurrent.atomic.AtomicLong lastUnavailableLog =
            new java.util.concurrent.atomic.AtomicLong();

    private static final long UNAVAILABLE_LOG_MS = 10_000;

    public ApiHandler(
            ServiceModel model,
            SigV4Verifier verifier,
            Map<String, OperationHandler> handlers,
            Executor workers,
            String region) {
        this(model, verifier, handlers, workers, region, null, new ApiRequests());
    }

    /**
     * @param ops      health, readiness and metrics served without a signature, or null for none
     * @param requests where requests answered are counted, by operation and status
     */
    public ApiHandler(
            ServiceModel model,
            SigV4Verifier verifier,
            Map<String, OperationHandler> handlers,
            Executor workers,
            String region,
            OpsEndpoints ops,
            ApiRequests requests) {
        this.ops = ops;
        this.requests = requests;
        this.model = model;
        this.router = new Router(model);
        this.verifier = verifier;
        this.handlers = Map.copyOf(handlers);
        this.workers = workers;
        this.region = region;
        for (String op : model.operations().keySet()) {
            if (!handlers.containsKey(op)) {
                throw new IllegalStateException("no handler for operation " + op);
            }
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        long arrived = System.nanoTime();
        String requestId = ResponseParts.requestId();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (req.decoderResult().isFailure()) {
            sendError(ctx, false, requestId, 400, "SerializationException", "Malformed HTTP request.");
            return;
        }
        String method = req.method().name();
        String uri = req.uri();
        if (ops != null && opsRequest(ctx, keepAlive, method, uri)) {
            return;
        }
        Principal principal;
        try {
            principal = verifier.verify(method, uri, req.headers(), req.content());
        } catch (AuthException e) {
            requests.count(ApiRequests.NO_OPERATION, e.status());
            sendError(ctx, keepAlive, requestId, e.status(), e.errorCode(), e.getMessage());
            return;
        }
        int q = uri.indexOf('?');
        dispatch(ctx, req, q < 0 ? uri : uri.substring(0, q), principal, arrived);
    }

    /**
     * Runs the operation at {@code path} for a caller authenticated otherwise (the web console's session):
     * the same routing, validation, handlers and answers as a signed request. Reads {@code req} before it
     * returns; the caller releases it.
     */
    public void dispatch(ChannelHandlerContext ctx, FullHttpRequest req, String path, Principal principal) {
        dispatch(ctx, req, path, principal, System.nanoTime());
    }

    private void dispatch(
            ChannelHandlerContext ctx, FullHttpRequest req, String path, Principal principal, long arrived) {
        String requestId = ResponseParts.requestId();
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        String method = req.method().name();
        String uri = req.uri();
        int q = uri.indexOf('?');
        Router.Match match = router.match(method, path);
        if (match == null) {
            requests.count(ApiRequests.NO_OPERATION, 404);
            sendError(
                    ctx,
                    keepAlive,
                    requestId,
                    404,
                    "UnknownOperationException",
                    "No operation matches " + method + " " + truncate(path) + ".");
            return;
        }
        Operation op = match.operation();
        ObjectNode input;
        try {
            input = parseInput(op, req, match.pathLabel(), q < 0 ? null : uri);
        } catch (ApiException e) {
            requests.count(op.name(), statusOf(e.code()));
            sendError(ctx, keepAlive, requestId, statusOf(e.code()), e.code(), e.getMessage());
            return;
        }
        List<String> problems = Validator.validate(op.input(), input);
        if (!problems.isEmpty()) {
            requests.count(op.name(), 400);
            sendError(ctx, keepAlive, requestId, 400, "ValidationException", Validator.message(problems));
            return;
        }
        UnknownMembers.drop(op.input(), input);
        Call call = new Call(principal.accessKeyId(), principal.accountId(), region, requestId, arrived);
        OperationHandler handler = handlers.get(op.name());
        // Reads the store holds in memory are answered here; anything that may block goes to a worker.
        ObjectNode fromMemory;
        try {
            fromMemory = handler.answerFromMemory(call, input);
        } catch (RuntimeException e) {
            fail(ctx, keepAlive, op, call, e);
            return;
        }
        if (fromMemory != null) {
            respond(ctx, keepAlive, op, call, fromMemory);
            return;
        }
        try {
            workers.execute(() -> run(ctx, keepAlive, op, handler, call, input));
        } catch (RejectedExecutionException e) {
            requests.count(op.name(), 503);
            sendError(ctx, keepAlive, requestId, 503, "ServiceUnavailable", "The service is busy; retry later.");
        }
    }

    /** API requests answered so far, for metrics. */
    public ApiRequests requests() {
        return requests;
    }

    /** Answers GET /healthz, /readyz and /metrics (no signature: they reveal nothing secret); false for others. */
    private boolean opsRequest(ChannelHandlerContext ctx, boolean keepAlive, String method, String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        if (!path.equals("/healthz") && !path.equals("/readyz") && !path.equals("/metrics")) {
            return false;
        }
        if (!method.equals("GET")) {
            sendText(
                    ctx, keepAlive, 405, "text/plain; charset=utf-8", "GET only\n".getBytes(StandardCharsets.US_ASCII));
            return true;
        }
        if (path.equals("/healthz")) {
            sendText(ctx, keepAlive, 200, "text/plain; charset=utf-8", "ok\n".getBytes(StandardCharsets.US_ASCII));
            return true;
        }
        try {
            workers.execute(() -> {
                if (path.equals("/readyz")) {
                    String notReady = ops.ready();
                    sendText(
                            ctx,
                            keepAlive,
                            notReady == null ? 200 : 503,
                            "text/plain; charset=utf-8",
                            (notReady == null ? "ready\n" : notReady + "\n").getBytes(StandardCharsets.UTF_8));
                } else {
                    byte[] text = ops.metrics();
                    if (text == null) {
                        sendText(
                                ctx,
                                keepAlive,
                                404,
                                "text/plain; charset=utf-8",
                                "metrics are turned off (--no-metrics)\n".getBytes(StandardCharsets.US_ASCII));
                    } else {
                        sendText(ctx, keepAlive, 200, "text/plain; version=0.0.4; charset=utf-8", text);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            sendText(ctx, keepAlive, 503, "text/plain; charset=utf-8", "busy\n".getBytes(StandardCharsets.US_ASCII));
        }
        return true;
    }

    private static void sendText(
            ChannelHandlerContext ctx, boolean keepAlive, int status, String contentType, byte[] body) {
        FullHttpResponse res = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res, ctx.voidPromise());
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void run(
            ChannelHandlerContext ctx,
            boolean keepAlive,
            Operation op,
            OperationHandler handler,
            Call call,
            ObjectNode input) {
        ObjectNode out;
        try {
            out = handler.handle(call, input);
        } catch (RuntimeException e) {
            fail(ctx, keepAlive, op, call, e);
            return;
        }
        respond(ctx, keepAlive, op, call, out);
    }

    private void respond(ChannelHandlerContext ctx, boolean keepAlive, Operation op, Call call, ObjectNode out) {
        int status = op.responseCode();
        byte[] body;
        if (status == 204) {
            body = null;
        } else if (out == null || out.isEmpty()) {
            body = EMPTY_OBJECT;
        } else {
            try {
                body = Json.MAPPER.writeValueAsBytes(out);
            } catch (JsonProcessingException | RuntimeException e) {
                fail(ctx, keepAlive, op, call, e);
                return;
            }
        }
        requests.count(op.name(), status);
        requests.took(op.name(), System.nanoTime() - call.arrived());
        send(ctx, keepAlive, call.requestId(), status, null, body);
    }

    private void fail(ChannelHandlerContext ctx, boolean keepAlive, Operation op, Call call, Exception e) {
        if (e instanceof StoreUnavailableException) {
            // The model's ServiceUnavailable (503), which SDKs retry; nothing of the call was committed
            // unless only the commit's answer was lost. Logged once per outage, not per refused call.
            requests.count(op.name(), 503);
            long now = System.currentTimeMillis();
            long last = lastUnavailableLog.get();
            if (now - last >= UNAVAILABLE_LOG_MS && lastUnavailableLog.compareAndSet(last, now)) {
                log.warn("API calls answered 503: the database is unreachable ({})", e.getMessage());
            }
            sendError(
                    ctx,
                    keepAlive,
                    call.requestId(),
                    503,
                    "ServiceUnavailable",
                    "The service is temporarily unavailable; retry later.");
            return;
        }
        requests.count(op.name(), e instanceof ApiException api ? statusOf(api.code()) : 500);
        requests.took(op.name(), System.nanoTime() - call.arrived());
        if (e instanceof ApiException api) {
            sendError(ctx, keepAlive, call.requestId(), statusOf(api.code()), api.code(), api.getMessage());
        } else if (e instanceof StoreException) {
            log.error("{} failed in the store (request {})", op.name(), call.requestId(), e);
            sendError(
                    ctx,
                    keepAlive,
                    call.requestId(),
                    500,
                    "InternalServerException",
                    "The service could not complete the request; retry later.");
        } else {
            log.error("{} failed (request {})", op.name(), call.requestId(), e);
            sendError(
                    ctx,
                    keepAlive,
                    call.requestId(),
                    500,
                    "InternalServerException",
                    "Unexpected error processing the request.");
        }
    }

    private ObjectNode parseInput(Operation op, FullHttpRequest req, String pathLabel, String uriWithQuery) {
        ObjectNode input;
        ByteBuf content = req.content();
        if (content.isReadable() && op.input() != null && hasBodyMembers(op.input())) {
            // Jackson decodes overlong forms (C0 AF as '/'); Netty's check is strict and allocates nothing.
            if (!ByteBufUtil.isText(content, StandardCharsets.UTF_8)) {
                throw new ApiException("SerializationException", "The request body could not be read as UTF-8 JSON.");
            }
            JsonNode node;
            try (ByteBufInputStream in = new ByteBufInputStream(content.duplicate())) {
                node = Json.MAPPER.readTree((java.io.InputStream) in);
            } catch (JsonProcessingException e) {
                throw new ApiException(
                        "SerializationException",
                        "The request body is not valid JSON: " + truncate(e.getOriginalMessage()));
            } catch (IOException e) {
                throw new ApiException("SerializationException", "The request body could not be read as UTF-8 JSON.");
            }
            if (node == null || node.isMissingNode()) {
                input = Json.object();
            } else if (!node.isObject()) {
                throw new ApiException("SerializationException", "The request body must be a JSON object.");
            } else {
                input = (ObjectNode) node;
            }
        } else {
            input = Json.object();
        }
        if (op.input() == null) {
            return input;
        }
        Map<String, List<String>> query = null;
        for (Member m : op.input().members().values()) {
            if (m.location() == null) {
                continue;
            }
            // Members bound to the URI never come from the body.
            input.remove(m.name());
            switch (m.location()) {
                case "uri" -> {
                    if (pathLabel != null) {
                        input.put(m.name(), PercentDecoder.decode(pathLabel));
                    }
                }
                case "querystring" -> {
                    if (query == null) {
                        query = uriWithQuery == null
                                ? Map.of()
                                : new QueryStringDecoder(uriWithQuery, StandardCharsets.UTF_8).parameters();
                    }
                    List<String> values = query.get(m.wireName());
                    if (values != null) {
                        if (m.shape().type() == io.openivs.model.ShapeType.LIST) {
                            ArrayNode arr = input.putArray(m.name());
                            values.forEach(arr::add);
                        } else {
                            input.put(m.name(), values.get(0));
                        }
                    }
                }
                default -> {
                    String v = req.headers().get(m.wireName());
                    if (v != null) {
                        input.put(m.name(), v);
                    }
                }
            }
        }
        return input;
    }

    private static boolean hasBodyMembers(Shape input) {
        for (Member m : input.members().values()) {
            if (m.location() == null) {
                return true;
            }
        }
        return false;
    }

    private int statusOf(String code) {
        switch (code) {
            case "SerializationException":
                return 400;
            case "UnknownOperationException":
                return 404;
            default:
                try {
                    Shape s = model.shape(code);
                    return s.isError() ? s.httpStatus() : 400;
                } catch (IllegalArgumentException e) {
                    return 400;
                }
        }
    }

    static String truncate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    static void sendError(
            ChannelHandlerContext ctx, boolean keepAlive, String requestId, int status, String code, String message) {
        ObjectNode body = Json.object();
        body.put("message", message);
        body.put("exceptionMessage", message);
        byte[] bytes;
        try {
            bytes = Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            bytes = EMPTY_OBJECT;
        }
        send(ctx, keepAlive, requestId, status, code, bytes);
    }

    static void send(
            ChannelHandlerContext ctx, boolean keepAlive, String requestId, int status, String errorCode, byte[] body) {
        ByteBuf content = body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
        FullHttpResponse res =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
        res.headers().set("x-amzn-RequestId", requestId);
        // SDKs read Date to correct their clock after a "Signature expired" refusal.
        res.headers().set(HttpHeaderNames.DATE, ResponseParts.httpDate());
        if (errorCode != null) {
            res.headers().set("x-amzn-ErrorType", errorCode);
        }
        if (body != null) {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res, ctx.voidPromise());
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("API connection error from {}: {}", ctx.channel().remoteAddress(), LogSafe.escape(cause.toString()));
        ctx.close();
    }
}
