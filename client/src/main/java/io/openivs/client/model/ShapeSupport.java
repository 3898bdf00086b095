package io.openivs.client.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What the generated shapes share: immutable copies of collections and the conversions between member
 * values and JSON. Kept by hand so the generator emits calls, not bodies.
 */
final class ShapeSupport {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final String MASK = "***";

    private ShapeSupport() {}

    // ---- immutable copies (null stays null: an omitted member is not an empty one)

    static <T> List<T> copyList(Collection<? extends T> values, String member) {
        if (values == null) {
            return null;
        }
        for (T v : values) {
            Objects.requireNonNull(v, () -> "null element in " + member);
        }
        return List.copyOf(values);
    }

    static <T> Map<String, T> copyMap(Map<String, ? extends T> values, String member) {
        if (values == null) {
            return null;
        }
        // Insertion order kept: users read their tags back in the order they wrote them.
        LinkedHashMap<String, T> copy = new LinkedHashMap<>(values.size() * 2);
        values.forEach((k, v) -> copy.put(
                Objects.requireNonNull(k, () -> "null key in " + member),
                Objects.requireNonNull(v, () -> "null value in " + member)));
        return Collections.unmodifiableMap(copy);
    }

    /** The wire value of an enum constant; the fallback constant has none and cannot be sent. */
    static String wireValue(String value, Enum<?> constant) {
        if (value == null) {
            throw new IllegalArgumentException(constant.getDeclaringClass().getSimpleName() + "." + constant.name()
                    + " stands for a value this client does not know and cannot be sent; pass the string instead");
        }
        return value;
    }

    static <E> List<E> enumList(List<String> values, Function<String, E> fromValue) {
        if (values == null) {
            return null;
        }
        List<E> out = new ArrayList<>(values.size());
        for (String v : values) {
            out.add(fromValue.apply(v));
        }
        return Collections.unmodifiableList(out);
    }

    static <E extends Enum<E>> List<String> enumValues(
            Collection<E> constants, Function<E, String> value, String member) {
        if (constants == null) {
            return null;
        }
        List<String> out = new ArrayList<>(constants.size());
        for (E e : constants) {
            Objects.requireNonNull(e, () -> "null element in " + member);
            out.add(wireValue(value.apply(e), e));
        }
        return Collections.unmodifiableList(out);
    }

    // ---- JSON -> values

    /** @throws IllegalArgumentException if the node is not a JSON object */
    static JsonNode requireObject(JsonNode json, String shape) {
        if (!json.isObject()) {
            throw new IllegalArgumentException("Expected a JSON object for " + shape + ", got " + json.getNodeType());
        }
        return json;
    }

    /** The member's node, or null when absent or JSON null (both mean "omitted"). */
    static JsonNode member(JsonNode object, String wireName) {
        JsonNode v = object.get(wireName);
        return v == null || v.isNull() ? null : v;
    }

    static String string(JsonNode v) {
        return v.isTextual() ? v.textValue() : v.asText();
    }

    static Integer integer(JsonNode v) {
        return v.isNumber() ? v.intValue() : Integer.valueOf(v.asText().trim());
    }

    static Long longValue(JsonNode v) {
        return v.isNumber() ? v.longValue() : Long.valueOf(v.asText().trim());
    }

    static Double doubleValue(JsonNode v) {
        return v.isNumber() ? v.doubleValue() : Double.valueOf(v.asText().trim());
    }

    static Float floatValue(JsonNode v) {
        return v.isNumber() ? v.floatValue() : Float.valueOf(v.asText().trim());
    }

    static Boolean bool(JsonNode v) {
        return v.isBoolean() ? v.booleanValue() : Boolean.valueOf(v.asText().trim());
    }

    /**
     * Accepts the ISO-8601 strings IVS sends (with Z or an offset), epoch seconds (what other AWS
     * protocols use) and the RFC 1123 dates of HTTP headers.
     */
    static Instant instant(JsonNode v) {
        if (v.isNumber()) {
            BigDecimal seconds = v.decimalValue();
            return Instant.ofEpochSecond(
                    seconds.longValue(),
                    seconds.remainder(BigDecimal.ONE).movePointRight(9).intValue());
        }
        String s = v.asText().trim();
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException notIso) {
            try {
                return ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
            } catch (DateTimeParseException notHttpDate) {
                throw new IllegalArgumentException("Not a timestamp: " + s, notIso);
            }
        }
    }

    static <T> List<T> list(JsonNode v, Function<JsonNode, T> element) {
        if (!v.isArray()) {
            throw new IllegalArgumentException("Expected a JSON array, got " + v.getNodeType());
        }
        List<T> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            if (!e.isNull()) {
                out.add(element.apply(e));
            }
        }
        return Collections.unmodifiableList(out);
    }

    static <T> Map<String, T> map(JsonNode v, Function<JsonNode, T> value) {
        requireObject(v, "a map");
        LinkedHashMap<String, T> out = new LinkedHashMap<>(v.size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNull()) {
                out.put(e.getKey(), value.apply(e.getValue()));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    // ---- values -> JSON

    static JsonNode node(String v) {
        return NODES.textNode(v);
    }

    static JsonNode node(Integer v) {
        return NODES.numberNode(v);
    }

    static JsonNode node(Long v) {
        return NODES.numberNode(v);
    }

    static JsonNode node(Double v) {
        return NODES.numberNode(v);
    }

    static JsonNode node(Float v) {
        return NODES.numberNode(v);
    }

    static JsonNode node(Boolean v) {
        return NODES.booleanNode(v);
    }

    /** ISO-8601 in UTC, as IVS writes its timestamps. */
    static JsonNode node(Instant v) {
        return NODES.textNode(DateTimeFormatter.ISO_INSTANT.format(v));
    }

    static <T> ArrayNode array(List<T> values, Function<T, JsonNode> element) {
        ArrayNode out = NODES.arrayNode(values.size());
        for (T v : values) {
            out.add(element.apply(v));
        }
        return out;
    }

    static <T> ObjectNode object(Map<String, T> values, Function<T, JsonNode> value) {
        ObjectNode out = NODES.objectNode();
        values.forEach((k, v) -> out.set(k, value.apply(v)));
        return out;
    }

    /** Renders {@code Name{member=value, ...}}, leaving omitted members out and masking sensitive ones. */
    static final class Text {
        private final StringBuilder sb;
        private boolean first = true;

        Text(String shape) {
            sb = new StringBuilder(64).append(shape).append('{');
        }

        Text add(String member, Object value) {
            if (value != null) {
                (first ? sb : sb.append(", ")).append(member).append('=').append(value);
                first = false;
            }
            return this;
        }

        Text secret(String member, Object value) {
            return add(member, value == null ? null : MASK);
        }

        @Override
        public String toString() {
            return sb.append('}').toString();
        }
    }
}
