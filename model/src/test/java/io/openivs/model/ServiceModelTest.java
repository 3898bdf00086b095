package io.openivs.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceModelTest {

    private final ServiceModel model = ServiceModel.ivs();

    @Test
    void readsServiceMetadata() {
        assertThat(model.signingName()).isEqualTo("ivs");
        assertThat(model.apiVersion()).isEqualTo("2020-07-14");
        assertThat(ServiceModel.ivs()).isSameAs(model);
    }

    @Test
    void loadsEveryOperationWithItsHttpBinding() throws IOException {
        JsonNode raw = rawModel().get("operations");
        assertThat(model.operations()).hasSize(40);
        List<String> sorted = new ArrayList<>(model.operations().keySet());
        sorted.sort(null);
        assertThat(model.operations().keySet()).containsExactlyElementsOf(sorted);

        raw.properties().forEach(e -> {
            Operation op = model.operation(e.getKey());
            JsonNode http = e.getValue().get("http");
            assertThat(op.name()).isEqualTo(e.getKey());
            assertThat(op.method()).as(e.getKey()).isEqualTo(http.get("method").asText());
            assertThat(op.requestUri())
                    .as(e.getKey())
                    .isEqualTo(http.get("requestUri").asText());
            assertThat(op.responseCode())
                    .as(e.getKey())
                    .isEqualTo(http.path("responseCode").asInt(200));
            assertThat(op.input()).as(e.getKey()).isNotNull();
            assertThat(op.errors())
                    .as(e.getKey())
                    .hasSize(e.getValue().get("errors").size());
        });
    }

    @Test
    void spotChecksOperations() {
        Operation listTags = model.operation("ListTagsForResource");
        assertThat(listTags.method()).isEqualTo("GET");
        assertThat(listTags.requestUri()).isEqualTo("/tags/{resourceArn}");
        assertThat(listTags.responseCode()).isEqualTo(200);
        Member arn = listTags.input().member("resourceArn");
        assertThat(arn.location()).isEqualTo("uri");
        assertThat(arn.wireName()).isEqualTo("resourceArn");
        assertThat(arn.required()).isTrue();
        assertThat(listTags.output().name()).isEqualTo("ListTagsForResourceResponse");

        Operation untag = model.operation("UntagResource");
        assertThat(untag.method()).isEqualTo("DELETE");
        assertThat(untag.input().member("tagKeys").location()).isEqualTo("querystring");

        assertThat(model.operation("DeleteChannel").responseCode()).isEqualTo(204);
        assertThat(model.operation("DeleteChannel").output()).isNull();
        assertThat(model.operation("PutMetadata").responseCode()).isEqualTo(204);
        assertThat(model.operation("CreateChannel").method()).isEqualTo("POST");
        assertThat(model.operation("CreateChannel").requestUri()).isEqualTo("/CreateChannel");
        assertThat(model.operation("NoSuchOperation")).isNull();
    }

    @Test
    void errorShapesCarryStatusAndCode() {
        Shape quota = model.shape("ServiceQuotaExceededException");
        assertThat(quota.isError()).isTrue();
        assertThat(quota.httpStatus()).isEqualTo(402);
        assertThat(quota.errorCode()).isEqualTo("ServiceQuotaExceededException");
        assertThat(model.operation("CreateChannel").errors()).contains(quota);

        assertThat(model.shape("ValidationException").httpStatus()).isEqualTo(400);
        assertThat(model.shape("ChannelNotBroadcasting").httpStatus()).isEqualTo(404);
        assertThat(model.shape("ConflictException").httpStatus()).isEqualTo(409);
        assertThat(model.shape("InternalServerException").httpStatus()).isEqualTo(500);
        assertThat(model.shape("ChannelName").isError()).isFalse();
        assertThat(model.shape("ChannelName").errorCode()).isNull();
    }

    @Test
    void loadsThePaginators() {
        Map<String, Paginator> paginators = model.paginators();
        assertThat(paginators.keySet())
                .containsExactly(
                        "ListAdConfigurations",
                        "ListChannels",
                        "ListPlaybackKeyPairs",
                        "ListRecordingConfigurations",
                        "ListStreamKeys",
                        "ListStreams");
        assertThat(paginators.get("ListChannels"))
                .isEqualTo(new Paginator("ListChannels", "nextToken", "nextToken", "maxResults", "channels"));
        // Every key a paginator names is a member of the operation's input or output.
        paginators.values().forEach(p -> {
            Operation op = model.operation(p.operation());
            assertThat(op.input().member(p.inputToken())).as(p.operation()).isNotNull();
            assertThat(op.input().member(p.limitKey())).as(p.operation()).isNotNull();
            assertThat(op.output().member(p.outputToken())).as(p.operation()).isNotNull();
            assertThat(op.output().member(p.resultKey()).shape().type())
                    .as(p.operation())
                    .isEqualTo(ShapeType.LIST);
        });
    }

    @Test
    void shapesCarryTheirConstraints() {
        Shape name = model.shape("ChannelName");
        assertThat(name.type()).isEqualTo(ShapeType.STRING);
        assertThat(name.min()).isEqualTo(0L);
        assertThat(name.max()).isEqualTo(128L);
        assertThat(name.pattern().pattern()).isEqualTo("[a-zA-Z0-9-_]*");
        assertThat(name.enumValues()).isEmpty();
        assertThat(name.members()).isEmpty();

        assertThat(model.shape("ChannelLatencyMode").enumValues()).containsExactly("NORMAL", "LOW");
        assertThat(model.shape("MaxChannelResults").type()).isEqualTo(ShapeType.INTEGER);
        assertThat(model.shape("MaxChannelResults").min()).isEqualTo(1L);
        assertThat(model.shape("ChannelName").pattern())
                .isSameAs(model.shape("ChannelName").pattern());

        Shape tags = model.shape("Tags");
        assertThat(tags.type()).isEqualTo(ShapeType.MAP);
        assertThat(tags.mapKey().shape().name()).isEqualTo("TagKey");
        assertThat(tags.mapValue().shape().name()).isEqualTo("TagValue");
        assertThat(tags.max()).isEqualTo(50L);
        assertThat(model.shape("ChannelArnList").listMember().shape().name()).isEqualTo("ChannelArn");

        Shape create = model.shape("CreateChannelRequest");
        assertThat(create.members().keySet())
                .containsExactly(
                        "name",
                        "latencyMode",
                        "type",
                        "authorized",
                        "recordingConfigurationArn",
                        "tags",
                        "insecureIngest",
                        "preset",
                        "playbackRestrictionPolicyArn",
                        "multitrackInputConfiguration",
                        "containerFormat",
                        "adConfigurationArn");
        assertThat(create.required()).isEmpty();
        assertThat(model.shape("TagResourceRequest").required()).containsExactlyInAnyOrder("resourceArn", "tags");
        assertThat(model.shape("TagResourceRequest").member("tags").required()).isTrue();
        assertThat(create.member("nope")).isNull();

        assertThatThrownBy(() -> model.shape("NoSuchShape"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NoSuchShape");
    }

    @Test
    void marksSensitiveShapes() {
        assertThat(model.shape("StreamKeyValue").isSensitive()).isTrue();
        assertThat(model.shape("StreamMetadata").isSensitive()).isTrue();
        assertThat(model.shape("PlaybackPublicKeyMaterial").isSensitive()).isTrue();
        assertThat(model.shape("ChannelName").isSensitive()).isFalse();
    }

    @Test
    void everyModelPatternCompilesUnchangedExceptTheResourceArnCorrection() throws IOException {
        rawModel().get("shapes").properties().forEach(e -> {
            JsonNode pattern = e.getValue().get("pattern");
            if (pattern == null) {
                return;
            }
            String expected = e.getKey().equals("ResourceArn")
                    ? "^arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+$"
                    : pattern.asText();
            assertThat(model.shape(e.getKey()).pattern().pattern())
                    .as(e.getKey())
                    .isEqualTo(expected);
        });
    }

    @Test
    void parsesRecursiveShapesWithoutPaginators() {
        String json = "{\"metadata\":{\"apiVersion\":\"1\",\"endpointPrefix\":\"demo\"},"
                + "\"operations\":{\"Get\":{\"http\":{\"method\":\"GET\",\"requestUri\":\"/n\"},"
                + "\"output\":{\"shape\":\"Node\"}}},"
                + "\"shapes\":{\"Node\":{\"type\":\"structure\",\"members\":{\"children\":{\"shape\":\"Nodes\"}}},"
                + "\"Nodes\":{\"type\":\"list\",\"member\":{\"shape\":\"Node\"}}}}";
        ServiceModel tiny = ServiceModel.parse(stream(json), null);

        Shape node = tiny.shape("Node");
        assertThat(node.member("children").shape().listMember().shape()).isSameAs(node);
        assertThat(tiny.signingName()).isEqualTo("demo");
        assertThat(tiny.paginators()).isEmpty();
        assertThat(tiny.operation("Get").responseCode()).isEqualTo(200);
        assertThat(tiny.operation("Get").input()).isNull();
        assertThat(node.toString()).isEqualTo("Shape[Node: STRUCTURE]");
    }

    @Test
    void rejectsAPatternJavaCannotCompile() {
        String json = "{\"metadata\":{},\"operations\":{},"
                + "\"shapes\":{\"Bad\":{\"type\":\"string\",\"pattern\":\"[a-\"}}}";
        assertThatThrownBy(() -> ServiceModel.parse(stream(json), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Bad");
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode rawModel() throws IOException {
        try (InputStream in = ServiceModel.class.getResourceAsStream(ServiceModel.MODEL_RESOURCE)) {
            return new ObjectMapper().readTree(in);
        }
    }
}
