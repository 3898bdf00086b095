package io.openivs.server.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.api.ApiException;
import io.openivs.server.api.Call;
import io.openivs.server.api.OperationHandler;
import io.openivs.server.control.spi.Cues;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.ChannelSettings;
import io.openivs.server.resource.Ids;
import io.openivs.server.resource.Json;
import io.openivs.server.resource.StreamSessions;
import io.openivs.server.store.StreamSessionRow;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operations that depend on live streams: GetStream, ListStreams,
 * StopStream, PutMetadata, InsertAdBreak, GetStreamSession and
 * ListStreamSessions. Their truth is the stream_sessions table, which the
 * node owning each publisher keeps current, so any node can answer.
 */
final class Streams {
    static final int METADATA_MAX_BYTES = 1024;

    private final ControlContext cx;
    private final Channels channels;
    private final TokenBuckets metadataRate;
    private final TokenBuckets accountMetadataRate;

    Streams(ControlContext cx, Channels channels) {
        this.cx = cx;
        this.channels = channels;
        int perChannel = cx.config.quotas().putMetadataPerChannel();
        int perAccount = cx.config.quotas().putMetadataPerAccount();
        this.metadataRate = new TokenBuckets(perChannel, perChannel);
        this.accountMetadataRate = new TokenBuckets(perAccount, perAccount);
    }

    void register(Map<String, OperationHandler> ops) {
        ops.put("GetStream", this::get);
        ops.put("ListStreams", this::list);
        ops.put("StopStream", this::stop);
        ops.put("PutMetadata", this::putMetadata);
        ops.put("InsertAdBreak", this::insertAdBreak);
        ops.put("GetStreamSession", this::getSession);
        ops.put("ListStreamSessions", this::listSessions);
    }

    private long freshSince() {
        return cx.now() - StreamSessions.STALE_MS;
    }

    /** The channel's live session; ResourceNotFound for no channel, ChannelNotBroadcasting when offline. */
    private StreamSessionRow live(Call call, String channelArn) {
        return cx.store
                .read(tx -> {
                    cx.require(tx, call, channelArn, Arn.CHANNEL);
                    return tx.liveSession(channelArn, freshSince());
                })
                .orElseThrow(ApiException::notBroadcasting);
    }

    private ObjectNode summary(StreamSessionRow s, boolean withUrl) {
        ObjectNode doc = Json.parseObject(s.doc());
        ObjectNode st = Json.object();
        st.put("channelArn", s.channelArn());
        st.put("streamId", s.streamId());
        if (withUrl) {
            st.put("playbackUrl", channels.playbackUrl(Arn.parse(s.channelArn())));
        }
        st.put("startTime", ControlContext.iso(s.startTime()));
        st.put("state", "LIVE");
        st.put("health", doc.path(StreamSessions.HEALTH).asText("UNKNOWN"));
        // The owner's own viewers plus those other nodes relay the stream to (edges report theirs to the store).
        long edges = cx.store.soleWriter() ? 0 : cx.store.read(tx -> tx.edgeViewers(s.streamId(), freshSince()));
        st.put("viewerCount", doc.path(StreamSessions.VIEWER_COUNT).asLong(0) + edges);
        return st;
    }

    private ObjectNode get(Call call, ObjectNode in) {
        ObjectNode out = Json.object();
        out.set("stream", summary(live(call, in.get("channelArn").asText()), true));
        return out;
    }

    private ObjectNode list(Call call, ObjectNode in) {
        String health = in.path("filterBy").path("health").asText(null);
        String scope = "ListStreams:" + (health == null ? "" : health);
        String[] pos = Pages.decode(ControlContext.text(in, "nextToken", null), scope);
        int max = Pages.maxResults(in, 100);
        List<StreamSessionRow> live = cx.store.read(tx -> tx.liveSessions(call.account(), call.region(), freshSince()));
        List<ObjectNode> items = new ArrayList<>();
        String nextToken = null;
        StreamSessionRow lastTaken = null;
        for (StreamSessionRow s : live) {
            if (pos != null) {
                long start = Long.parseLong(pos[0]);
                if (s.startTime() < start
                        || (s.startTime() == start && s.streamId().compareTo(pos[1]) <= 0)) {
                    continue;
                }
            }
            ObjectNode sum = summary(s, false);
            if (health != null && !health.equals(sum.get("health").asText())) {
                continue;
            }
            if (items.size() == max) {
                nextToken = Pages.encode(scope, Long.toString(lastTaken.startTime()), lastTaken.streamId());
                break;
            }
            items.add(sum);
            lastTaken = s;
        }
        ObjectNode out = Json.object();
        out.putArray("streams").addAll(items);
        if (nextToken != null) {
            out.put("nextToken", nextToken);
        }
        return out;
    }

    private ObjectNode stop(Call call, ObjectNode in) {
        StreamSessionRow s = live(call, in.get("channelArn").asText());
        cx.store.write(tx -> tx.requestStop(s.streamId()));
        cx.live.stopRequested(s.streamId());
        return null;
    }

