package io.openivs.server.live;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * The events of one stream session as GetStreamSession's {@code truncatedEvents} lists them
 * (Amazon IVS API Reference, "StreamSession" and "StreamEvent"): newest first, at most 500, each {name, type, eventTime}. Any thread.
 */
final class SessionEvents {
    static final int MAX = 500;

    private final ArrayDeque<ObjectNode> newestFirst = new ArrayDeque<>();

    /** @param type the EventBridge detail-type of the event */
    synchronized void add(String name, String type, Instant time) {
        ObjectNode e = io.openivs.server.resource.Json.object();
        e.put("name", name);
        e.put("type", type);
        e.put("eventTime", time.toString());
        newestFirst.addFirst(e);
        if (newestFirst.size() > MAX) {
            newestFirst.removeLast();
        }
    }

    synchronized void writeTo(ArrayNode out) {
        newestFirst.forEach(e -> out.add(e.deepCopy()));
    }
}
