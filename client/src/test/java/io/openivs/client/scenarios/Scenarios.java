package io.openivs.client.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.openivs.client.IvsClient;
import io.openivs.client.model.BatchGetChannelResponse;
import io.openivs.client.model.Channel;
import io.openivs.client.model.ChannelLatencyMode;
import io.openivs.client.model.ChannelNotBroadcastingException;
import io.openivs.client.model.ChannelSummary;
import io.openivs.client.model.ChannelType;
import io.openivs.client.model.ConflictException;
import io.openivs.client.model.CreateChannelResponse;
import io.openivs.client.model.ImportPlaybackKeyPairResponse;
import io.openivs.client.model.IvsException;
import io.openivs.client.model.ListChannelsRequest;
import io.openivs.client.model.ListStreamKeysRequest;
import io.openivs.client.model.PlaybackKeyPairSummary;
import io.openivs.client.model.RecordingConfiguration;
import io.openivs.client.model.RecordingConfigurationSummary;
import io.openivs.client.model.ResourceNotFoundException;
import io.openivs.client.model.ServiceQuotaExceededException;
import io.openivs.client.model.StreamKey;
import io.openivs.client.model.StreamKeySummary;
import io.openivs.client.model.ValidationException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Behaviour a user of IVS relies on, written against the client only so that the same scenarios can run
 * against AWS, against a running openivs ({@code LiveScenariosTest}) or from the server's conformance suite
 * (which hands in a client aimed at its own server). Each scenario creates what it needs, under a name unique
 * to the run, and deletes it again.
 */
public final class Scenarios {

    /** A named check; {@code run} throws (an AssertionError or the client's exception) when it fails. */
    public record Scenario(String name, Consumer<IvsClient> run) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final String MISSING_CHANNEL = "arn:aws:ivs:us-west-2:123456789012:channel/DoesNotExist1";

    private Scenarios() {}

    /** Every scenario, cheapest first. */
    public static List<Scenario> all() {
        return List.of(
                new Scenario("channel lifecycle", Scenarios::channelLifecycle),
                new Scenario("tags on a channel ARN", Scenarios::tags),
                new Scenario("one stream key per channel", Scenarios::streamKeys),
                new Scenario("typed errors", Scenarios::errors),
                new Scenario("recording configurations", Scenarios::recordingConfigurations),
                new Scenario("playback key pairs", Scenarios::playbackKeyPairs),
                new Scenario("every paginator form over 250 channels, 7 per page", c -> paginateChannels(c, 250, 7)));
    }

