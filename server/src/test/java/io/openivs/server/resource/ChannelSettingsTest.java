package io.openivs.server.resource;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChannelSettingsTest {
    @Test
    void anEmptyDocumentReadsAsCreateChannelsDefaults() {
        ChannelSettings s = ChannelSettings.parse("{}");
        assertThat(s).isEqualTo(ChannelSettings.DEFAULTS);
        assertThat(s.type()).isEqualTo("STANDARD");
        assertThat(s.latencyMode()).isEqualTo("LOW");
        assertThat(s.containerFormat()).isEqualTo(ChannelSettings.ContainerFormat.TS);
        assertThat(s.normalLatency()).isFalse();
        assertThat(s.fragmentedMp4()).isFalse();
        assertThat(s.advanced()).isFalse();
        assertThat(s.recorded()).isFalse();
        assertThat(s.insecureIngest()).isFalse();
        assertThat(s.authorized()).isFalse();
    }

    @Test
    void aStoredChannelReadsEveryMember() {
        ChannelSettings s = ChannelSettings.parse("""
                {"arn":"arn:aws:ivs:us-west-2:123456789012:channel/abcdABCD1234","name":"studio",
                 "type":"ADVANCED_HD","latencyMode":"NORMAL","containerFormat":"FRAGMENTED_MP4",
                 "insecureIngest":true,"authorized":true,"preset":"CONSTRAINED_BANDWIDTH_DELIVERY",
                 "recordingConfigurationArn":"arn:aws:ivs:us-west-2:123456789012:recording-configuration/r",
                 "playbackRestrictionPolicyArn":"arn:aws:ivs:us-west-2:123456789012:playback-restriction-policy/p",
                 "adConfigurationArn":"","multitrackInputConfiguration":{"enabled":true,"policy":"ALLOW"},
                 "tags":{}}""");
        assertThat(s.name()).isEqualTo("studio");
        assertThat(s.type()).isEqualTo("ADVANCED_HD");
        assertThat(s.advanced()).isTrue();
        assertThat(s.normalLatency()).isTrue();
        assertThat(s.fragmentedMp4()).isTrue();
        assertThat(s.insecureIngest()).isTrue();
        assertThat(s.authorized()).isTrue();
        assertThat(s.preset()).isEqualTo("CONSTRAINED_BANDWIDTH_DELIVERY");
        assertThat(s.recorded()).isTrue();
        assertThat(s.recordingConfigurationArn()).endsWith("recording-configuration/r");
        assertThat(s.playbackRestrictionPolicyArn()).endsWith("playback-restriction-policy/p");
        assertThat(s.adConfigurationArn()).isEmpty();
        assertThat(s.multitrackInput()).isTrue();
    }

    @Test
    void nullsAndUnknownFormatsFallBackToTheDefaults() {
        ChannelSettings s = ChannelSettings.parse("""
                {"type":null,"latencyMode":null,"containerFormat":"MKV","preset":null}""");
        assertThat(s.type()).isEqualTo("STANDARD");
        assertThat(s.latencyMode()).isEqualTo("LOW");
        assertThat(s.containerFormat()).isEqualTo(ChannelSettings.ContainerFormat.TS);
        assertThat(s.preset()).isEmpty();
    }
}
