package io.openivs.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Turns the botocore-style model JSON into {@link Shape}s and {@link Operation}s. Used only at load time. */
final class ModelReader {

    private final Map<String, Shape> shapes = new HashMap<>();

    private ModelReader() {}

    static ServiceModel read(JsonNode model, JsonNode paginators) {
        return new ModelReader().build(model, paginators);
    }

    private ServiceModel build(JsonNode model, JsonNode paginators) {
        JsonNode metadata = require(model, "metadata");
        JsonNode shapeDefs = require(model, "shapes");

        // Pass 1: every shape with its own constraints, so pass 2 can refer to any of them.
        shapeDefs.properties().forEach(e -> shapes.put(e.getKey(), createShape(e.getKey(), e.getValue())));
        // Pass 2: members.
        shapeDefs.properties().forEach(e -> link(shapes.get(e.getKey()), e.getValue()));

        Map<String, Operation> operations = new TreeMap<>();
        require(model, "operations")
                .properties()
                .forEach(e -> operations.put(e.getKey(), operation(e.getKey(), e.getValue())));

        Map<String, Paginator> pages = new TreeMap<>();
        if (paginators != null && paginators.has("pagination")) {
            paginators
                    .get("pagination")
                    .properties()
                    .forEach(e -> pages.put(e.getKey(), paginator(e.getKey(), e.getValue(), operations)));
        }

        String signingName = text(metadata, "signingName");
        if (signingName == null) {
            signingName = text(metadata, "endpointPrefix");
        }
        return new ServiceModel(signingName, text(metadata, "apiVersion"), operations, shapes, pages);
    }

    private static Shape createShape(String name, JsonNode def) {
        ShapeType type = ShapeType.fromModel(require(def, "type").asText());

        Set<String> required = new HashSet<>();
        def.path("required").forEach(n -> required.add(n.asText()));

        Pattern pattern = null;
        String patternText = text(def, "pattern");
        if (patternText != null) {
            patternText = ModelCorrections.pattern(name, patternText);
            try {
                pattern = Pattern.compile(patternText);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("Pattern of shape " + name + " does not compile: " + patternText, e);
            }
        }

        List<String> enumValues = new ArrayList<>();
        def.path("enum").forEach(n -> enumValues.add(n.asText()));

        JsonNode errorDef = def.get("error");
        boolean error = def.path("exception").asBoolean(false) || errorDef != null;
        int httpStatus = 0;
        String errorCode = null;
        if (error) {
            boolean serverFault = def.path("fault").asBoolean(false);
            httpStatus = errorDef != null && errorDef.has("httpStatusCode")
                    ? errorDef.get("httpStatusCode").asInt()
                    : (serverFault ? 500 : 400);
            errorCode = errorDef != null && errorDef.hasNonNull("code")
                    ? errorDef.get("code").asText()
                    : name;
        }

        return new Shape(
                name,
                type,
                required,
                bound(name, def, "min"),
                bound(name, def, "max"),
                pattern,
                enumValues,
                error,
                httpStatus,
                errorCode,
                ModelCorrections.sensitive(name, def.path("sensitive").asBoolean(false)));
    }

    private void link(Shape shape, JsonNode def) {
        LinkedHashMap<String, Member> members = new LinkedHashMap<>();
        Member listMember = null;
        Member mapKey = null;
        Member mapValue = null;
        switch (shape.type()) {
            case STRUCTURE:
                def.path("members")
                        .properties()
                        .forEach(e -> members.put(
                                e.getKey(),
                                member(
                                        e.getKey(),
                                        e.getValue(),
                                        shape.required().contains(e.getKey()))));
                break;
            case LIST:
                listMember = member("member", require(def, "member"), false);
                break;
            case MAP:
                mapKey = member("key", require(def, "key"), false);
                mapValue = member("value", require(def, "value"), false);
                break;
            default:
                break;
        }
        shape.link(members, listMember, mapKey, mapValue);
    }

    private Member member(String name, JsonNode def, boolean required) {
        return new Member(
                name,
                shape(require(def, "shape").asText()),
                text(def, "location"),
                text(def, "locationName"),
                required);
    }

    private Operation operation(String name, JsonNode def) {
        JsonNode http = require(def, "http");
        List<Shape> errors = new ArrayList<>();
        def.path("errors").forEach(e -> errors.add(shape(require(e, "shape").asText())));
        return new Operation(
                name,
                require(http, "method").asText(),
                require(http, "requestUri").asText(),
                http.path("responseCode").asInt(200),
                optionalShape(def.get("input")),
                optionalShape(def.get("output")),
                errors);
    }

    private static Paginator paginator(String operation, JsonNode def, Map<String, Operation> operations) {
        if (!operations.containsKey(operation)) {
            throw new IllegalArgumentException("Paginator for unknown operation " + operation);
        }
        return new Paginator(
                operation,
                firstText(def.get("input_token")),
                firstText(def.get("output_token")),
                firstText(def.get("limit_key")),
                firstText(def.get("result_key")));
    }

    private Shape optionalShape(JsonNode ref) {
        return ref == null ? null : shape(require(ref, "shape").asText());
    }

    private Shape shape(String name) {
        Shape shape = shapes.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("Reference to unknown shape " + name);
        }
        return shape;
    }

    private static Long bound(String shape, JsonNode def, String key) {
        JsonNode n = def.get(key);
        if (n == null) {
            return null;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException("Shape " + shape + " has a non-numeric " + key);
        }
        return n.longValue();
    }

    /** Botocore allows a list of keys for tokens and results; this service uses single keys. */
    private static String firstText(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        return n.isArray() ? (n.size() == 0 ? null : n.get(0).asText()) : n.asText();
    }

    private static String text(JsonNode def, String key) {
        JsonNode n = def.get(key);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static JsonNode require(JsonNode def, String key) {
        JsonNode n = def.get(key);
        if (n == null || n.isNull()) {
            throw new IllegalArgumentException("Service model is missing \"" + key + "\"");
        }
        return n;
    }
}
