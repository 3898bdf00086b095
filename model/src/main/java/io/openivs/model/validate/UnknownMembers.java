package io.openivs.model.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.model.Member;
import io.openivs.model.Shape;
import java.util.Iterator;
import java.util.Map;

/**
 * Drops members a shape does not model, at every depth, from a request that passed validation. AWS ignores
 * them; storing them would echo whatever a client put there (a large junk member inside a nested structure
 * came back from every later Get) and let it outlive the request.
 */
public final class UnknownMembers {
    private UnknownMembers() {}

    /** Removes, in place, every member of {@code value} and its descendants that {@code shape} does not model. */
    public static void drop(Shape shape, JsonNode value) {
        if (value == null || shape == null) {
            return;
        }
        switch (shape.type()) {
            case STRUCTURE -> {
                if (value instanceof ObjectNode object) {
                    structure(shape, object);
                }
            }
            case LIST -> {
                if (value instanceof ArrayNode array) {
                    Shape element = shape.listMember().shape();
                    for (JsonNode e : array) {
                        drop(element, e);
                    }
                }
            }
            case MAP -> {
                if (value instanceof ObjectNode object) {
                    Shape v = shape.mapValue().shape();
                    for (JsonNode e : object) {
                        drop(v, e);
                    }
                }
            }
            default -> {
                // scalars have no members
            }
        }
    }

    private static void structure(Shape shape, ObjectNode object) {
        Map<String, Member> members = shape.members();
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            Member m = member(members, f.getKey());
            if (m == null) {
                fields.remove();
            } else {
                drop(m.shape(), f.getValue());
            }
        }
    }

    private static Member member(Map<String, Member> members, String wireName) {
        Member byName = members.get(wireName);
        if (byName != null && byName.wireName().equals(wireName)) {
            return byName;
        }
        for (Member m : members.values()) {
            if (m.wireName().equals(wireName)) {
                return m;
            }
        }
        return null;
    }
}
