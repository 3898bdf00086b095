package io.openivs.server.playback;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.openivs.server.playback.access.AccessDenied;
import io.openivs.server.resource.Json;
import java.nio.charset.StandardCharsets;

/**
 * The 403 a refused viewer gets: the JSON error array real IVS answers (observed, not in the public docs;
 * error codes other than invalid_playback_auth_token are unconfirmed).
 */
final class Refusals {
    private Refusals() {}

    /** @param url the request path and query, the token left out (the body must not echo secrets) */
    static FullHttpResponse forbidden(String url, AccessDenied why) {
        ArrayNode body = Json.NODES.arrayNode();
        ObjectNode e = body.addObject();
        e.put("url", url);
        e.put("error", why.getMessage());
        e.put("error_code", why.errorCode());
        e.put("type", "error");
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.FORBIDDEN,
                Unpooled.wrappedBuffer(Json.write(body).getBytes(StandardCharsets.UTF_8)));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        HttpUtil.setContentLength(r, r.content().readableBytes());
        return r;
    }
}
