package io.openivs.server.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.api.ApiException;
import io.openivs.server.api.Call;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.Ids;
import io.openivs.server.resource.Json;
import io.openivs.server.api.OperationHandler;
import io.openivs.server.resource.StreamSessions;
import io.openivs.server.store.Cursor;
import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StoredResource;

import java.util.List;
import java.util.Map;

/** CreateChannel, GetChannel, BatchGetChannel, ListChannels, UpdateChannel, DeleteChannel. */
final class Channels {
    private static final List<String> FILTERS = List.of("filterByName", "filterByRecordingConfigurationArn",
            "filterByPlaybackRestrictionPolicyArn", "filterByAdConfigurationArn");
    private static final List<String> UPDATABLE = List.of("name", "latencyMode", "type", "authorized",
            "recordingConfigurationArn", "insecureIngest", "preset", "playbackRestrictionPolicyArn",
            "multitrackInputConfiguration", "containerFormat", "adConfigurationArn");

    private final ControlContext cx;
    private final StreamKeys keys;
    private final Rendered full = new Rendered(this::present);
    private final Rendered summary;

    Channels(ControlContext cx, StreamKeys keys) {
        this.cx = cx;
        this.keys = keys;
        this.summary = new Rendered(d -> cx.project("ChannelSummary", d));
    }

    void register(Map<String, OperationHandler> ops) {
        ops.put("CreateChannel", this::create);
        ops.put("GetChannel", OperationHandler.withMemoryAnswer(this::get, this::getFromMemory));
        ops.put("BatchGetChannel", this::batchGet);
        ops.put("ListChannels", this::list);
        ops.put("UpdateChannel", this::update);
        ops.put("DeleteChannel", this::delete);
    }

    /** The stored channel plus the members computed from this server's addresses. */
    ObjectNode present(ObjectNode stored) {
        ObjectNode c = stored.deepCopy();
        Arn arn = Arn.parse(c.get("arn").asText());
        c.put("ingestEndpoint", cx.config.ingestHost());
        c.put("playbackUrl", playbackUrl(arn));
        ObjectNode srt = c.withObjectProperty("srt");
        srt.put("endpoint", cx.config.ingestHost());
        return c;
    }

    String playbackUrl(Arn channel) {
        return cx.config.playbackBase() + "/api/video/v1/" + channel.region() + "." + channel.account()
                + ".channel." + channel.id() + ".m3u8";
    }

    private ObjectNode create(Call call, ObjectNode in) {
        ObjectNode ch = Json.object();
        ch.put("name", ControlContext.text(in, "name", ""));
        ch.put("latencyMode", ControlContext.text(in, "latencyMode", "LOW"));
        ch.put("type", ControlContext.text(in, "type", "STANDARD"));
        ch.put("authorized", in.path("authorized").asBoolean(false));
        ch.put("insecureIngest", in.path("insecureIngest").asBoolean(false));
        ch.put("preset", ControlContext.text(in, "preset", ""));
        ch.put("recordingConfigurationArn", ControlContext.text(in, "recordingConfigurationArn", ""));
        ch.put("playbackRestrictionPolicyArn", ControlContext.text(in, "playbackRestrictionPolicyArn", ""));
        ch.put("adConfigurationArn", ControlContext.text(in, "adConfigurationArn", ""));
        ch.put("containerFormat", ControlContext.text(in, "containerFormat", "TS"));
        ObjectNode mt = ch.putObject("multitrackInputConfiguration");
        mt.put("enabled", false);
        mt.put("maximumResolution", "FULL_HD");
        mt.put("policy", "ALLOW");
        if (in.get("multitrackInputConfiguration") instanceof ObjectNode given) {
            mt.setAll(given);
        }
        ch.putObject("srt").put("passphrase", Ids.alnum(79));
        ControlContext.checkTags(in.get("tags"), 0);
        ch.set("tags", ControlContext.tagsOrEmpty(in.get("tags")));
        normalisePreset(ch, in.has("preset") && !in.get("preset").asText().isEmpty());
        checkRules(ch);

        String channelId = Ids.resourceId();
        return cx.store.write(tx -> {
            checkReferences(tx, call, ch);
            if (tx.count(call.account(), call.region(), Arn.CHANNEL) >= cx.config.quotas().channels()) {
                throw ApiException.quota("The maximum number of channels (" + cx.config.quotas().channels()
                        + ") for this account and region has been reached.");
            }
            StoredResource stored = cx.newResource(call, Arn.CHANNEL, channelId, null, null, ch);
            tx.insert(stored);
            ObjectNode key = keys.createFor(tx, call, stored.arn(), null);
            ObjectNode out = Json.object();
            out.set("channel", present(ControlContext.doc(stored)));
            out.set("streamKey", key);
            return out;
        });
    }

