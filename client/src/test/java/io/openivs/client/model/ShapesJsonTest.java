package io.openivs.client.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generated shapes read and write IVS's JSON faithfully, and stay immutable. */
class ShapesJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String CHANNEL = "{"
            + "\"arn\":\"arn:aws:ivs:us-west-2:123456789012:channel/AbCdEf123456\","
            + "\"name\":\"show\",\"latencyMode\":\"LOW\",\"type\":\"ADVANCED_HD\","
            + "\"recordingConfigurationArn\":\"\","
            + "\"ingestEndpoint\":\"a1b2c3d4e5f6.global-contribute.live-video.net\","
            + "\"playbackUrl\":\"https://a1b2c3d4e5f6.us-west-2.playback.live-video.net/api/video/v1/us-west-2.123456789012.channel.AbCdEf123456.m3u8\","
            + "\"authorized\":true,\"tags\":{\"team\":\"video\",\"env\":\"prod\"},\"insecureIngest\":false,"
            + "\"preset\":\"HIGHER_BANDWIDTH_DELIVERY\","
            + "\"srt\":{\"endpoint\":\"a1b2c3d4e5f6.srt.live-video.net\",\"passphrase\":\"Pp1Pp2Pp3Pp4Pp5\"},"
            + "\"playbackRestrictionPolicyArn\":\"\","
            + "\"multitrackInputConfiguration\":{\"enabled\":true,\"policy\":\"ALLOW\",\"maximumResolution\":\"FULL_HD\"},"
            + "\"containerFormat\":\"FRAGMENTED_MP4\",\"adConfigurationArn\":\"\"}";

    @Test
    void channelWithNestedStructuresRoundTrips() throws Exception {
        JsonNode wire = JSON.readTree(CHANNEL);
        Channel channel = Channel.fromJson(wire);

        assertThat(channel.latencyMode()).isEqualTo(ChannelLatencyMode.LOW);
        assertThat(channel.type()).isEqualTo(ChannelType.ADVANCED_HD);
        assertThat(channel.preset()).isEqualTo(TranscodePreset.HIGHER_BANDWIDTH_DELIVERY);
        assertThat(channel.containerFormat()).isEqualTo(ContainerFormat.FRAGMENTED_MP4);
        assertThat(channel.authorized()).isTrue();
        assertThat(channel.insecureIngest()).isFalse();
        assertThat(channel.srt().endpoint()).isEqualTo("a1b2c3d4e5f6.srt.live-video.net");
        assertThat(channel.multitrackInputConfiguration().enabled()).isTrue();
        assertThat(channel.multitrackInputConfiguration().policy()).isEqualTo(MultitrackPolicy.ALLOW);
        assertThat(channel.multitrackInputConfiguration().maximumResolution())
                .isEqualTo(MultitrackMaximumResolution.FULL_HD);
        assertThat(channel.tags()).containsExactly(Map.entry("team", "video"), Map.entry("env", "prod"));
        assertThat(channel.recordingConfigurationArn()).isEmpty();

        assertThat(channel.toJson()).isEqualTo(wire);
        assertThat(Channel.fromJson(channel.toJson())).isEqualTo(channel).hasSameHashCodeAs(channel);
        assertThat(channel.toBuilder().build()).isEqualTo(channel);
        assertThat(channel.toBuilder().name("other").build()).isNotEqualTo(channel);
    }

    @Test
    void omittedMembersAreNullNotEmpty() throws Exception {
        Channel channel = Channel.fromJson(JSON.readTree("{\"arn\":\"a\",\"tags\":null}"));
        assertThat(channel.tags()).isNull();
        assertThat(channel.srt()).isNull();
        assertThat(channel.latencyMode()).isNull();
        assertThat(channel.latencyModeAsString()).isNull();
        assertThat(channel.toJson()).isEqualTo(JSON.readTree("{\"arn\":\"a\"}"));
        assertThat(BatchGetChannelRequest.builder().build().arns()).isNull();
    }

    @Test
    void unknownEnumValuesSurviveAsStrings() throws Exception {
        Channel channel = Channel.fromJson(JSON.readTree("{\"type\":\"ULTRA_HD\",\"latencyMode\":\"LOW\"}"));
        assertThat(channel.type()).isEqualTo(ChannelType.UNKNOWN_TO_SDK);
        assertThat(channel.typeAsString()).isEqualTo("ULTRA_HD");
        assertThat(channel.toJson().get("type").asText()).isEqualTo("ULTRA_HD");

        assertThat(Channel.builder().type("ULTRA_HD").build().typeAsString()).isEqualTo("ULTRA_HD");
        assertThatThrownBy(() -> Channel.builder().type(ChannelType.UNKNOWN_TO_SDK))
                .isInstanceOf(IllegalArgumentException.class);

        ThumbnailConfiguration thumbnails = ThumbnailConfiguration.fromJson(
                JSON.readTree("{\"storage\":[\"SEQUENTIAL\",\"ARCHIVE\"],\"targetIntervalSeconds\":60}"));
        assertThat(thumbnails.storage())
                .containsExactly(
                        ThumbnailConfigurationStorage.SEQUENTIAL, ThumbnailConfigurationStorage.UNKNOWN_TO_SDK);
        assertThat(thumbnails.storageAsStrings()).containsExactly("SEQUENTIAL", "ARCHIVE");
        assertThat(thumbnails.targetIntervalSeconds()).isEqualTo(60L);
    }

    @Test
    void timestampsAreInstantsWrittenAsIso8601() throws Exception {
        Stream stream = Stream.fromJson(JSON.readTree(
                "{\"channelArn\":\"c\",\"startTime\":\"2024-01-02T03:04:05.678Z\",\"viewerCount\":12345678901}"));
        assertThat(stream.startTime()).isEqualTo(Instant.parse("2024-01-02T03:04:05.678Z"));
        assertThat(stream.viewerCount()).isEqualTo(12345678901L);
        assertThat(stream.toJson().get("startTime").asText()).isEqualTo("2024-01-02T03:04:05.678Z");

        assertThat(Stream.fromJson(JSON.readTree("{\"startTime\":\"2024-01-02T05:04:05+02:00\"}"))
                        .startTime())
                .isEqualTo(Instant.parse("2024-01-02T03:04:05Z"));
        assertThat(Stream.fromJson(JSON.readTree("{\"startTime\":1704164645.5}"))
                        .startTime())
                .isEqualTo(Instant.parse("2024-01-02T03:04:05.500Z"));

        StreamSession session = StreamSession.fromJson(JSON.readTree("{\"streamId\":\"st-1\","
                + "\"startTime\":\"2024-01-02T03:04:05Z\",\"channel\":" + CHANNEL + ","
                + "\"truncatedEvents\":[{\"name\":\"Session Created\",\"type\":\"IVS Stream State Change\","
                + "\"eventTime\":\"2024-01-02T03:04:06Z\"}]}"));
        assertThat(session.truncatedEvents())
                .singleElement()
                .satisfies(e -> assertThat(e.eventTime()).isEqualTo(Instant.parse("2024-01-02T03:04:06Z")));
        assertThat(session.channel().srt().endpoint()).isEqualTo("a1b2c3d4e5f6.srt.live-video.net");
        assertThat(session.endTime()).isNull();
    }

    @Test
    void collectionsAreCopiedAndUnmodifiable() {
        Map<String, String> tags = new HashMap<>(Map.of("a", "1"));
        CreateChannelRequest request =
                CreateChannelRequest.builder().name("n").tags(tags).build();
        tags.put("b", "2");

        assertThat(request.tags()).containsOnlyKeys("a");
        assertThatThrownBy(() -> request.tags().put("c", "3")).isInstanceOf(UnsupportedOperationException.class);

        BatchGetChannelRequest batch =
                BatchGetChannelRequest.builder().arns("x", "y").build();
        assertThat(batch.arns()).containsExactly("x", "y");
        assertThatThrownBy(() -> batch.arns().add("z")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> BatchGetChannelRequest.builder().arns("x", null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void secretsStayOutOfToString() {
        StreamKey key = StreamKey.builder()
                .arn("k")
                .value("sk_us-west-2_abc_SECRETSECRET")
                .build();
        Srt srt = Srt.builder().endpoint("e").passphrase("PASSPHRASE").build();
        assertThat(key.toString()).contains("arn=k", "value=***").doesNotContain("SECRETSECRET");
        assertThat(Channel.builder().srt(srt).build().toString())
                .contains("endpoint=e")
                .doesNotContain("PASSPHRASE");
        assertThat(PutMetadataRequest.builder().metadata("private note").build().toString())
                .doesNotContain("private");
    }

    @Test
    void notAnObjectIsRejected() throws Exception {
        assertThatThrownBy(() -> Channel.fromJson(JSON.readTree("[1]"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ListChannelsResponse.fromJson(JSON.readTree("{\"channels\":{}}")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
