package io.openivs.client.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A JDK HttpServer on a free loopback port that records every request and answers with a function of it:
 * enough to watch what the client sends and to script what it gets back.
 */
public final class TestServer implements AutoCloseable {

    /** What the server saw. Header names are lower case. */
    public record Request(
            String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase());
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** What to answer. */
    public record Reply(int status, Map<String, String> headers, String body) {
        public static Reply json(int status, String body) {
            return new Reply(status, Map.of("Content-Type", "application/json"), body);
        }

        public static Reply error(int status, String errorType, String message) {
            return new Reply(
                    status,
                    Map.of(
                            "Content-Type",
                            "application/json",
                            "x-amzn-ErrorType",
                            errorType,
                            "x-amzn-RequestId",
                            "req-" + status),
                    "{\"message\":\"" + message + "\"}");
        }
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private volatile Function<Request, Reply> handler;

    private TestServer(Function<Request, Reply> handler) throws IOException {
        this.handler = handler;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "test-server");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public static TestServer start(Function<Request, Reply> handler) throws IOException {
        return new TestServer(handler);
    }

    /** Answers the replies in turn, repeating the last one. */
    public static TestServer script(Reply... replies) throws IOException {
        List<Reply> list = List.of(replies);
        int[] next = {0};
        return start(r -> {
            synchronized (next) {
                return list.get(Math.min(next[0]++, list.size() - 1));
            }
        });
    }

    public URI uri() {
        return URI.create("http://" + server.getAddress().getHostString() + ":"
                + server.getAddress().getPort());
    }

    public List<Request> requests() {
        return Collections.unmodifiableList(new ArrayList<>(requests));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, List<String>> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), List.copyOf(v)));
            URI uri = exchange.getRequestURI();
            Request request = new Request(
                    exchange.getRequestMethod(),
                    uri.getRawPath(),
                    uri.getRawQuery(),
                    headers,
                    exchange.getRequestBody().readAllBytes());
            requests.add(request);
            Reply reply = handler.apply(request);
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] body = reply.body() == null ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
