package io.openivs.model.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.openivs.model.Member;
import io.openivs.model.Shape;
import io.openivs.model.ShapeType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Checks request values against the model's constraints and words the problems the way AWS services do
 * ({@code Value 'x' at 'name' failed to satisfy constraint: Member must ...}).
 *
 * <p>Paths: structure members are joined with dots ({@code destinationConfiguration.s3.bucketName}); list
 * elements use AWS's 1-based form {@code arns.2.member}; map entries are {@code tags.key} for a key and
 * {@code tags.value} for a value (the echoed value tells which entry).
 *
 * <p>Patterns must match the whole value ({@link java.util.regex.Matcher#matches()}), as real AWS validation
 * does: e.g. DynamoDB rejects the table name {@code "a"} (with quotes) against {@code [a-zA-Z0-9_.-]+} and IAM
 * rejects tag values containing commas against {@code [\p{L}\p{Z}\p{N}_.:/=+\-@]*}, both of which a
 * {@code find()} would accept (error texts quoted in aws/aws-cli#790 and SWO-GS/auto-tag#90). Most patterns of
 * this model carry no anchors, so {@code find()} would let {@code [a-zA-Z0-9-_]*} accept any channel name;
 * the few {@code ^...$} anchors are harmless under full matching.
 *
 * <p>Values of sensitive shapes are shown as {@code ***}. Unknown members are ignored, as AWS does.
 */
public final class Validator {

    /** AWS lists at most this many problems; so do we, and we stop looking after that. */
    static final int MAX_PROBLEMS = 10;

    private static final String NOT_NULL = "Member must not be null";

    private Validator() {}

    /**
     * Validates a JSON value against a STRUCTURE shape (members from body, path and query already merged into
     * one ObjectNode by wire name). Returns problems in AWS's message form; empty list when valid.
     *
     * @param value the merged request object; null, JSON null or a missing node count as an empty object
     * @throws IllegalArgumentException if {@code structure} is not a STRUCTURE or {@code value} is not an object
     *                                  (a body that is not a JSON object is a serialization error, not ours)
     */
    public static List<String> validate(Shape structure, JsonNode value) {
        Objects.requireNonNull(structure, "structure");
        if (structure.type() != ShapeType.STRUCTURE) {
            throw new IllegalArgumentException(structure + " is not a structure");
        }
        JsonNode object = value == null || value.isNull() || value.isMissingNode() ? null : value;
        if (object != null && !object.isObject()) {
            throw new IllegalArgumentException(
                    "Expected a JSON object for " + structure.name() + ", got " + object.getNodeType());
        }
        // A first pass that neither builds paths nor messages: valid input, the common case, costs no garbage.
        if (members(structure, object, null, null)) {
            return List.of();
        }
        List<String> problems = new ArrayList<>(4);
        members(structure, object, null, problems);
        return Collections.unmodifiableList(problems);
    }

    /**
     * Joins the problems into the exact ValidationException message AWS services send, e.g. "1 validation error
     * detected: Value 'x' at 'name' failed to satisfy constraint: Member must satisfy regular expression
     * pattern: [a-zA-Z0-9-_]*".
     *
     * @throws IllegalArgumentException if there are no problems (there is then no ValidationException to send)
     */
    public static String message(List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("No validation problems to report");
        }
        int n = problems.size();
        StringBuilder sb = new StringBuilder(64 + 128 * n)
                .append(n)
                .append(n == 1 ? " validation error detected: " : " validation errors detected: ");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append("; ");
            }
            sb.append(problems.get(i));
        }
        return sb.toString();
    }

    /*
     * Every check below works in two modes. With out == null (first pass) path is null too, and a check
     * returns false at the first problem. With a list it records the problem under its path and returns
     * false only once MAX_PROBLEMS are recorded. Either way false means "stop".
     */

    private static boolean members(Shape shape, JsonNode object, String path, List<String> out) {
        for (Member member : shape.members().values()) {
            JsonNode v = object == null ? null : object.get(member.wireName());
            if (v == null || v.isNull()) {
                if (member.required() && !addNull(out, child(path, member.name(), out))) {
                    return false;
                }
            } else if (!value(member.shape(), v, child(path, member.name(), out), out)) {
                return false;
            }
        }
        return true;
    }

    private static boolean value(Shape shape, JsonNode node, String path, List<String> out) {
        switch (shape.type()) {
            case STRING:
                return node.isTextual()
                        ? text(shape, node.textValue(), path, out)
                        : addNode(out, node, shape, path, "Member must be a string");
            case BLOB:
                return node.isTextual() || addNode(out, node, shape, path, "Member must be a base64-encoded string");
            case INTEGER:
                return node.isIntegralNumber() && node.canConvertToInt()
                        ? range(shape, node.longValue(), node, path, out)
                        : addNode(out, node, shape, path, "Member must be an integer");
            case LONG:
                return node.isIntegralNumber() && node.canConvertToLong()
                        ? range(shape, node.longValue(), node, path, out)
                        : addNode(out, node, shape, path, "Member must be an integer");
            case DOUBLE:
            case FLOAT:
                return node.isNumber()
                        ? range(shape, node.doubleValue(), node, path, out)
                        : addNode(out, node, shape, path, "Member must be a number");
            case BOOLEAN:
                return node.isBoolean() || addNode(out, node, shape, path, "Member must be a boolean");
            case TIMESTAMP:
                // Epoch seconds or a formatted string; parsing them is the protocol layer's job.
                return node.isNumber()
                        || node.isTextual()
                        || addNode(out, node, shape, path, "Member must be a timestamp");
            case LIST:
                return list(shape, node, path, out);
            case MAP:
                return map(shape, node, path, out);
            case STRUCTURE:
                return node.isObject()
                        ? members(shape, node, path, out)
                        : addNode(out, node, shape, path, "Member must be an object");
            default:
                throw new IllegalStateException("Unhandled shape type " + shape.type());
        }
    }

    private static boolean text(Shape shape, String s, String path, List<String> out) {
        Long min = shape.min();
        Long max = shape.max();
        int chars = s.length();
        // A string has at most as many code points as chars, so counting is needed only near the bounds.
        if (min != null
                && (chars < min || s.codePointCount(0, chars) < min)
                && !addText(out, s, shape, path, "Member must have length greater than or equal to " + min)) {
            return false;
        }
        if (max != null
                && chars > max
                && s.codePointCount(0, chars) > max
                && !addText(out, s, shape, path, "Member must have length less than or equal to " + max)) {
            return false;
        }
        Pattern pattern = shape.pattern();
        if (pattern != null
                && !pattern.matcher(s).matches()
                && !addText(
                        out, s, shape, path, "Member must satisfy regular expression pattern: " + pattern.pattern())) {
            return false;
        }
        List<String> allowed = shape.enumValues();
        return allowed.isEmpty()
                || allowed.contains(s)
                || addText(out, s, shape, path, "Member must satisfy enum value set: " + allowed);
    }

    private static boolean range(Shape shape, long v, JsonNode node, String path, List<String> out) {
        Long min = shape.min();
        Long max = shape.max();
        if (min != null
                && v < min
                && !addNode(out, node, shape, path, "Member must have value greater than or equal to " + min)) {
            return false;
        }
        return max == null
                || v <= max
                || addNode(out, node, shape, path, "Member must have value less than or equal to " + max);
    }

    private static boolean range(Shape shape, double v, JsonNode node, String path, List<String> out) {
        Long min = shape.min();
        Long max = shape.max();
        if (min != null
                && v < min
                && !addNode(out, node, shape, path, "Member must have value greater than or equal to " + min)) {
            return false;
        }
        return max == null
                || v <= max
                || addNode(out, node, shape, path, "Member must have value less than or equal to " + max);
    }

    /** Size bounds of lists and maps; AWS words them as lengths too. */
    private static boolean size(Shape shape, int size, JsonNode node, String path, List<String> out) {
        Long min = shape.min();
        Long max = shape.max();
        if (min != null
                && size < min
                && !addNode(out, node, shape, path, "Member must have length greater than or equal to " + min)) {
            return false;
        }
        return max == null
                || size <= max
                || addNode(out, node, shape, path, "Member must have length less than or equal to " + max);
    }

    private static boolean list(Shape shape, JsonNode node, String path, List<String> out) {
        if (!node.isArray()) {
            return addNode(out, node, shape, path, "Member must be a list");
        }
        int size = node.size();
        if (!size(shape, size, node, path, out)) {
            return false;
        }
        Shape element = shape.listMember().shape();
        for (int i = 0; i < size; i++) {
            JsonNode e = node.get(i);
            String elementPath = out == null ? null : path + "." + (i + 1) + ".member";
            if (e.isNull() ? !addNull(out, elementPath) : !value(element, e, elementPath, out)) {
                return false;
            }
        }
        return true;
    }

    private static boolean map(Shape shape, JsonNode node, String path, List<String> out) {
        if (!node.isObject()) {
            return addNode(out, node, shape, path, "Member must be an object");
        }
        if (!size(shape, node.size(), node, path, out)) {
            return false;
        }
        Shape keyShape = shape.mapKey().shape();
        Shape valueShape = shape.mapValue().shape();
        // JSON keys are always strings; a non-string key shape would have nothing to check.
        boolean checkKeys = keyShape.type() == ShapeType.STRING;
        String keyPath = out == null ? null : path + ".key";
        String valuePath = out == null ? null : path + ".value";
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (checkKeys && !text(keyShape, entry.getKey(), keyPath, out)) {
                return false;
            }
            JsonNode v = entry.getValue();
            if (v.isNull() ? !addNull(out, valuePath) : !value(valueShape, v, valuePath, out)) {
                return false;
            }
        }
        return true;
    }

    private static String child(String path, String name, List<String> out) {
        if (out == null) {
            return null;
        }
        return path == null ? name : path + "." + name;
    }

    private static boolean addNull(List<String> out, String path) {
        return out != null && add(out, "Value null at '", path, NOT_NULL);
    }

    private static boolean addText(List<String> out, String s, Shape shape, String path, String constraint) {
        return out != null && add(out, "Value '" + (shape.isSensitive() ? Echo.MASK : s) + "' at '", path, constraint);
    }

    private static boolean addNode(List<String> out, JsonNode node, Shape shape, String path, String constraint) {
        return out != null && add(out, "Value '" + Echo.of(node, shape) + "' at '", path, constraint);
    }

    private static boolean add(List<String> out, String valuePart, String path, String constraint) {
        out.add(valuePart + path + "' failed to satisfy constraint: " + constraint);
        return out.size() < MAX_PROBLEMS;
    }
}