    private ObjectNode putMetadata(Call call, ObjectNode in) {
        String channelArn = in.get("channelArn").asText();
        String metadata = in.get("metadata").asText();
        if (metadata.getBytes(StandardCharsets.UTF_8).length > METADATA_MAX_BYTES) {
            throw ApiException.validation("metadata must be at most " + METADATA_MAX_BYTES + " bytes.");
        }
        StreamSessionRow s = live(call, channelArn);
        long now = System.nanoTime();
        if (!metadataRate.tryTake(channelArn, now)) {
            throw ApiException.throttled("PutMetadata is limited to "
                    + cx.config.quotas().putMetadataPerChannel() + " requests per second per channel.");
        }
        if (!accountMetadataRate.tryTake(call.account() + "/" + call.region(), now)) {
            throw ApiException.throttled("PutMetadata is limited to "
                    + cx.config.quotas().putMetadataPerAccount() + " requests per second per account.");
        }
        if (!cx.live.putMetadata(s.streamId(), metadata)) {
            // Owned by another node: it writes the metadata at its next heartbeat.
            cx.store.write(tx -> {
                tx.addCue(Cues.metadata(s.streamId(), metadata, cx.now()));
                return null;
            });
        }
        return null;
    }

    private ObjectNode insertAdBreak(Call call, ObjectNode in) {
        String channelArn = in.get("channelArn").asText();
        int duration = in.get("durationSeconds").asInt();
        ChannelSettings channel = ChannelSettings.parse(cx.store
                .read(tx -> cx.require(tx, call, channelArn, Arn.CHANNEL))
                .doc());
        if (channel.adConfigurationArn().isEmpty()) {
            throw ApiException.validation("The channel has no ad configuration; set adConfigurationArn first.");
        }
        StreamSessionRow s = live(call, channelArn);
        long now = cx.now();
        if (!cx.store.write(tx -> tx.beginAdBreak(s.streamId(), now, now + duration * 1000L))) {
            throw ApiException.conflict("The previous ad break of this stream is still running.");
        }
        String adBreakId = Ids.alnum(12);
        if (!cx.live.insertAdBreak(s.streamId(), adBreakId, duration)) {
            cx.store.write(tx -> {
                tx.addCue(Cues.adBreak(s.streamId(), adBreakId, duration, now));
                return null;
            });
        }
        ObjectNode out = Json.object();
        out.put("adBreakId", adBreakId);
        return out;
    }

    private ObjectNode getSession(Call call, ObjectNode in) {
        String channelArn = in.get("channelArn").asText();
        String streamId = ControlContext.text(in, "streamId", null);
        Optional<StreamSessionRow> row = cx.store.read(tx -> {
            cx.require(tx, call, channelArn, Arn.CHANNEL);
            if (streamId != null) {
                return tx.session(channelArn, streamId);
            }
            return tx.sessions(channelArn, null, null, 1).stream().findFirst();
        });
        StreamSessionRow s = row.orElseThrow(() -> ApiException.notFound(
                streamId == null
                        ? "The channel has no stream sessions."
                        : "Stream session " + streamId + " not found."));
        ObjectNode doc = Json.parseObject(s.doc());
        ObjectNode session = Json.object();
        session.put("streamId", s.streamId());
        session.put("startTime", ControlContext.iso(s.startTime()));
        if (s.endTime() != null) {
            session.put("endTime", ControlContext.iso(s.endTime()));
        }
        for (String member : StreamSessions.SESSION_MEMBERS) {
            JsonNode v = doc.get(member);
            if (v != null && !v.isNull()) {
                session.set(member, member.equals(StreamSessions.CHANNEL) ? channels.present((ObjectNode) v) : v);
            }
        }
        if (!session.has(StreamSessions.TRUNCATED_EVENTS)) {
            session.putArray(StreamSessions.TRUNCATED_EVENTS);
        }
        ObjectNode out = Json.object();
        out.set("streamSession", session);
        return out;
    }

    private ObjectNode listSessions(Call call, ObjectNode in) {
        String channelArn = in.get("channelArn").asText();
        String scope = "ListStreamSessions:" + channelArn;
        String[] pos = Pages.decode(ControlContext.text(in, "nextToken", null), scope);
        int max = Pages.maxResults(in, 100);
        Long beforeStart;
        try {
            beforeStart = pos == null ? null : Long.parseLong(pos[0]);
        } catch (NumberFormatException e) {
            throw Pages.invalid();
        }
        List<StreamSessionRow> rows = cx.store.read(tx -> {
            cx.require(tx, call, channelArn, Arn.CHANNEL);
            return tx.sessions(channelArn, beforeStart, pos == null ? null : pos[1], max + 1);
        });
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("streamSessions");
        for (int i = 0; i < Math.min(max, rows.size()); i++) {
            StreamSessionRow s = rows.get(i);
            ObjectNode sum = arr.addObject();
            sum.put("streamId", s.streamId());
            sum.put("startTime", ControlContext.iso(s.startTime()));
            if (s.endTime() != null) {
                sum.put("endTime", ControlContext.iso(s.endTime()));
            }
            sum.put("hasErrorEvent", s.hasError());
        }
        if (rows.size() > max) {
            StreamSessionRow last = rows.get(max - 1);
            out.put("nextToken", Pages.encode(scope, Long.toString(last.startTime()), last.streamId()));
        }
        return out;
    }
}
