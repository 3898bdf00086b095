package io.openivs.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A named shape of the service model with its constraints. Immutable once the model is loaded.
 *
 * <p>Shapes refer to each other (possibly in cycles), so the loader creates every shape first and
 * links members in a second pass; the links are set exactly once, before the model is published.
 */
public final class Shape {

    private final String name;
    private final ShapeType type;
    private final Set<String> required;
    private final Long min;
    private final Long max;
    private final Pattern pattern;
    private final List<String> enumValues;
    private final boolean error;
    private final int httpStatus;
    private final String errorCode;
    private final boolean sensitive;

    // Set once by link(); see class comment.
    private Map<String, Member> members = Map.of();
    private Member listMember;
    private Member mapKey;
    private Member mapValue;
    private boolean linked;

    Shape(
            String name,
            ShapeType type,
            Set<String> required,
            Long min,
            Long max,
            Pattern pattern,
            List<String> enumValues,
            boolean error,
            int httpStatus,
            String errorCode,
            boolean sensitive) {
        this.name = name;
        this.type = type;
        this.required = Set.copyOf(required);
        this.min = min;
        this.max = max;
        this.pattern = pattern;
        this.enumValues = List.copyOf(enumValues);
        this.error = error;
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
        this.sensitive = sensitive;
    }

    void link(LinkedHashMap<String, Member> structureMembers, Member listMember, Member mapKey, Member mapValue) {
        if (linked) {
            throw new IllegalStateException("Shape " + name + " is already linked");
        }
        linked = true;
        this.members = Collections.unmodifiableMap(structureMembers);
        this.listMember = listMember;
        this.mapKey = mapKey;
        this.mapValue = mapValue;
    }

    public String name() {
        return name;
    }

    public ShapeType type() {
        return type;
    }

    /** Structure members in declaration order; empty for other types. */
    public Map<String, Member> members() {
        return members;
    }

    /** The structure member with this (model, not wire) name, or null. */
    public Member member(String name) {
        return members.get(name);
    }

    /** Names of the required structure members. */
    public Set<String> required() {
        return required;
    }

    /** Minimum length (strings in code points, lists and maps in entries) or value (numbers); null if none. */
    public Long min() {
        return min;
    }

    /** Maximum length or value, as for {@link #min()}; null if none. */
    public Long max() {
        return max;
    }

    /** The compiled pattern, or null. {@link Pattern#pattern()} is the text AWS quotes in its messages. */
    public Pattern pattern() {
        return pattern;
    }

    /** The allowed values of an enum string, in model order; empty when not an enum. */
    public List<String> enumValues() {
        return enumValues;
    }

    /** The element of a LIST shape; null for other types. */
    public Member listMember() {
        return listMember;
    }

    /** The key of a MAP shape; null for other types. */
    public Member mapKey() {
        return mapKey;
    }

    /** The value of a MAP shape; null for other types. */
    public Member mapValue() {
        return mapValue;
    }

    /** True for error (exception) shapes. */
    public boolean isError() {
        return error;
    }

    /** The HTTP status an error shape is sent with; 0 for shapes that are not errors. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The error code clients see (x-amzn-ErrorType); null for shapes that are not errors. */
    public String errorCode() {
        return errorCode;
    }

    /** True when values of this shape must never be echoed (messages, logs). */
    public boolean isSensitive() {
        return sensitive;
    }

    @Override
    public String toString() {
        return "Shape[" + name + ": " + type + "]";
    }
}
