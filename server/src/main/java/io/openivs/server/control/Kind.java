package io.openivs.server.control;

import io.openivs.server.config.ServerConfig;
import io.openivs.server.resource.Arn;
import java.util.function.ToIntFunction;

/**
 * A plain account-scoped resource type and the names the API uses for it:
 * enough for one generic Get, List and Delete (see {@link Catalog}).
 *
 * @param member         response member of Get/Create ("recordingConfiguration")
 * @param listMember     response member of List ("recordingConfigurations")
 * @param summaryShape   model shape of a list item
 * @param channelField   the Channel member that references this type, or null
 * @param quota          the account quota for this type
 */
record Kind(
        String type,
        String member,
        String listMember,
        String summaryShape,
        String listOperation,
        String channelField,
        ToIntFunction<ServerConfig.Quotas> quota) {

    static final Kind RECORDING_CONFIGURATION = new Kind(
            Arn.RECORDING_CONFIGURATION,
            "recordingConfiguration",
            "recordingConfigurations",
            "RecordingConfigurationSummary",
            "ListRecordingConfigurations",
            "recordingConfigurationArn",
            ServerConfig.Quotas::recordingConfigurations);
    static final Kind PLAYBACK_RESTRICTION_POLICY = new Kind(
            Arn.PLAYBACK_RESTRICTION_POLICY,
            "playbackRestrictionPolicy",
            "playbackRestrictionPolicies",
            "PlaybackRestrictionPolicySummary",
            "ListPlaybackRestrictionPolicies",
            "playbackRestrictionPolicyArn",
            ServerConfig.Quotas::playbackRestrictionPolicies);
    static final Kind AD_CONFIGURATION = new Kind(
            Arn.AD_CONFIGURATION,
            "adConfiguration",
            "adConfigurations",
            "AdConfigurationSummary",
            "ListAdConfigurations",
            "adConfigurationArn",
            ServerConfig.Quotas::adConfigurations);
    static final Kind PLAYBACK_KEY = new Kind(
            Arn.PLAYBACK_KEY,
            "keyPair",
            "keyPairs",
            "PlaybackKeyPairSummary",
            "ListPlaybackKeyPairs",
            null,
            ServerConfig.Quotas::playbackKeyPairs);
}
