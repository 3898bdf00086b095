package io.openivs.model.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.model.ServiceModel;
import io.openivs.model.Shape;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.ALLOW_SINGLE_QUOTES);
    private static final ServiceModel IVS = ServiceModel.ivs();
    private static final String CHANNEL_ARN = "arn:aws:ivs:us-west-2:123456789012:channel/AbCdEf123456";

    @Test
    void acceptsAValidRequest() {
        assertThat(problems(
                        "CreateChannelRequest",
                        "{'name':'demo-1_x','latencyMode':'LOW','authorized':true,"
                                + "'tags':{'env':'prod'},'recordingConfigurationArn':'',"
                                + "'multitrackInputConfiguration':{'enabled':false,'policy':'ALLOW'}}"))
                .isEmpty();
        assertThat(problems("CreateChannelRequest", "{}")).isEmpty();
        assertThat(Validator.validate(IVS.shape("CreateChannelRequest"), null)).isEmpty();
    }

    @Test
    void channelNameMustMatchItsPatternAsAWhole() {
        List<String> problems = problems("CreateChannelRequest", "{'name':'my channel!'}");
        assertThat(problems)
                .containsExactly("Value 'my channel!' at 'name' failed to satisfy constraint: "
                        + "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]*");
        assertThat(Validator.message(problems))
                .isEqualTo(
                        "1 validation error detected: Value 'my channel!' at "
                                + "'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]*");
    }

    @Test
    void channelNameHasAMaximumLength() {
        assertThat(problems("CreateChannelRequest", "{'name':'" + "a".repeat(128) + "'}"))
                .isEmpty();
        assertThat(problems("CreateChannelRequest", "{'name':'" + "a".repeat(129) + "'}"))
                .containsExactly("Value '" + "a".repeat(129) + "' at 'name' failed to satisfy constraint: "
                        + "Member must have length less than or equal to 128");
    }

    @Test
    void lengthsCountCodePointsNotUtf16Units() {
        String ideograph = new String(Character.toChars(0x20000)); // a letter outside the BMP: two chars
        String arn = "'" + CHANNEL_ARN + "'";
        assertThat(problems(
                        "TagResourceRequest",
                        "{'resourceArn':" + arn + ",'tags':{'k':'" + ideograph.repeat(256) + "'}}"))
                .isEmpty();
        assertThat(problems(
                        "TagResourceRequest",
                        "{'resourceArn':" + arn + ",'tags':{'k':'" + ideograph.repeat(257) + "'}}"))
                .singleElement()
                .asString()
                .endsWith(
                        "at 'tags.value' failed to satisfy constraint: Member must have length less than or equal to 256");
    }

    @Test
    void latencyModeMustBeOneOfTheEnumValues() {
        assertThat(problems("CreateChannelRequest", "{'latencyMode':'FAST'}"))
                .containsExactly("Value 'FAST' at 'latencyMode' failed to satisfy constraint: "
                        + "Member must satisfy enum value set: [NORMAL, LOW]");
    }

    @Test
    void maxResultsMustBeAnIntegerInRange() {
        assertThat(problems("ListChannelsRequest", "{'maxResults':1}")).isEmpty();
        assertThat(problems("ListChannelsRequest", "{'maxResults':100}")).isEmpty();
        assertThat(problems("ListChannelsRequest", "{'maxResults':0}"))
                .containsExactly(
                        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1");
        assertThat(problems("ListChannelsRequest", "{'maxResults':101}"))
                .containsExactly(
                        "Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100");
        assertThat(problems("ListChannelsRequest", "{'maxResults':2.5}"))
                .containsExactly("Value '2.5' at 'maxResults' failed to satisfy constraint: Member must be an integer");
        assertThat(problems("ListChannelsRequest", "{'maxResults':'5'}"))
                .containsExactly("Value '5' at 'maxResults' failed to satisfy constraint: Member must be an integer");
        assertThat(problems("ListChannelsRequest", "{'maxResults':4294967296}"))
                .containsExactly(
                        "Value '4294967296' at 'maxResults' failed to satisfy constraint: Member must be an integer");
    }

    @Test
    void tagsMapSizeKeysAndValuesAreChecked() {
        ObjectNode request = JSON.createObjectNode().put("resourceArn", CHANNEL_ARN);
        ObjectNode tags = request.putObject("tags");
        for (int i = 0; i < 51; i++) {
            tags.put("k" + i, "v");
        }
        assertThat(Validator.validate(IVS.shape("TagResourceRequest"), request))
                .singleElement()
                .asString()
                .startsWith("Value '{k0=v, k1=v, ")
                .endsWith(
                        ", k50=v}' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");

        assertThat(problems("TagResourceRequest", "{'resourceArn':'" + CHANNEL_ARN + "','tags':{'':'v','a!':'v'}}"))
                .containsExactly(
                        "Value '' at 'tags.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
                        "Value '' at 'tags.key' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                                + "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)",
                        "Value 'a!' at 'tags.key' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                                + "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)");
        assertThat(problems(
                        "TagResourceRequest", "{'resourceArn':'" + CHANNEL_ARN + "','tags':{'team':'a,b','x':null}}"))
                .containsExactly(
                        "Value 'a,b' at 'tags.value' failed to satisfy constraint: Member must satisfy regular expression "
                                + "pattern: ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)",
                        "Value null at 'tags.value' failed to satisfy constraint: Member must not be null");
    }

    @Test
    void requiredMembersMustBePresentAndNotNull() {
        List<String> problems = problems("TagResourceRequest", "{'tags':null}");
        assertThat(problems)
                .containsExactly(
                        "Value null at 'resourceArn' failed to satisfy constraint: Member must not be null",
                        "Value null at 'tags' failed to satisfy constraint: Member must not be null");
        assertThat(Validator.message(problems))
                .isEqualTo("2 validation errors detected: "
                        + "Value null at 'resourceArn' failed to satisfy constraint: Member must not be null; "
                        + "Value null at 'tags' failed to satisfy constraint: Member must not be null");
    }

    @Test
    void arnListSizeAndElementsAreChecked() {
        assertThat(problems("BatchGetChannelRequest", "{'arns':[]}"))
                .containsExactly(
                        "Value '[]' at 'arns' failed to satisfy constraint: Member must have length greater than or equal to 1");

        ObjectNode request = JSON.createObjectNode();
        ArrayNode arns = request.putArray("arns");
        for (int i = 0; i < 51; i++) {
            arns.add(CHANNEL_ARN);
        }
        assertThat(Validator.validate(IVS.shape("BatchGetChannelRequest"), request))
                .singleElement()
                .asString()
                .startsWith("Value '[" + CHANNEL_ARN + ", ")
                .endsWith(
                        "]' at 'arns' failed to satisfy constraint: Member must have length less than or equal to 50");

        assertThat(problems("BatchGetChannelRequest", "{'arns':['" + CHANNEL_ARN + "',null,'nope']}"))
                .containsExactly(
                        "Value null at 'arns.2.member' failed to satisfy constraint: Member must not be null",
                        "Value 'nope' at 'arns.3.member' failed to satisfy constraint: Member must satisfy regular expression "
                                + "pattern: arn:aws:ivs:[a-z0-9-]+:[0-9]+:channel/[a-zA-Z0-9-]+");
    }

    @Test
    void unanchoredModelPatternsStillRejectSurroundingJunk() {
        assertThat(problems("GetChannelRequest", "{'arn':'" + CHANNEL_ARN + "'}"))
                .isEmpty();
        assertThat(problems("GetChannelRequest", "{'arn':'see " + CHANNEL_ARN + " here'}"))
                .hasSize(1);
    }

    @Test
    void neverEchoesSensitiveValues() {
        assertThat(problems(
                        "ImportPlaybackKeyPairRequest",
                        "{'publicKeyMaterial':{'pem':'-----BEGIN PRIVATE KEY-----MIG2AgEAMBAG'}}"))
                .containsExactly(
                        "Value '***' at 'publicKeyMaterial' failed to satisfy constraint: Member must be a string");
        assertThat(problems("ImportPlaybackKeyPairRequest", "{'publicKeyMaterial':['-----BEGIN PRIVATE KEY-----']}"))
                .singleElement()
                .asString()
                .doesNotContain("PRIVATE");
        assertThat(problems("ImportPlaybackKeyPairRequest", "{'name':'k'}"))
                .containsExactly(
                        "Value null at 'publicKeyMaterial' failed to satisfy constraint: Member must not be null");
        assertThat(problems("PutMetadataRequest", "{'channelArn':'" + CHANNEL_ARN + "','metadata':''}"))
                .containsExactly(
                        "Value '***' at 'metadata' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }

    @Test
    void wrongJsonTypesNameTheField() {
        assertThat(
                        problems(
                                "CreateChannelRequest",
                                "{'name':5,'authorized':'yes','tags':[],'multitrackInputConfiguration':'on','insecureIngest':0}"))
                .containsExactly(
                        "Value '5' at 'name' failed to satisfy constraint: Member must be a string",
                        "Value 'yes' at 'authorized' failed to satisfy constraint: Member must be a boolean",
                        "Value '[]' at 'tags' failed to satisfy constraint: Member must be an object",
                        "Value '0' at 'insecureIngest' failed to satisfy constraint: Member must be a boolean",
                        "Value 'on' at 'multitrackInputConfiguration' failed to satisfy constraint: Member must be an object");
        assertThat(problems("BatchGetChannelRequest", "{'arns':'" + CHANNEL_ARN + "'}"))
                .containsExactly(
                        "Value '" + CHANNEL_ARN + "' at 'arns' failed to satisfy constraint: Member must be a list");
    }

    @Test
    void nestedStructuresUseDottedPaths() {
        assertThat(problems("CreateRecordingConfigurationRequest", "{'destinationConfiguration':{'s3':{}}}"))
                .containsExactly("Value null at 'destinationConfiguration.s3.bucketName' failed to satisfy constraint: "
                        + "Member must not be null");
        assertThat(
                        problems(
                                "CreateRecordingConfigurationRequest",
                                "{'destinationConfiguration':{'s3':{'bucketName':'My_Bucket'}},'recordingReconnectWindowSeconds':301}"))
                .containsExactly(
                        "Value 'My_Bucket' at 'destinationConfiguration.s3.bucketName' failed to satisfy constraint: "
                                + "Member must satisfy regular expression pattern: [a-z0-9-.]+",
                        "Value '301' at 'recordingReconnectWindowSeconds' failed to satisfy constraint: "
                                + "Member must have value less than or equal to 300");
        assertThat(problems(
                        "BatchStartViewerSessionRevocationRequest",
                        "{'viewerSessions':[{'channelArn':'" + CHANNEL_ARN + "','viewerId':''}]}"))
                .containsExactly("Value '' at 'viewerSessions.1.member.viewerId' failed to satisfy constraint: "
                        + "Member must have length greater than or equal to 1");
    }

    @Test
    void resourceArnAcceptsRealArnsOfEveryResourceType() {
        assertThat(Pattern.compile("arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]/[a-zA-Z0-9-]+")
                        .matcher(CHANNEL_ARN)
                        .find())
                .as("the published pattern matches no real ARN")
                .isFalse();
        assertThat(problems("ListTagsForResourceRequest", "{'resourceArn':'" + CHANNEL_ARN + "'}"))
                .isEmpty();
        assertThat(problems(
                        "UntagResourceRequest",
                        "{'resourceArn':'arn:aws:ivs:eu-west-1:123456789012:"
                                + "stream-key/Qw3rTy7UiOp1','tagKeys':['env']}"))
                .isEmpty();

        String expected = "failed to satisfy constraint: Member must satisfy regular expression pattern: "
                + "^arn:aws:ivs:[a-z0-9-]+:[0-9]+:[a-z-]+/[a-zA-Z0-9-]+$";
        assertThat(problems("ListTagsForResourceRequest", "{'resourceArn':'garbage'}"))
                .containsExactly("Value 'garbage' at 'resourceArn' " + expected);
        assertThat(problems("ListTagsForResourceRequest", "{'resourceArn':'arn:aws:s3:::bucket/key'}"))
                .containsExactly("Value 'arn:aws:s3:::bucket/key' at 'resourceArn' " + expected);
    }

    @Test
    void unknownMembersAreIgnored() {
        assertThat(problems("CreateChannelRequest", "{'name':'ok','colour':{'x':[1,2]},'Name':7}"))
                .isEmpty();
    }

    @Test
    void reportsAtMostTenProblems() {
        ObjectNode request = JSON.createObjectNode().put("resourceArn", CHANNEL_ARN);
        ArrayNode keys = request.putArray("tagKeys");
        for (int i = 0; i < 20; i++) {
            keys.add("bad key " + i + "!");
        }
        List<String> problems = Validator.validate(IVS.shape("UntagResourceRequest"), request);
        assertThat(problems).hasSize(10);
        assertThat(problems.get(9)).startsWith("Value 'bad key 9!' at 'tagKeys.10.member'");
        assertThat(Validator.message(problems)).startsWith("10 validation errors detected: Value 'bad key 0!'");
    }

    @Test
    void rejectsMisuse() {
        Shape string = IVS.shape("ChannelName");
        assertThatThrownBy(() -> Validator.validate(string, JSON.createObjectNode()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Validator.validate(IVS.shape("GetChannelRequest"), JSON.createArrayNode()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Validator.message(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> problems(String shape, String json) {
        try {
            return Validator.validate(IVS.shape(shape), JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }
}
