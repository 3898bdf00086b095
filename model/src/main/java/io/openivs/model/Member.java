package io.openivs.model;

/**
 * A member of a structure, or the element / key / value of a list or map (named "member", "key", "value").
 *
 * @param location     where the member travels in a request: "uri", "querystring", "header", or null for the JSON body
 * @param locationName the name on the wire when it differs from {@code name}; null if the model gives none
 * @param required     whether the enclosing structure lists this member as required
 */
public record Member(String name, Shape shape, String location, String locationName, boolean required) {

    /** The key under which the member appears on the wire (path label, query parameter, header or JSON key). */
    public String wireName() {
        return locationName != null ? locationName : name;
    }

    // Shapes can be recursive; print the shape by name only.
    @Override
    public String toString() {
        return "Member[" + name + ": " + shape.name()
                + (location != null ? ", " + location + " " + wireName() : "")
                + (required ? ", required" : "") + "]";
    }
}
