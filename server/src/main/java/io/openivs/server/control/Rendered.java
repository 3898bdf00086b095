package io.openivs.server.control;

import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.openivs.server.resource.Json;
import io.openivs.server.store.StoredResource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The JSON that answers show of a stored resource (its full form or a summary), written once and reused
 * while the stored row is unchanged, so a read does not parse, copy and serialise the document again.
 *
 * <p>Keyed by ARN and checked against the row's creation time and version: every change of a document bumps its
 * version in the same statement ({@code ResourceStore.Tx#update}), and a re-created ARN has a new creation time,
 * so a row changed by any node, PostgreSQL included, renders afresh. The rendering must depend on nothing else
 * that changes.
 */
final class Rendered {
    /** A backstop: past it the map starts over. */
    private static final int MAX_ENTRIES = 50_000;

    private final Function<ObjectNode, JsonNode> render;
    private final ConcurrentHashMap<String, Entry> byArn = new ConcurrentHashMap<>();

    private record Entry(long created, long version, JsonNode json) {}

    /** @param render builds the answer's JSON from a freshly parsed document it may change */
    Rendered(Function<ObjectNode, JsonNode> render) {
        this.render = render;
    }

    /** The rendered resource as a node that is written verbatim into a response; never modify it. */
    JsonNode of(StoredResource r) {
        Entry e = byArn.get(r.arn());
        if (e != null && e.version == r.version() && e.created == r.created()) {
            return e.json;
        }
        // SerializedString keeps its UTF-8 bytes once encoded, so later answers copy bytes.
        String text = Json.write(render.apply(ControlContext.doc(r)));
        JsonNode json = Json.NODES.rawValueNode(new RawValue(new SerializedString(text)));
        if (byArn.size() >= MAX_ENTRIES) {
            byArn.clear();
        }
        byArn.put(r.arn(), new Entry(r.created(), r.version(), json));
        return json;
    }
}