    /** BASIC/STANDARD channels have no preset; ADVANCED ones default to HIGHER_BANDWIDTH_DELIVERY. */
    private static void normalisePreset(ObjectNode ch, boolean presetGiven) {
        boolean advanced = ch.get("type").asText().startsWith("ADVANCED");
        String preset = ch.get("preset").asText();
        if (!advanced && !preset.isEmpty()) {
            if (presetGiven) {
                throw ApiException.validation("A preset can be set only for ADVANCED_SD and ADVANCED_HD channels.");
            }
            ch.put("preset", "");
        } else if (advanced && preset.isEmpty()) {
            ch.put("preset", "HIGHER_BANDWIDTH_DELIVERY");
        }
    }

    /** The cross-member rules of ivs-behavior.md §2.3. */
    private static void checkRules(ObjectNode ch) {
        JsonNode mt = ch.get("multitrackInputConfiguration");
        if (mt.path("enabled").asBoolean(false)) {
            if (!"STANDARD".equals(ch.get("type").asText())) {
                throw ApiException.validation("Multitrack input can be enabled only on STANDARD channels.");
            }
            if (!"FRAGMENTED_MP4".equals(ch.get("containerFormat").asText())) {
                throw ApiException.validation("Multitrack input requires containerFormat FRAGMENTED_MP4.");
            }
            if (mt.path("policy").asText("").isEmpty() || mt.path("maximumResolution").asText("").isEmpty()) {
                throw ApiException.validation("Multitrack input needs a policy and a maximumResolution.");
            }
        }
        if (!ch.get("adConfigurationArn").asText().isEmpty()
                && "FRAGMENTED_MP4".equals(ch.get("containerFormat").asText())) {
            throw ApiException.validation("An ad configuration requires containerFormat TS.");
        }
    }

    /** Referenced recording configurations, policies and ad configurations must exist in the same account and region. */
    private void checkReferences(ResourceStore.Tx tx, Call call, ObjectNode ch) {
        requireIfSet(tx, call, ch, "recordingConfigurationArn", Arn.RECORDING_CONFIGURATION);
        requireIfSet(tx, call, ch, "playbackRestrictionPolicyArn", Arn.PLAYBACK_RESTRICTION_POLICY);
        requireIfSet(tx, call, ch, "adConfigurationArn", Arn.AD_CONFIGURATION);
    }

    private void requireIfSet(ResourceStore.Tx tx, Call call, ObjectNode ch, String field, String type) {
        String arn = ch.path(field).asText("");
        if (!arn.isEmpty()) {
            cx.require(tx, call, arn, type);
        }
    }

    private ObjectNode get(Call call, ObjectNode in) {
        return answer(cx.store.read(tx -> cx.require(tx, call, in.get("arn").asText(), Arn.CHANNEL)));
    }

    private ObjectNode getFromMemory(Call call, ObjectNode in) {
        StoredResource r = cx.requireCached(call, in.get("arn").asText(), Arn.CHANNEL);
        return r == null ? null : answer(r);
    }

    private ObjectNode answer(StoredResource channel) {
        ObjectNode out = Json.object();
        out.set("channel", full.of(channel));
        return out;
    }

