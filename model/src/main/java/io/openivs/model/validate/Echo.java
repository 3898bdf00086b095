package io.openivs.model.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.openivs.model.Member;
import io.openivs.model.Shape;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Renders a rejected value for a validation message the way AWS does (Java's collection notation:
 * {@code [a, b]}, {@code {k=v}}), never showing what a sensitive shape holds. Only used once a request has
 * already failed, so it favours simplicity over speed.
 */
final class Echo {

    static final String MASK = "***";

    private Echo() {}

    /** @param shape the shape the value was checked against, or null for a value the model does not describe */
    static String of(JsonNode node, Shape shape) {
        StringBuilder sb = new StringBuilder();
        append(sb, node, shape);
        return sb.toString();
    }

    private static void append(StringBuilder sb, JsonNode node, Shape shape) {
        if (shape != null && (shape.isSensitive() || (!fits(node, shape) && holdsSensitive(shape, new HashSet<>())))) {
            // A value of the wrong type could be anything, e.g. the secret itself one level too high.
            sb.append(MASK);
            return;
        }
        if (node.isArray()) {
            Shape element = shape != null && shape.listMember() != null
                    ? shape.listMember().shape()
                    : null;
            sb.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                append(sb, node.get(i), element);
            }
            sb.append(']');
        } else if (node.isObject()) {
            appendObject(sb, node, shape);
        } else if (node.isNull()) {
            sb.append("null");
        } else {
            sb.append(node.asText());
        }
    }

    private static void appendObject(StringBuilder sb, JsonNode node, Shape shape) {
        sb.append('{');
        boolean first = true;
        if (shape != null && !shape.members().isEmpty()) {
            // Like AWS, show the structure as parsed: modeled members only, so nothing unmodeled is echoed.
            for (Member m : shape.members().values()) {
                JsonNode v = node.get(m.wireName());
                if (v != null) {
                    first = separator(sb, first);
                    sb.append(m.name()).append('=');
                    append(sb, v, m.shape());
                }
            }
        } else {
            Shape key = shape != null && shape.mapKey() != null ? shape.mapKey().shape() : null;
            Shape value =
                    shape != null && shape.mapValue() != null ? shape.mapValue().shape() : null;
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                first = separator(sb, first);
                sb.append(key != null && key.isSensitive() ? MASK : e.getKey()).append('=');
                append(sb, e.getValue(), value);
            }
        }
        sb.append('}');
    }

    private static boolean separator(StringBuilder sb, boolean first) {
        if (!first) {
            sb.append(", ");
        }
        return false;
    }

    private static boolean fits(JsonNode node, Shape shape) {
        switch (shape.type()) {
            case STRING:
            case BLOB:
                return node.isTextual();
            case INTEGER:
            case LONG:
            case DOUBLE:
            case FLOAT:
                return node.isNumber();
            case BOOLEAN:
                return node.isBoolean();
            case TIMESTAMP:
                return node.isNumber() || node.isTextual();
            case LIST:
                return node.isArray();
            default:
                return node.isObject();
        }
    }

    private static boolean holdsSensitive(Shape shape, Set<Shape> seen) {
        if (shape.isSensitive()) {
            return true;
        }
        if (!seen.add(shape)) {
            return false;
        }
        for (Member m : shape.members().values()) {
            if (holdsSensitive(m.shape(), seen)) {
                return true;
            }
        }
        return (shape.listMember() != null && holdsSensitive(shape.listMember().shape(), seen))
                || (shape.mapKey() != null && holdsSensitive(shape.mapKey().shape(), seen))
                || (shape.mapValue() != null && holdsSensitive(shape.mapValue().shape(), seen));
    }
}
