package io.openivs.server.resource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A channel's settings, read once from its stored document, for the parts of the server that act on
 * them (ingest, limits, recording, playback access) rather than return them. A member missing from the
 * document reads as CreateChannel's default for it, so every reader agrees on what an unset member means.
 *
 * @param type                         BASIC, STANDARD, ADVANCED_SD or ADVANCED_HD
 * @param latencyMode                  LOW or NORMAL
 * @param preset                       an ADVANCED channel's transcode preset, else ""
 * @param recordingConfigurationArn    "" for none (likewise the other ARNs)
 * @param multitrackInput              whether multitrack input is enabled
 */
public record ChannelSettings(
        String name,
        String type,
        String latencyMode,
        ContainerFormat containerFormat,
        boolean insecureIngest,
        boolean authorized,
        String preset,
        String recordingConfigurationArn,
        String playbackRestrictionPolicyArn,
        String adConfigurationArn,
        boolean multitrackInput) {
    public static final String NAME = "name";
    public static final String TYPE = "type";
    public static final String LATENCY_MODE = "latencyMode";
    public static final String CONTAINER_FORMAT = "containerFormat";
    public static final String INSECURE_INGEST = "insecureIngest";
    public static final String AUTHORIZED = "authorized";
    public static final String PRESET = "preset";
    public static final String RECORDING_CONFIGURATION_ARN = "recordingConfigurationArn";
    public static final String PLAYBACK_RESTRICTION_POLICY_ARN = "playbackRestrictionPolicyArn";
    public static final String AD_CONFIGURATION_ARN = "adConfigurationArn";
    public static final String MULTITRACK_INPUT = "multitrackInputConfiguration";

    public static final String STANDARD = "STANDARD";
    public static final String BASIC = "BASIC";
    public static final String LOW = "LOW";
    public static final String NORMAL = "NORMAL";
    /** The preset an ADVANCED channel gets when none is given. */
    public static final String DEFAULT_ADVANCED_PRESET = "HIGHER_BANDWIDTH_DELIVERY";

    /** How the channel's renditions are packaged for playback. */
    public enum ContainerFormat {
        TS,
        FRAGMENTED_MP4;

        /** An unknown or missing value is TS, CreateChannel's default. */
        public static ContainerFormat of(String value) {
            return FRAGMENTED_MP4.name().equals(value) ? FRAGMENTED_MP4 : TS;
        }
    }

    /** CreateChannel's defaults: what a channel created with no members set holds. */
    public static final ChannelSettings DEFAULTS =
            new ChannelSettings("", STANDARD, LOW, ContainerFormat.TS, false, false, "", "", "", "", false);

    public static ChannelSettings parse(String storedDocument) {
        return of(Json.parseObject(storedDocument));
    }

    public static ChannelSettings of(ObjectNode doc) {
        return new ChannelSettings(
                text(doc, NAME, DEFAULTS.name),
                text(doc, TYPE, DEFAULTS.type),
                text(doc, LATENCY_MODE, DEFAULTS.latencyMode),
                ContainerFormat.of(text(doc, CONTAINER_FORMAT, DEFAULTS.containerFormat.name())),
                doc.path(INSECURE_INGEST).asBoolean(DEFAULTS.insecureIngest),
                doc.path(AUTHORIZED).asBoolean(DEFAULTS.authorized),
                text(doc, PRESET, DEFAULTS.preset),
                text(doc, RECORDING_CONFIGURATION_ARN, DEFAULTS.recordingConfigurationArn),
                text(doc, PLAYBACK_RESTRICTION_POLICY_ARN, DEFAULTS.playbackRestrictionPolicyArn),
                text(doc, AD_CONFIGURATION_ARN, DEFAULTS.adConfigurationArn),
                doc.path(MULTITRACK_INPUT).path("enabled").asBoolean(DEFAULTS.multitrackInput));
    }

    /** ADVANCED_SD or ADVANCED_HD: transcoded, with a preset. */
    public boolean advanced() {
        return type.startsWith("ADVANCED");
    }

    public boolean fragmentedMp4() {
        return containerFormat == ContainerFormat.FRAGMENTED_MP4;
    }

    /** NORMAL latency mode; anything else is LOW, the default. */
    public boolean normalLatency() {
        return NORMAL.equals(latencyMode);
    }

    public boolean recorded() {
        return !recordingConfigurationArn.isEmpty();
    }

    private static String text(ObjectNode doc, String field, String dflt) {
        JsonNode v = doc.get(field);
        return v == null || v.isNull() ? dflt : v.asText();
    }
}