    private static String runName(String what) {
        return "scn-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static void channelLifecycle(IvsClient ivs) {
        String name = runName("life");
        CreateChannelResponse created = ivs.createChannel(r -> r.name(name));
        Channel channel = created.channel();
        try {
            assertThat(channel.arn()).matches("arn:aws:ivs:[a-z0-9-]+:[0-9]+:channel/[a-zA-Z0-9-]+");
            assertThat(channel.name()).isEqualTo(name);
            assertThat(channel.type()).isEqualTo(ChannelType.STANDARD);
            assertThat(channel.latencyMode()).isEqualTo(ChannelLatencyMode.LOW);
            assertThat(channel.authorized()).isFalse();
            assertThat(channel.ingestEndpoint()).isNotBlank();
            assertThat(channel.playbackUrl()).endsWith(".m3u8");
            assertThat(created.streamKey().channelArn()).isEqualTo(channel.arn());
            assertThat(created.streamKey().value()).startsWith("sk_");

            assertThat(ivs.getChannel(r -> r.arn(channel.arn())).channel()).isEqualTo(channel);

            Channel updated = ivs.updateChannel(
                            r -> r.arn(channel.arn()).name(name + "-2").latencyMode(ChannelLatencyMode.NORMAL))
                    .channel();
            assertThat(updated.name()).isEqualTo(name + "-2");
            assertThat(updated.latencyMode()).isEqualTo(ChannelLatencyMode.NORMAL);
            assertThat(updated.type()).isEqualTo(ChannelType.STANDARD);

            BatchGetChannelResponse batch = ivs.batchGetChannel(r -> r.arns(channel.arn(), MISSING_CHANNEL));
            assertThat(batch.channels()).extracting(Channel::arn).containsExactly(channel.arn());
            assertThat(batch.errors())
                    .singleElement()
                    .satisfies(e -> assertThat(e.arn()).isEqualTo(MISSING_CHANNEL));
        } finally {
            ivs.deleteChannel(r -> r.arn(channel.arn()));
        }
        assertThatThrownBy(() -> ivs.getChannel(r -> r.arn(channel.arn())))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> ivs.deleteChannel(r -> r.arn(channel.arn())))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    static void tags(IvsClient ivs) {
        String arn = ivs.createChannel(r -> r.name(runName("tags")).tags(Map.of("team", "video", "env", "test")))
                .channel()
                .arn();
        try {
            assertThat(ivs.listTagsForResource(r -> r.resourceArn(arn)).tags())
                    .containsOnly(Map.entry("team", "video"), Map.entry("env", "test"));
            ivs.tagResource(r -> r.resourceArn(arn).tags(Map.of("cost center", "42", "team", "live")));
            ivs.untagResource(r -> r.resourceArn(arn).tagKeys("env", "cost center"));
            assertThat(ivs.listTagsForResource(r -> r.resourceArn(arn)).tags()).containsOnly(Map.entry("team", "live"));
            assertThat(ivs.getChannel(r -> r.arn(arn)).channel().tags()).containsOnly(Map.entry("team", "live"));
        } finally {
            ivs.deleteChannel(r -> r.arn(arn));
        }
        assertThatThrownBy(() -> ivs.listTagsForResource(r -> r.resourceArn(arn)))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    static void streamKeys(IvsClient ivs) {
        CreateChannelResponse created = ivs.createChannel(r -> r.name(runName("keys")));
        String channelArn = created.channel().arn();
        try {
            List<StreamKeySummary> keys = ivs.listAllStreamKeys(keysOf(channelArn));
            assertThat(keys)
                    .extracting(StreamKeySummary::arn)
                    .containsExactly(created.streamKey().arn());

            StreamKey key =
                    ivs.getStreamKey(r -> r.arn(created.streamKey().arn())).streamKey();
            assertThat(key.value()).isEqualTo(created.streamKey().value());

            ServiceQuotaExceededException full = catchThrowableOfType(
                    ServiceQuotaExceededException.class, () -> ivs.createStreamKey(r -> r.channelArn(channelArn)));
            assertThat(full.statusCode()).isEqualTo(402);

            ivs.deleteStreamKey(r -> r.arn(key.arn()));
            assertThat(ivs.listAllStreamKeys(keysOf(channelArn))).isEmpty();
            StreamKey fresh = ivs.createStreamKey(r -> r.channelArn(channelArn)).streamKey();
            assertThat(fresh.value()).isNotEqualTo(key.value()).startsWith("sk_");
        } finally {
            ivs.deleteChannel(r -> r.arn(channelArn));
        }
    }

    private static ListStreamKeysRequest keysOf(String channelArn) {
        return ListStreamKeysRequest.builder().channelArn(channelArn).build();
    }

    static void errors(IvsClient ivs) {
        ResourceNotFoundException missing = catchThrowableOfType(
                ResourceNotFoundException.class, () -> ivs.getChannel(r -> r.arn(MISSING_CHANNEL)));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.requestId()).isNotBlank();

        assertThatThrownBy(() -> ivs.getChannel(r -> r.arn("not-an-arn")))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((IvsException) e).statusCode()).isEqualTo(400));
        assertThatThrownBy(() -> ivs.listChannels(r -> r.maxResults(0))).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> ivs.listChannels(r -> r.filterByName("a")
                        .filterByRecordingConfigurationArn(
                                "arn:aws:ivs:us-west-2:123456789012:recording-configuration/AbCd")))
                .isInstanceOf(ConflictException.class);

        String arn =
                ivs.createChannel(r -> r.name(runName("offline"))).channel().arn();
        try {
            assertThatThrownBy(() -> ivs.getStream(r -> r.channelArn(arn)))
                    .isInstanceOf(ChannelNotBroadcastingException.class);
            assertThatThrownBy(() -> ivs.stopStream(r -> r.channelArn(arn)))
                    .isInstanceOf(ChannelNotBroadcastingException.class);
        } finally {
            ivs.deleteChannel(r -> r.arn(arn));
        }
    }

    static void recordingConfigurations(IvsClient ivs) {
        String name = runName("rec");
        RecordingConfiguration created = ivs.createRecordingConfiguration(
                        r -> r.name(name).destinationConfiguration(d -> d.s3(s3 -> s3.bucketName("openivs-scenarios"))))
                .recordingConfiguration();
        try {
            assertThat(created.destinationConfiguration().s3().bucketName()).isEqualTo("openivs-scenarios");
            assertThat(created.stateAsString()).isIn("CREATING", "ACTIVE", "CREATE_FAILED");
            assertThat(ivs.getRecordingConfiguration(r -> r.arn(created.arn()))
                            .recordingConfiguration()
                            .arn())
                    .isEqualTo(created.arn());
            assertThat(ivs.listAllRecordingConfigurations())
                    .extracting(RecordingConfigurationSummary::arn)
                    .contains(created.arn());
        } finally {
            ivs.deleteRecordingConfiguration(r -> r.arn(created.arn()));
        }
        assertThatThrownBy(() -> ivs.getRecordingConfiguration(r -> r.arn(created.arn())))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    static void playbackKeyPairs(IvsClient ivs) {
        String pem;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp384r1"));
            byte[] der = generator.generateKeyPair().getPublic().getEncoded();
            pem = "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        ImportPlaybackKeyPairResponse imported =
                ivs.importPlaybackKeyPair(r -> r.name(runName("key")).publicKeyMaterial(pem));
        String arn = imported.keyPair().arn();
        try {
            assertThat(imported.keyPair().fingerprint()).matches("([0-9a-f]{2}:){15}[0-9a-f]{2}");
            assertThat(ivs.listAllPlaybackKeyPairs())
                    .extracting(PlaybackKeyPairSummary::arn)
                    .contains(arn);
            assertThatThrownBy(() -> ivs.importPlaybackKeyPair(r -> r.publicKeyMaterial(pem)))
                    .isInstanceOf(ConflictException.class);
        } finally {
            ivs.deletePlaybackKeyPair(r -> r.arn(arn));
        }
    }

    /** Creates {@code count} channels under one name, walks them with every paginator form, deletes them. */
    public static void paginateChannels(IvsClient ivs, int count, int pageSize) {
        String name = runName("page");
        List<String> arns = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                arns.add(ivs.createChannel(r -> r.name(name)).channel().arn());
            }
            ListChannelsRequest request = ListChannelsRequest.builder()
                    .filterByName(name)
                    .maxResults(pageSize)
                    .build();
            Set<String> expected = Set.copyOf(arns);

            List<ChannelSummary> all = ivs.listAllChannels(request);
            assertThat(all)
                    .extracting(ChannelSummary::arn)
                    .doesNotHaveDuplicates()
                    .hasSize(count)
                    .containsExactlyInAnyOrderElementsOf(expected);

            List<String> called = new ArrayList<>();
            ivs.listAllChannels(request, c -> called.add(c.arn()));
            assertThat(called)
                    .containsExactlyElementsOf(
                            all.stream().map(ChannelSummary::arn).collect(Collectors.toList()));

            assertThat(ivs.listChannelsPaginator(request).stream().map(ChannelSummary::arn))
                    .hasSize(count);
            int pages = 0;
            for (var page : ivs.listChannelsPaginator(request).pages()) {
                assertThat(page.channels()).hasSizeLessThanOrEqualTo(pageSize);
                pages++;
            }
            assertThat(pages).isEqualTo((count + pageSize - 1) / pageSize);

            List<ChannelSummary> async = ivs.async().listAllChannels(request).get(60, TimeUnit.SECONDS);
            assertThat(async).extracting(ChannelSummary::arn).containsExactlyInAnyOrderElementsOf(expected);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("async listing failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            for (String arn : arns) {
                ivs.deleteChannel(r -> r.arn(arn));
            }
        }
    }
}
