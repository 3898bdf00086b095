package io.openivs.client.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.client.sigv4.UriEncode;
import io.openivs.model.Member;
import io.openivs.model.Operation;
import io.openivs.model.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The AWS rest-json protocol, driven by the service model: which member goes into the path, the query,
 * a header or the JSON body, and how a response and an error are read back. Knows nothing of the typed
 * shapes: they arrive and leave as JSON objects keyed by wire name.
 */
public final class RestJson {

    static final String CONTENT_TYPE = "application/json";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RestJson() {}

    /**
     * Names the required members that are missing (or, for path labels, empty), recursively.
     *
     * @throws IllegalArgumentException listing them, e.g. "CreateRecordingConfigurationRequest is missing
     *                                  required member destinationConfiguration.s3.bucketName"
     */
    public static void checkRequired(Operation operation, JsonNode input) {
        Shape shape = operation.input();
        if (shape == null) {
            return;
        }
        List<String> missing = new ArrayList<>(2);
        missing(shape, input, "", missing);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(shape.name() + " is missing required member"
                    + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing) + "; nothing was sent");
        }
    }

    private static void missing(Shape shape, JsonNode node, String path, List<String> out) {
        switch (shape.type()) {
            case STRUCTURE:
                for (Member m : shape.members().values()) {
                    JsonNode v = node.get(m.wireName());
                    boolean absent = v == null
                            || v.isNull()
                            || "uri".equals(m.location())
                                    && v.isTextual()
                                    && v.textValue().isEmpty();
                    if (absent) {
                        if (m.required()) {
                            out.add(path + m.name());
                        }
                    } else {
                        missing(m.shape(), v, path + m.name() + ".", out);
                    }
                }
                break;
            case LIST:
                for (int i = 0; i < node.size(); i++) {
                    missing(
                            shape.listMember().shape(),
                            node.get(i),
                            path.substring(0, path.length() - 1) + "[" + i + "].",
                            out);
                }
                break;
            case MAP:
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    missing(shape.mapValue().shape(), e.getValue(), path + e.getKey() + ".", out);
                }
                break;
            default:
                break;
        }
    }

    /**
     * Places the members of a request: path labels, query parameters, headers and the JSON body.
     *
     * @param input the request's members keyed by wire name (as the typed shapes' {@code toJson()} writes them)
     */
    public static WireRequest marshal(Operation operation, JsonNode input) {
        String template = operation.requestUri();
        int q = template.indexOf('?');
        StringBuilder query = new StringBuilder(q < 0 ? "" : template.substring(q + 1));
        String path = q < 0 ? template : template.substring(0, q);

        Map<String, List<String>> headers = new LinkedHashMap<>(4);
        ObjectNode body = null;
        Shape shape = operation.input();
        if (shape != null) {
            for (Member m : shape.members().values()) {
                if (m.location() == null) {
                    if (body == null) {
                        body = MAPPER.createObjectNode();
                    }
                    JsonNode v = input.get(m.wireName());
                    if (v != null && !v.isNull()) {
                        body.set(m.wireName(), v);
                    }
                    continue;
                }
                JsonNode v = input.get(m.wireName());
                if (v == null || v.isNull()) {
                    continue;
                }
                switch (m.location()) {
                    case "uri":
                        path = label(path, m.wireName(), v);
                        break;
                    case "querystring":
                        query(query, m, v);
                        break;
                    case "header":
                        headers.put(m.wireName(), List.of(headerValue(v)));
                        break;
                    case "headers":
                        v.fields()
                                .forEachRemaining(e ->
                                        headers.put(m.wireName() + e.getKey(), List.of(headerValue(e.getValue()))));
                        break;
                    default:
                        throw new IllegalStateException(
                                "Unsupported member location " + m.location() + " of " + shape.name() + "." + m.name());
                }
            }
        }
        if (path.indexOf('{') >= 0) {
            throw new IllegalArgumentException("No value for the path label(s) of " + path);
        }
        byte[] bytes = null;
        if (body != null) {
            // A body-carrying operation gets a JSON object even when every member is omitted, as the AWS SDKs send.
            headers.put("Content-Type", List.of(CONTENT_TYPE));
            try {
                bytes = MAPPER.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("Cannot serialize " + shape.name(), e);
            }
        }
        return new WireRequest(operation.method(), path, query.length() == 0 ? null : query.toString(), headers, bytes);
    }

    private static String label(String path, String name, JsonNode v) {
        String text = v.asText();
        String plain = "{" + name + "}";
        String greedy = "{" + name + "+}";
        if (path.contains(greedy)) {
            return path.replace(greedy, UriEncode.path(text));
        }
        // An ARN's ':' and '/' are encoded: a label is one path segment.
        return path.replace(plain, UriEncode.component(text));
    }

    private static void query(StringBuilder query, Member m, JsonNode v) {
        if (v.isArray()) {
            v.forEach(e -> param(query, m.wireName(), e.asText()));
        } else if (v.isObject()) {
            // A map bound to the query string: one parameter per entry (repeated when the value is a list).
            v.fields().forEachRemaining(e -> {
                if (e.getValue().isArray()) {
                    e.getValue().forEach(x -> param(query, e.getKey(), x.asText()));
                } else {
                    param(query, e.getKey(), e.getValue().asText());
                }
            });
        } else {
            param(query, m.wireName(), v.asText());
        }
    }

    private static void param(StringBuilder query, String name, String value) {
        if (query.length() > 0) {
            query.append('&');
        }
        query.append(UriEncode.component(name)).append('=').append(UriEncode.component(value));
    }

    private static String headerValue(JsonNode v) {
        if (v.isArray()) {
            List<String> parts = new ArrayList<>(v.size());
            v.forEach(e -> parts.add(e.asText()));
            return String.join(",", parts);
        }
        return v.asText();
    }

    /**
     * The members of a successful response keyed by wire name: the JSON body, plus the header-bound members.
     *
     * @throws UncheckedIOException if the body is not a JSON object
     */
    public static ObjectNode unmarshal(Operation operation, WireResponse response) {
        ObjectNode out;
        JsonNode parsed = parse(response.body());
        if (parsed == null) {
            out = MAPPER.createObjectNode();
        } else if (parsed.isObject()) {
            out = (ObjectNode) parsed;
        } else {
            throw new UncheckedIOException(new IOException(
                    "Response to " + operation.name() + " is not a JSON object but " + parsed.getNodeType()));
        }
        Shape shape = operation.output();
        if (shape != null) {
            for (Member m : shape.members().values()) {
                if ("header".equals(m.location())) {
                    String v = response.header(m.wireName());
                    if (v != null) {
                        out.put(m.wireName(), v);
                    }
                } else if ("statusCode".equals(m.location())) {
                    out.put(m.wireName(), response.status());
                }
            }
        }
        return out;
    }

    /**
     * Reads an error response: the code from {@code x-amzn-ErrorType} (cut at the first ':'), or else from
     * the body's {@code __type} or {@code code}; the message from {@code message}, {@code Message} or
     * {@code exceptionMessage}; the request id from {@code x-amzn-RequestId}. A body that is not JSON (a
     * proxy's HTML page) leaves code and message null.
     */
    public static ServiceError error(WireResponse response) {
        JsonNode body;
        try {
            body = parse(response.body());
        } catch (UncheckedIOException notJson) {
            body = null;
        }
        String code = errorCode(response.header("x-amzn-ErrorType"));
        if (code == null && body != null) {
            code = errorCode(text(body, "__type", "code", "Code"));
        }
        String message = body == null ? null : text(body, "message", "Message", "exceptionMessage");
        String requestId = response.header("x-amzn-RequestId");
        if (requestId == null) {
            requestId = response.header("x-amz-request-id");
        }
        return new ServiceError(response.status(), code, message, requestId);
    }

    /** Just the error code, as {@link #error} finds it; for deciding on retries without reading more. */
    public static String errorCode(WireResponse response) {
        return error(response).code();
    }

    /** "ThrottlingException:http://internal.amazon.com/..." and "aws.ivs#ThrottlingException" are both the bare name. */
    static String errorCode(String raw) {
        if (raw == null) {
            return null;
        }
        String code = raw;
        int colon = code.indexOf(':');
        if (colon >= 0) {
            code = code.substring(0, colon);
        }
        int hash = code.lastIndexOf('#');
        if (hash >= 0) {
            code = code.substring(hash + 1);
        }
        code = code.trim();
        return code.isEmpty() ? null : code;
    }

    private static String text(JsonNode body, String... names) {
        for (String n : names) {
            JsonNode v = body.get(n);
            if (v != null && v.isValueNode() && !v.isNull()) {
                return v.asText();
            }
        }
        return null;
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode n = MAPPER.readTree(body);
            return n == null || n.isMissingNode() ? null : n;
        } catch (IOException e) {
            throw new UncheckedIOException("Response body is not JSON", e);
        }
    }
}
