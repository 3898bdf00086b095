package io.openivs.server.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.api.ApiException;
import io.openivs.server.api.Call;
import io.openivs.server.api.OperationHandler;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.ChannelSettings;
import io.openivs.server.resource.Ids;
import io.openivs.server.resource.Json;
import io.openivs.server.resource.StreamSessions;
import io.openivs.server.store.Cursor;
import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StoredResource;
import java.util.List;
import java.util.Map;

/** CreateChannel, GetChannel, BatchGetChannel, ListChannels, UpdateChannel, DeleteChannel. */
final class Channels {
    private static final List<String> FILTERS = List.of(
            "filterByName",
            "filterByRecordingConfigurationArn",
            "filterByPlaybackRestrictionPolicyArn",
            "filterByAdConfigurationArn");
    private static final List<String> UPDATABLE = List.of(
            ChannelSettings.NAME,
            ChannelSettings.LATENCY_MODE,
            ChannelSettings.TYPE,
            ChannelSettings.AUTHORIZED,
            ChannelSettings.RECORDING_CONFIGURATION_ARN,
            ChannelSettings.INSECURE_INGEST,
            ChannelSettings.PRESET,
            ChannelSettings.PLAYBACK_RESTRICTION_POLICY_ARN,
            ChannelSettings.MULTITRACK_INPUT,
            ChannelSettings.CONTAINER_FORMAT,
            ChannelSettings.AD_CONFIGURATION_ARN);

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
        srt.put("endpoint", cx.config.srtEndpoint());
        return c;
    }

    String playbackUrl(Arn channel) {
        return cx.config.playbackBase() + "/api/video/v1/" + channel.region() + "." + channel.account() + ".channel."
                + channel.id() + ".m3u8";
    }

    private ObjectNode create(Call call, ObjectNode in) {
        ObjectNode ch = Json.object();
        ChannelSettings d = ChannelSettings.DEFAULTS;
        ch.put(ChannelSettings.NAME, ControlContext.text(in, ChannelSettings.NAME, d.name()));
        ch.put(ChannelSettings.LATENCY_MODE, ControlContext.text(in, ChannelSettings.LATENCY_MODE, d.latencyMode()));
        ch.put(ChannelSettings.TYPE, ControlContext.text(in, ChannelSettings.TYPE, d.type()));
        ch.put(ChannelSettings.AUTHORIZED, in.path(ChannelSettings.AUTHORIZED).asBoolean(d.authorized()));
        ch.put(
                ChannelSettings.INSECURE_INGEST,
                in.path(ChannelSettings.INSECURE_INGEST).asBoolean(d.insecureIngest()));
        ch.put(ChannelSettings.PRESET, ControlContext.text(in, ChannelSettings.PRESET, d.preset()));
        ch.put(
                ChannelSettings.RECORDING_CONFIGURATION_ARN,
                ControlContext.text(in, ChannelSettings.RECORDING_CONFIGURATION_ARN, d.recordingConfigurationArn()));
        ch.put(
                ChannelSettings.PLAYBACK_RESTRICTION_POLICY_ARN,
                ControlContext.text(
                        in, ChannelSettings.PLAYBACK_RESTRICTION_POLICY_ARN, d.playbackRestrictionPolicyArn()));
        ch.put(
                ChannelSettings.AD_CONFIGURATION_ARN,
                ControlContext.text(in, ChannelSettings.AD_CONFIGURATION_ARN, d.adConfigurationArn()));
        ch.put(
                ChannelSettings.CONTAINER_FORMAT,
                ControlContext.text(
                        in,
                        ChannelSettings.CONTAINER_FORMAT,
                        d.containerFormat().name()));
        ObjectNode mt = ch.putObject(ChannelSettings.MULTITRACK_INPUT);
        mt.put("enabled", d.multitrackInput());
        mt.put("maximumResolution", "FULL_HD");
        mt.put("policy", "ALLOW");
        if (in.get(ChannelSettings.MULTITRACK_INPUT) instanceof ObjectNode given) {
            mt.setAll(given);
        }
        ch.putObject("srt").put("passphrase", Ids.alnum(79));
        ControlContext.checkTags(in.get("tags"), 0);
        ch.set("tags", ControlContext.tagsOrEmpty(in.get("tags")));
        normalisePreset(
                ch,
                in.has(ChannelSettings.PRESET)
                        && !in.get(ChannelSettings.PRESET).asText().isEmpty());
        checkRules(ch);

        String channelId = Ids.resourceId();
        return cx.store.write(tx -> {
            checkReferences(tx, call, ch);
            if (tx.count(call.account(), call.region(), Arn.CHANNEL)
                    >= cx.config.quotas().channels()) {
                throw ApiException.quota("The maximum number of channels ("
                        + cx.config.quotas().channels() + ") for this account and region has been reached.");
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
        ChannelSettings s = ChannelSettings.of(ch);
        if (!s.advanced() && !s.preset().isEmpty()) {
            if (presetGiven) {
                throw ApiException.validation("A preset can be set only for ADVANCED_SD and ADVANCED_HD channels.");
            }
            ch.put(ChannelSettings.PRESET, "");
        } else if (s.advanced() && s.preset().isEmpty()) {
            ch.put(ChannelSettings.PRESET, ChannelSettings.DEFAULT_ADVANCED_PRESET);
        }
    }

    /**
     * The cross-member rules: multitrack input needs a STANDARD, FRAGMENTED_MP4 channel (API Reference:
     * MultitrackInputConfiguration), an ad configuration needs TS (User Guide, "Server-Side Ad Insertion").
     * That a preset on a BASIC/STANDARD channel is a ValidationException is unconfirmed.
     */
    private static void checkRules(ObjectNode ch) {
        ChannelSettings s = ChannelSettings.of(ch);
        if (s.multitrackInput()) {
            if (!ChannelSettings.STANDARD.equals(s.type())) {
                throw ApiException.validation("Multitrack input can be enabled only on STANDARD channels.");
            }
            if (!s.fragmentedMp4()) {
                throw ApiException.validation("Multitrack input requires containerFormat FRAGMENTED_MP4.");
            }
            JsonNode mt = ch.get(ChannelSettings.MULTITRACK_INPUT);
            if (mt.path("policy").asText("").isEmpty()
                    || mt.path("maximumResolution").asText("").isEmpty()) {
                throw ApiException.validation("Multitrack input needs a policy and a maximumResolution.");
            }
        }
        if (!s.adConfigurationArn().isEmpty() && s.fragmentedMp4()) {
            throw ApiException.validation("An ad configuration requires containerFormat TS.");
        }
    }

    /** Referenced recording configurations, policies and ad configurations must exist in the same account and region. */
    private void checkReferences(ResourceStore.Tx tx, Call call, ObjectNode ch) {
        requireIfSet(tx, call, ch, ChannelSettings.RECORDING_CONFIGURATION_ARN, Arn.RECORDING_CONFIGURATION);
        requireIfSet(tx, call, ch, ChannelSettings.PLAYBACK_RESTRICTION_POLICY_ARN, Arn.PLAYBACK_RESTRICTION_POLICY);
        requireIfSet(tx, call, ch, ChannelSettings.AD_CONFIGURATION_ARN, Arn.AD_CONFIGURATION);
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
        String docField = filterField == null
                ? null
                : filterField.equals("filterByName")
                        ? "name"
                        : Character.toLowerCase(filterField.charAt(8)) + filterField.substring(9);
        String want = filterField == null ? null : in.get(filterField).asText();
        String scope = "ListChannels:" + (filterField == null ? "" : filterField + "=" + want);
        Pages.Page page = cx.store.read(tx -> Pages.list(
                tx,
                call,
                Arn.CHANNEL,
                scope,
                in,
                100,
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
            String oldType = ch.get(ChannelSettings.TYPE).asText();
            for (String f : UPDATABLE) {
                JsonNode v = in.get(f);
                if (v == null || v.isNull()) {
                    continue;
                }
                if (f.equals(ChannelSettings.MULTITRACK_INPUT)) {
                    ch.withObjectProperty(f).setAll((ObjectNode) v);
                } else {
                    ch.set(f, v);
                }
            }
            boolean presetGiven = in.hasNonNull(ChannelSettings.PRESET)
                    && !in.get(ChannelSettings.PRESET).asText().isEmpty();
            if (!oldType.equals(ch.get(ChannelSettings.TYPE).asText()) && !presetGiven) {
                ch.put(ChannelSettings.PRESET, "");
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
                throw ApiException.conflict(
                        "The channel is live; stop the stream and wait for Stream End before deleting it.");
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