    private ObjectNode batchGet(Call call, ObjectNode in) {
        return cx.batchGet(call, in.get("arns"), Arn.CHANNEL, "channels", this::present);
    }

    private ObjectNode list(Call call, ObjectNode in) {
        String filterField = null;
        for (String f : FILTERS) {
            if (in.hasNonNull(f)) {
                if (filterField != null) {
                    throw ApiException.conflict("Only one filterBy parameter can be used at a time.");
                }
                filterField = f;
            }
        }
        String docField = filterField == null ? null
                : filterField.equals("filterByName") ? "name"
                : Character.toLowerCase(filterField.charAt(8)) + filterField.substring(9);
        String want = filterField == null ? null : in.get(filterField).asText();
        String scope = "ListChannels:" + (filterField == null ? "" : filterField + "=" + want);
        Pages.Page page = cx.store.read(tx -> Pages.list(tx, call, Arn.CHANNEL, scope, in, 100,
                docField == null ? null : d -> want.equals(d.path(docField).asText())));
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("channels");
        for (StoredResource r : page.items()) {
            arr.add(summary.of(r));
        }
        if (page.nextToken() != null) {
            out.put("nextToken", page.nextToken());
        }
        return out;
    }

    private ObjectNode update(Call call, ObjectNode in) {
        String arn = in.get("arn").asText();
        ObjectNode updated = cx.store.write(tx -> {
            StoredResource r = cx.require(tx, call, arn, Arn.CHANNEL);
            if (tx.liveSession(arn, cx.now() - StreamSessions.STALE_MS).isPresent()) {
                throw ApiException.conflict("The channel is live; stop the stream before updating it.");
            }
            ObjectNode ch = ControlContext.doc(r);
            String oldType = ch.get("type").asText();
            for (String f : UPDATABLE) {
                JsonNode v = in.get(f);
                if (v == null || v.isNull()) {
                    continue;
                }
                if (f.equals("multitrackInputConfiguration")) {
                    ch.withObjectProperty(f).setAll((ObjectNode) v);
                } else {
                    ch.set(f, v);
                }
            }
            boolean presetGiven = in.hasNonNull("preset") && !in.get("preset").asText().isEmpty();
            if (!oldType.equals(ch.get("type").asText()) && !presetGiven) {
                ch.put("preset", "");
            }
            normalisePreset(ch, presetGiven);
            checkRules(ch);
            checkReferences(tx, call, ch);
            if (!tx.update(r.withDoc(Json.write(ch)))) {
                throw ApiException.conflict("The channel was changed by another request; retry.");
            }
            return ch;
        });
        ObjectNode out = Json.object();
        out.set("channel", present(updated));
        return out;
    }

    private ObjectNode delete(Call call, ObjectNode in) {
        String arn = in.get("arn").asText();
        cx.store.write(tx -> {
            cx.require(tx, call, arn, Arn.CHANNEL);
            if (tx.liveSession(arn, cx.now() - StreamSessions.STALE_MS).isPresent()) {
                throw ApiException.conflict("The channel is live; stop the stream and wait for Stream End before deleting it.");
            }
            tx.deleteChildren(Arn.STREAM_KEY, arn);
            tx.delete(arn);
            return null;
        });
        return null;
    }

    /** Whether any channel of the caller references {@code arn} in {@code field} (for Conflict on delete). */
    static boolean referenced(ResourceStore.Tx tx, Call call, String field, String arn) {
        Cursor after = null;
        while (true) {
            List<StoredResource> rows = tx.list(call.account(), call.region(), Arn.CHANNEL, after, 500);
            for (StoredResource r : rows) {
                if (arn.equals(ControlContext.doc(r).path(field).asText())) {
                    return true;
                }
            }
            if (rows.size() < 500) {
                return false;
            }
            StoredResource last = rows.get(rows.size() - 1);
            after = new Cursor(last.created(), last.id());
        }
    }
}
