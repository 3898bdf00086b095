package io.openivs.server.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.events.EventBus;
import io.openivs.server.events.IvsEvent;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.Json;
import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StreamSessionRow;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions their node left behind. At start, before any publisher is admitted: those a previous run of
 * this node left open (it was killed) are ended at their last heartbeat, and their owed Session Ended and
 * Stream End events are sent, so the channel is free at once instead of after the stale period. On every
 * node's housekeeping: those of a node that died, likewise. And whether a new session continues one
 * another node served.
 */
final class OrphanedSessions {
    private static final Logger log = LoggerFactory.getLogger(OrphanedSessions.class);

    private OrphanedSessions() {}

    /** @return how many sessions were ended */
    static int end(ResourceStore store, String node, EventBus events) {
        int ended = endAll(store, store.read(tx -> tx.openSessionsOf(node)), events);
        if (ended > 0) {
            log.info("ended {} stream session(s) this node left open when it stopped", ended);
        }
        return ended;
    }

    /**
     * Ends each of {@code open} at its last heartbeat and sends its owed events, unless another node (or
     * another sweep) ended it first: the row is written before the events, so each is sent once.
     */
    static int endAll(ResourceStore store, List<StreamSessionRow> open, EventBus events) {
        int ended = 0;
        for (StreamSessionRow row : open) {
            ObjectNode doc = Json.parseObject(row.doc());
            List<IvsEvent> owed = owedEvents(row, doc);
            ArrayNode truncated = doc.withArray("truncatedEvents");
            for (IvsEvent e : owed) { // newest first, as SessionEvents lists them
                ObjectNode entry = Json.object();
                entry.put("name", e.eventName());
                entry.put("type", e.detailType());
                entry.put("eventTime", e.time().toString());
                truncated.insert(0, entry);
            }
            doc.put("health", StreamHealth.UNKNOWN);
            doc.put("viewerCount", 0);
            String written = Json.write(doc);
            boolean mine = store.write(tx -> tx.endSession(row.streamId(), row.heartbeat(), row.hasError(), written));
            if (mine) {
                owed.forEach(events::publish);
                ended++;
            }
        }
        return ended;
    }

    /**
     * Housekeeping: ends the sessions whose node showed no heartbeat since {@code staleBefore}, with their
     * owed events, except those {@code heldHere} (this node's own, whose heartbeats failed: they send their
     * events themselves when they stop). Cues left for dead streams go too.
     */
    static int endStale(ResourceStore store, EventBus events, long staleBefore, Predicate<String> heldHere) {
        List<StreamSessionRow> stale = new ArrayList<>(store.read(tx -> tx.staleSessions(staleBefore)));
        stale.removeIf(row -> heldHere.test(row.streamId()));
        int ended = endAll(store, stale, events);
        // The rest (this node's, or gone stale since the read) end without events.
        return ended + store.write(tx -> tx.endStaleSessions(staleBefore));
    }

    /**
     * Whether {@code previous}, a channel's last session, was another node's and went away within
     * {@code windowMs} with media flowing: its viewers, sent to this node by a load balancer under the same
     * playback URL, then see the new stream as its continuation. A node that died leaves its row open (until
     * housekeeping ends it at its last heartbeat), so the last heartbeat stands for the end.
     */
    static boolean droppedElsewhere(StreamSessionRow previous, String node, long now, long windowMs) {
        if (node.equals(previous.node())) {
            return false; // this node's own: continued from its parked playlist, if any
        }
        long end = previous.endTime() != null ? previous.endTime() : previous.heartbeat();
        return now - end <= windowMs && hadMedia(Json.parseObject(previous.doc()));
    }

    private static boolean hadMedia(ObjectNode doc) {
        for (JsonNode e : doc.path("truncatedEvents")) {
            if ("Stream Start".equals(e.path("name").asText())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Session Ended, and Stream End when media came (its Stream Start is in the document), timed at the
     * last heartbeat. Their ids are derived from the stream id, so a receiver can recognise a repeat.
     */
    private static List<IvsEvent> owedEvents(StreamSessionRow row, ObjectNode doc) {
        boolean hadMedia = hadMedia(doc);
        Arn arn = Arn.parse(row.channelArn());
        String channelName = doc.path("channel").path("name").asText("");
        Instant at = Instant.ofEpochMilli(row.heartbeat());
        List<IvsEvent> out = new ArrayList<>(2);
        for (String name : hadMedia ? List.of("Session Ended", "Stream End") : List.of("Session Ended")) {
            IvsEvent e = IvsEvent.streamState(
                    name, arn.account(), arn.region(), row.channelArn(), channelName, row.streamId(), at);
            String id = UUID.nameUUIDFromBytes((row.streamId() + "/" + name).getBytes(StandardCharsets.UTF_8))
                    .toString();
            out.add(new IvsEvent(id, e.detailType(), e.account(), e.region(), e.time(), e.resources(), e.detail()));
        }
        return out;
    }
}
