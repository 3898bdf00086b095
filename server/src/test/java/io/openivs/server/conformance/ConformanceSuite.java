package io.openivs.server.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.openivs.server.testing.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.*;

/**
 * The IVS control API as the AWS SDK for Java v2 sees it: every operation's
 * happy path and the error cases the IVS API Reference documents, run once per store
 * (subclasses pick SQLite or PostgreSQL). Each test gets a fresh server.
 */
abstract class ConformanceSuite {
    static final String P384_PEM = """
            -----BEGIN PUBLIC KEY-----
            MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEmrvMAorEO8s1IzBZbXEFSQMqz0fAOIHR
            WrKt6PPTB+gZgEbq/NV4h/12AklYZDreu939QEeqabFWbEFM6s2FHSmzgqMxdzXr
            yixQGnhXF01BLYAdp16XFwsexr5XSz8N
            -----END PUBLIC KEY-----
            """;

    @TempDir
    Path dir;

    TestServer server;
    IvsClient ivs;
    IvsClient bob;

    abstract String dbUrl(Path dir);

    void dropDb() {}

    @BeforeEach
    void start() throws Exception {
        server = new TestServer(dir, dbUrl(dir));
        ivs = server.client(TestServer.ALICE);
        bob = server.client(TestServer.BOB);
    }

    @AfterEach
    void stop() {
        ivs.close();
        bob.close();
        server.close();
        dropDb();
    }

    static <T extends IvsException> T expect(Class<T> type, int status, Runnable call) {
        T e = catchThrowableOfType(type, call::run);
        assertThat(e).as("expected " + type.getSimpleName()).isNotNull();
        assertThat(e.statusCode()).isEqualTo(status);
        return e;
    }

    // ---------------------------------------------------------------- channels

    @Test
    void createChannelHasIvsDefaultsAndAWorkingStreamKey() {
        CreateChannelResponse r = ivs.createChannel(b -> b.name("demo"));
        Channel c = r.channel();
        assertThat(c.arn()).matches("arn:aws:ivs:us-west-2:111111111111:channel/[A-Za-z0-9]{12}");
        assertThat(c.name()).isEqualTo("demo");
        assertThat(c.latencyModeAsString()).isEqualTo("LOW");
        assertThat(c.typeAsString()).isEqualTo("STANDARD");
        assertThat(c.authorized()).isFalse();
        assertThat(c.insecureIngest()).isFalse();
        assertThat(c.presetAsString()).isEmpty();
        assertThat(c.recordingConfigurationArn()).isEmpty();
        assertThat(c.playbackRestrictionPolicyArn()).isEmpty();
        assertThat(c.containerFormatAsString()).isEqualTo("TS");
        assertThat(c.multitrackInputConfiguration().enabled()).isFalse();
        assertThat(c.multitrackInputConfiguration().maximumResolutionAsString()).isEqualTo("FULL_HD");
        assertThat(c.multitrackInputConfiguration().policyAsString()).isEqualTo("ALLOW");
        assertThat(c.srt().passphrase()).matches("[A-Za-z0-9]{79}");
        assertThat(c.tags()).isEmpty();
        assertThat(c.ingestEndpoint()).isEqualTo("localhost");
        String id = c.arn().substring(c.arn().lastIndexOf('/') + 1);
        assertThat(c.playbackUrl()).endsWith("/api/video/v1/us-west-2.111111111111.channel." + id + ".m3u8");

        StreamKey k = r.streamKey();
        String keyId = k.arn().substring(k.arn().lastIndexOf('/') + 1);
        assertThat(k.arn()).matches("arn:aws:ivs:us-west-2:111111111111:stream-key/[A-Za-z0-9]{12}");
        assertThat(k.channelArn()).isEqualTo(c.arn());
        assertThat(k.value()).matches("sk_us-west-2_" + keyId + "_[A-Za-z0-9]{30}");

        assertThat(ivs.getChannel(b -> b.arn(c.arn())).channel()).isEqualTo(c);
        assertThat(ivs.getStreamKey(b -> b.arn(k.arn())).streamKey()).isEqualTo(k);
    }

    @Test
    void advancedChannelsGetAPresetAndBasicOnesRefuseOne() {
        Channel adv = ivs.createChannel(b -> b.type(ChannelType.ADVANCED_HD)).channel();
        assertThat(adv.presetAsString()).isEqualTo("HIGHER_BANDWIDTH_DELIVERY");
        expect(
                ValidationException.class,
                400,
                () -> ivs.createChannel(
                        b -> b.type(ChannelType.BASIC).preset(TranscodePreset.CONSTRAINED_BANDWIDTH_DELIVERY)));
        expect(
                ValidationException.class,
                400,
                () -> ivs.createChannel(b -> b.multitrackInputConfiguration(
                        m -> m.enabled(true).policy("ALLOW").maximumResolution("HD"))));
        Channel mt = ivs.createChannel(b -> b.containerFormat(ContainerFormat.FRAGMENTED_MP4)
                        .multitrackInputConfiguration(
                                m -> m.enabled(true).policy("REQUIRE").maximumResolution("HD")))
                .channel();
        assertThat(mt.multitrackInputConfiguration().policyAsString()).isEqualTo("REQUIRE");
    }

    @Test
    void updateChannelChangesOnlyWhatIsGiven() {
        Channel c = ivs.createChannel(b -> b.name("before").authorized(true)).channel();
        Channel u = ivs.updateChannel(b -> b.arn(c.arn()).name("after")).channel();
        assertThat(u.name()).isEqualTo("after");
        assertThat(u.authorized()).isTrue();
        assertThat(u.latencyModeAsString()).isEqualTo("LOW");
        Channel t = ivs.updateChannel(
                        b -> b.arn(c.arn()).type(ChannelType.ADVANCED_SD).latencyMode(ChannelLatencyMode.NORMAL))
                .channel();
        assertThat(t.presetAsString()).isEqualTo("HIGHER_BANDWIDTH_DELIVERY");
        assertThat(t.latencyModeAsString()).isEqualTo("NORMAL");
        assertThat(ivs.getChannel(b -> b.arn(c.arn())).channel()).isEqualTo(t);
    }

    @Test
    void deleteChannelDeletesItsKeyAndIsThenNotFound() {
        CreateChannelResponse r = ivs.createChannel(b -> b.name("gone"));
        ivs.deleteChannel(b -> b.arn(r.channel().arn()));
        expect(
                ResourceNotFoundException.class,
                404,
                () -> ivs.getChannel(b -> b.arn(r.channel().arn())));
        expect(
                ResourceNotFoundException.class,
                404,
                () -> ivs.getStreamKey(b -> b.arn(r.streamKey().arn())));
        expect(
                ResourceNotFoundException.class,
                404,
                () -> ivs.deleteChannel(b -> b.arn(r.channel().arn())));
    }

    @Test
    void batchGetChannelReportsMissesAsErrors() {
        String a = ivs.createChannel(b -> b.name("a")).channel().arn();
        String missing = "arn:aws:ivs:us-west-2:111111111111:channel/AbCdEf123456";
        BatchGetChannelResponse r = ivs.batchGetChannel(b -> b.arns(a, missing));
        assertThat(r.channels()).extracting(Channel::arn).containsExactly(a);
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.arn()).isEqualTo(missing);
            assertThat(e.code()).isEqualTo("ResourceNotFoundException");
        });
        expect(ValidationException.class, 400, () -> ivs.batchGetChannel(b -> b.arns(List.of())));
    }

    @Test
    void listChannelsPagesThreeThreeOneWithoutDuplicates() {
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            created.add(ivs.createChannel(b -> b.name("paged")).channel().arn());
        }
        ivs.createChannel(b -> b.name("other"));
        List<Integer> sizes = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListChannelsResponse page =
                    ivs.listChannels(b -> b.filterByName("paged").maxResults(3).nextToken(t));
            sizes.add(page.channels().size());
            page.channels().forEach(s -> seen.add(s.arn()));
            token = page.nextToken();
        } while (token != null);
        assertThat(sizes).containsExactly(3, 3, 1);
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(created);

        List<String> viaPaginator = new ArrayList<>();
        ivs.listChannelsPaginator(b -> b.maxResults(3)).stream()
                .flatMap(p -> p.channels().stream())
                .forEach(s -> viaPaginator.add(s.arn()));
        assertThat(viaPaginator).hasSize(8).doesNotHaveDuplicates();

        ChannelSummary s =
                ivs.listChannels(b -> b.filterByName("other")).channels().get(0);
        assertThat(s.name()).isEqualTo("other");
        assertThat(s.latencyModeAsString()).isEqualTo("LOW");
        assertThat(s.tags()).isEmpty();
    }

    @Test
    void listChannelsRefusesTwoFiltersAndForeignTokens() {
        expect(
                ConflictException.class,
                409,
                () -> ivs.listChannels(b -> b.filterByName("x")
                        .filterByRecordingConfigurationArn(
                                "arn:aws:ivs:us-west-2:111111111111:recording-configuration/AbCdEf123456")));
        expect(ValidationException.class, 400, () -> ivs.listChannels(b -> b.nextToken("bm90LWEtdG9rZW4")));
        expect(ValidationException.class, 400, () -> ivs.listChannels(b -> b.maxResults(101)));
        expect(ValidationException.class, 400, () -> ivs.listChannels(b -> b.maxResults(0)));
    }

    @Test
    void channelFiltersByReferencedResources() {
        String rc = ivs.createRecordingConfiguration(
                        b -> b.destinationConfiguration(d -> d.s3(s -> s.bucketName("bucket-1"))))
                .recordingConfiguration()
                .arn();
        String with = ivs.createChannel(b -> b.recordingConfigurationArn(rc))
                .channel()
                .arn();
        ivs.createChannel(b -> b.name("without"));
        assertThat(ivs.listChannels(b -> b.filterByRecordingConfigurationArn(rc))
                        .channels())
                .extracting(ChannelSummary::arn)
                .containsExactly(with);
        expect(
                ResourceNotFoundException.class,
                404,
                () -> ivs.createChannel(b -> b.recordingConfigurationArn(
                        "arn:aws:ivs:us-west-2:111111111111:recording-configuration/AbCdEf123456")));
    }

    @Test
    void badChannelInputIsAValidationErrorNamingTheField() {
        ValidationException e =
                expect(ValidationException.class, 400, () -> ivs.createChannel(b -> b.name("bad name!")));
        assertThat(e.getMessage()).contains("'name'");
        expect(ValidationException.class, 400, () -> ivs.createChannel(b -> b.name("x".repeat(129))));
        expect(ValidationException.class, 400, () -> ivs.createChannel(b -> b.latencyMode("FAST")));
        expect(
                ValidationException.class,
                400,
                () -> ivs.getChannel(b -> b.arn("arn:aws:ivs:us-west-2:111111111111:stream-key/AbCdEf123456")));
        expect(ValidationException.class, 400, () -> ivs.createChannel(b -> b.tags(Map.of("aws:reserved", "x"))));
    }

    @Test
    void channelQuotaIsServiceQuotaExceededWith402() throws Exception {
        // The quota is 5,000; exercising it needs a server with a small quota.
        server.close();
        server = new TestServer(
                dir, dbUrl(dir.resolve("q")), new io.openivs.server.config.ServerConfig.Quotas(2, 3, 20, 20, 100));
        ivs = server.client(TestServer.ALICE);
        ivs.createChannel(b -> b.name("one"));
        ivs.createChannel(b -> b.name("two"));
        expect(ServiceQuotaExceededException.class, 402, () -> ivs.createChannel(b -> b.name("three")));
        server.client(TestServer.BOB).createChannel(b -> b.name("bob-is-not-counted"));
    }

    // ---------------------------------------------------------------- stream keys

    @Test
    void streamKeysOnePerChannel() {
        CreateChannelResponse r = ivs.createChannel(b -> b.name("k"));
        String ch = r.channel().arn();
        expect(ServiceQuotaExceededException.class, 402, () -> ivs.createStreamKey(b -> b.channelArn(ch)));
        ListStreamKeysResponse list = ivs.listStreamKeys(b -> b.channelArn(ch));
        assertThat(list.streamKeys()).singleElement().satisfies(s -> {
            assertThat(s.arn()).isEqualTo(r.streamKey().arn());
            assertThat(s.channelArn()).isEqualTo(ch);
        });
        ivs.deleteStreamKey(b -> b.arn(r.streamKey().arn()));
        assertThat(ivs.listStreamKeys(b -> b.channelArn(ch)).streamKeys()).isEmpty();
        StreamKey fresh = ivs.createStreamKey(b -> b.channelArn(ch).tags(Map.of("team", "video")))
                .streamKey();
        assertThat(fresh.value())
                .startsWith("sk_us-west-2_")
                .isNotEqualTo(r.streamKey().value());
        assertThat(fresh.tags()).containsEntry("team", "video");
        BatchGetStreamKeyResponse batch =
                ivs.batchGetStreamKey(b -> b.arns(fresh.arn(), r.streamKey().arn()));
        assertThat(batch.streamKeys()).extracting(StreamKey::value).containsExactly(fresh.value());
        assertThat(batch.errors())
                .extracting(BatchError::arn)
                .containsExactly(r.streamKey().arn());
        expect(
                ResourceNotFoundException.class,
                404,
                () -> ivs.createStreamKey(
                        b -> b.channelArn("arn:aws:ivs:us-west-2:111111111111:channel/AbCdEf123456")));
    }

    // ---------------------------------------------------------------- playback keys

    @Test
    void importPlaybackKeyPairComputesTheRealFingerprint() throws Exception {
        PlaybackKeyPair k = ivs.importPlaybackKeyPair(
                        b -> b.publicKeyMaterial(P384_PEM).name("viewer-key"))
                .keyPair();
        // The key material kept for token checks is not part of the API's answer (the SDK would ignore it).
        String rawGet = new io.openivs.server.testing.SignedHttp(server.endpoint(), TestServer.ALICE)
                .send(
                        "POST",
                        "/GetPlaybackKeyPair",
                        ("{\"arn\":\"" + k.arn() + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .body();
        assertThat(rawGet).contains(k.fingerprint()).doesNotContain("publicKeyDer");
        assertThat(k.fingerprint()).isEqualTo("3a:15:05:51:62:f1:3f:2c:d3:42:7f:a9:bb:92:1d:51");
        assertThat(k.arn()).matches("arn:aws:ivs:us-west-2:111111111111:playback-key/[A-Za-z0-9]{12}");
        assertThat(ivs.getPlaybackKeyPair(b -> b.arn(k.arn())).keyPair()).isEqualTo(k);
        assertThat(ivs.listPlaybackKeyPairs(b -> {}).keyPairs())
                .extracting(PlaybackKeyPairSummary::arn)
                .containsExactly(k.arn());
        // The same key again, even re-wrapped with CRLF line ends, is a duplicate.
        expect(
                ConflictException.class,
                409,
                () -> ivs.importPlaybackKeyPair(b -> b.publicKeyMaterial(P384_PEM.replace("\n", "\r\n"))));
        // Another account may import the same key.
        assertThat(bob.importPlaybackKeyPair(b -> b.publicKeyMaterial(P384_PEM))
                        .keyPair()
                        .fingerprint())
                .isEqualTo(k.fingerprint());
        ivs.deletePlaybackKeyPair(b -> b.arn(k.arn()));
        expect(ResourceNotFoundException.class, 404, () -> ivs.getPlaybackKeyPair(b -> b.arn(k.arn())));
    }

    @Test
    void importPlaybackKeyPairRefusesWhatIsNotAP384PublicKey() throws Exception {
        expect(ValidationException.class, 400, () -> ivs.importPlaybackKeyPair(b -> b.publicKeyMaterial("not a key")));
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        String p256 = pem(g.generateKeyPair().getPublic().getEncoded());
        expect(ValidationException.class, 400, () -> ivs.importPlaybackKeyPair(b -> b.publicKeyMaterial(p256)));
        java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        String rsaPem = pem(rsa.generateKeyPair().getPublic().getEncoded());
        expect(ValidationException.class, 400, () -> ivs.importPlaybackKeyPair(b -> b.publicKeyMaterial(rsaPem)));
    }

    @Test
    void playbackKeyPairQuotaIsThree() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
        for (int i = 0; i < 3; i++) {
            String p = pem(g.generateKeyPair().getPublic().getEncoded());
            ivs.importPlaybackKeyPair(b -> b.publicKeyMaterial(p));
        }
        String fourth = pem(g.generateKeyPair().getPublic().getEncoded());
        expect(
                ServiceQuotaExceededException.class,
                402,
                () -> ivs.importPlaybackKeyPair(b -> b.publicKeyMaterial(fourth)));
    }

    static String pem(byte[] der) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END PUBLIC KEY-----\n";
    }

    // ---------------------------------------------------------------- recording configurations

    @Test
    void recordingConfigurationDefaultsAndConflictWhileReferenced() {
        RecordingConfiguration rc = ivs.createRecordingConfiguration(
                        b -> b.name("rec").destinationConfiguration(d -> d.s3(s -> s.bucketName("my-bucket"))))
                .recordingConfiguration();
        assertThat(rc.arn()).matches("arn:aws:ivs:us-west-2:111111111111:recording-configuration/[A-Za-z0-9]{12}");
        assertThat(rc.stateAsString()).isIn("CREATING", "ACTIVE");
        assertThat(rc.recordingReconnectWindowSeconds()).isZero();
        assertThat(rc.thumbnailConfiguration().recordingModeAsString()).isEqualTo("INTERVAL");
        assertThat(rc.thumbnailConfiguration().targetIntervalSeconds()).isEqualTo(60L);
        assertThat(rc.thumbnailConfiguration().storageAsStrings()).containsExactly("SEQUENTIAL");
        assertThat(rc.renditionConfiguration().renditionSelectionAsString()).isEqualTo("ALL");
        assertThat(ivs.getRecordingConfiguration(b -> b.arn(rc.arn()))
                        .recordingConfiguration()
                        .destinationConfiguration()
                        .s3()
                        .bucketName())
                .isEqualTo("my-bucket");
        assertThat(ivs.listRecordingConfigurations(b -> {}).recordingConfigurations())
                .extracting(RecordingConfigurationSummary::arn)
                .containsExactly(rc.arn());

        String ch = ivs.createChannel(b -> b.recordingConfigurationArn(rc.arn()))
                .channel()
                .arn();
        expect(ConflictException.class, 409, () -> ivs.deleteRecordingConfiguration(b -> b.arn(rc.arn())));
        ivs.updateChannel(b -> b.arn(ch).recordingConfigurationArn(""));
        ivs.deleteRecordingConfiguration(b -> b.arn(rc.arn()));
        expect(ResourceNotFoundException.class, 404, () -> ivs.getRecordingConfiguration(b -> b.arn(rc.arn())));

        expect(
                ValidationException.class,
                400,
                () -> ivs.createRecordingConfiguration(
                        b -> b.destinationConfiguration(d -> d.s3(s -> s.bucketName("UPPER_case")))));
        expect(
                ValidationException.class,
                400,
                () -> ivs.createRecordingConfiguration(
                        b -> b.destinationConfiguration(d -> d.s3(s -> s.bucketName("ok-bucket")))
                                .renditionConfiguration(r -> r.renditionSelection("CUSTOM"))));
    }

    // ---------------------------------------------------------------- playback restriction policies

    @Test
    void playbackRestrictionPolicyLifecycle() {
        PlaybackRestrictionPolicy p = ivs.createPlaybackRestrictionPolicy(
                        b -> b.name("eu").allowedCountries("DE", "FR").allowedOrigins("https://example.com"))
                .playbackRestrictionPolicy();
        assertThat(p.enableStrictOriginEnforcement()).isFalse();
        assertThat(p.allowedCountries()).containsExactly("DE", "FR");
        PlaybackRestrictionPolicy u = ivs.updatePlaybackRestrictionPolicy(
                        b -> b.arn(p.arn()).enableStrictOriginEnforcement(true))
                .playbackRestrictionPolicy();
        assertThat(u.enableStrictOriginEnforcement()).isTrue();
        assertThat(u.allowedOrigins()).containsExactly("https://example.com");
        assertThat(ivs.listPlaybackRestrictionPolicies(b -> {}).playbackRestrictionPolicies())
                .hasSize(1);
        String ch = ivs.createChannel(b -> b.playbackRestrictionPolicyArn(p.arn()))
                .channel()
                .arn();
        expect(ConflictException.class, 409, () -> ivs.deletePlaybackRestrictionPolicy(b -> b.arn(p.arn())));
        ivs.deleteChannel(b -> b.arn(ch));
        ivs.deletePlaybackRestrictionPolicy(b -> b.arn(p.arn()));
        PlaybackRestrictionPolicy empty =
                ivs.createPlaybackRestrictionPolicy(b -> {}).playbackRestrictionPolicy();
        assertThat(empty.allowedCountries()).isEmpty();
        assertThat(empty.allowedOrigins()).isEmpty();
    }

    // ---------------------------------------------------------------- ad configurations

    /**
     * The AWS SDK for Java v2 release reachable here (2.40) predates ad configurations, so these
     * operations go through openivs's own client, which is generated from the same model.
     */
    io.openivs.client.IvsClient ownClient() {
        return io.openivs.client.IvsClient.builder()
                .region(TestServer.REGION)
                .endpoint(server.endpoint())
                .credentials(TestServer.ALICE.accessKeyId(), TestServer.ALICE.secretKey())
                .build();
    }

    String createAdConfiguration(String name) {
        return ownClient()
                .createAdConfiguration(b -> b.name(name)
                        .mediaTailorPlaybackConfigurations(
                                List.of(io.openivs.client.model.MediaTailorPlaybackConfiguration.builder()
                                        .playbackConfigurationArn(
                                                "arn:aws:mediatailor:us-west-2:111111111111:playbackConfiguration/demo")
                                        .build())))
                .adConfiguration()
                .arn();
    }

    @Test
    void adConfigurationLifecycleAndTsOnlyRule() {
        io.openivs.client.IvsClient own = ownClient();
        String ad = createAdConfiguration("ads");
        assertThat(ad).matches("arn:aws:ivs:us-west-2:111111111111:ad-configuration/[A-Za-z0-9]{12}");
        assertThat(own.getAdConfiguration(b -> b.arn(ad)).adConfiguration().name())
                .isEqualTo("ads");
        assertThat(own.listAdConfigurations(b -> {}).adConfigurations())
                .extracting(io.openivs.client.model.AdConfigurationSummary::arn)
                .containsExactly(ad);
        io.openivs.client.model.IvsException invalid = catchThrowableOfType(
                io.openivs.client.model.IvsException.class,
                () -> own.createChannel(b -> b.adConfigurationArn(ad).containerFormat("FRAGMENTED_MP4")));
        assertThat(invalid.statusCode()).isEqualTo(400);
        String ch = own.createChannel(b -> b.adConfigurationArn(ad)).channel().arn();
        assertThat(catchThrowableOfType(
                                io.openivs.client.model.IvsException.class,
                                () -> own.deleteAdConfiguration(b -> b.arn(ad)))
                        .statusCode())
                .isEqualTo(409);
        assertThat(catchThrowableOfType(
                                io.openivs.client.model.IvsException.class,
                                () -> own.insertAdBreak(b -> b.channelArn(ch).durationSeconds(30)))
                        .errorCode())
                .isEqualTo("ChannelNotBroadcasting");
        own.deleteChannel(b -> b.arn(ch));
        own.deleteAdConfiguration(b -> b.arn(ad));
    }

    // ---------------------------------------------------------------- streams (offline)

    @Test
    void streamOperationsOnAnOfflineChannel() {
        String ch = ivs.createChannel(b -> b.name("off")).channel().arn();
        expect(ChannelNotBroadcastingException.class, 404, () -> ivs.getStream(b -> b.channelArn(ch)));
        expect(ChannelNotBroadcastingException.class, 404, () -> ivs.stopStream(b -> b.channelArn(ch)));
        expect(
                ChannelNotBroadcastingException.class,
                404,
                () -> ivs.putMetadata(b -> b.channelArn(ch).metadata("hi")));
        expect(
                ValidationException.class,
                400,
                () -> ivs.putMetadata(b -> b.channelArn(ch).metadata("x".repeat(1025))));
        assertThat(ivs.listStreams(b -> {}).streams()).isEmpty();
        assertThat(ivs.listStreams(b -> b.filterBy(f -> f.health(StreamHealth.HEALTHY)))
                        .streams())
                .isEmpty();
        assertThat(ivs.listStreamSessions(b -> b.channelArn(ch)).streamSessions())
                .isEmpty();
        expect(ResourceNotFoundException.class, 404, () -> ivs.getStreamSession(b -> b.channelArn(ch)));
        expect(
                ResourceNotFoundException.class,
                404,
                () -> ivs.getStream(b -> b.channelArn("arn:aws:ivs:us-west-2:111111111111:channel/AbCdEf123456")));
    }

    @Test
    void viewerSessionRevocation() {
        String ch = ivs.createChannel(b -> b.name("rev")).channel().arn();
        ivs.startViewerSessionRevocation(
                b -> b.channelArn(ch).viewerId("viewer-1").viewerSessionVersionsLessThanOrEqualTo(3));
        String missing = "arn:aws:ivs:us-west-2:111111111111:channel/AbCdEf123456";
        BatchStartViewerSessionRevocationResponse r = ivs.batchStartViewerSessionRevocation(b -> b.viewerSessions(
                v -> v.channelArn(ch).viewerId("viewer-2"),
                v -> v.channelArn(missing).viewerId("viewer-3")));
        assertThat(r.errors()).singleElement().satisfies(e -> {
            assertThat(e.channelArn()).isEqualTo(missing);
            assertThat(e.viewerId()).isEqualTo("viewer-3");
        });
        expect(
                ResourceNotFoundException.class,
                404,
                () -> ivs.startViewerSessionRevocation(
                        b -> b.channelArn(missing).viewerId("v")));
        expect(
                ValidationException.class,
                400,
                () -> ivs.startViewerSessionRevocation(b -> b.channelArn(ch).viewerId("v".repeat(41))));
    }

    // ---------------------------------------------------------------- tags

    @Test
    void tagsRoundTripOnEveryTaggableResource() throws Exception {
        CreateChannelResponse c = ivs.createChannel(b -> b.tags(Map.of("a", "1")));
        List<String> arns = List.of(
                c.channel().arn(),
                c.streamKey().arn(),
                ivs.importPlaybackKeyPair(b -> b.publicKeyMaterial(P384_PEM))
                        .keyPair()
                        .arn(),
                ivs.createRecordingConfiguration(b -> b.destinationConfiguration(d -> d.s3(s -> s.bucketName("b-1"))))
                        .recordingConfiguration()
                        .arn(),
                ivs.createPlaybackRestrictionPolicy(b -> {})
                        .playbackRestrictionPolicy()
                        .arn(),
                createAdConfiguration("tagged"));
        for (String arn : arns) {
            ivs.tagResource(b -> b.resourceArn(arn).tags(Map.of("env", "test", "owner", "video team")));
            assertThat(ivs.listTagsForResource(b -> b.resourceArn(arn)).tags())
                    .containsEntry("env", "test")
                    .containsEntry("owner", "video team");
            ivs.untagResource(b -> b.resourceArn(arn).tagKeys("env", "owner"));
            assertThat(ivs.listTagsForResource(b -> b.resourceArn(arn)).tags()).doesNotContainKeys("env", "owner");
        }
        assertThat(ivs.listTagsForResource(b -> b.resourceArn(c.channel().arn()))
                        .tags())
                .containsExactly(Map.entry("a", "1"));
        assertThat(ivs.getChannel(b -> b.arn(c.channel().arn())).channel().tags())
                .containsExactly(Map.entry("a", "1"));
        expect(
                ResourceNotFoundException.class,
                404,
                () -> ivs.listTagsForResource(
                        b -> b.resourceArn("arn:aws:ivs:us-west-2:111111111111:channel/AbCdEf123456")));
        expect(
                ValidationException.class,
                400,
                () -> ivs.listTagsForResource(b -> b.resourceArn("arn:aws:s3:::bucket")));
        Map<String, String> many = new java.util.HashMap<>();
        for (int i = 0; i < 50; i++) {
            many.put("k" + i, "v");
        }
        expect(
                ValidationException.class,
                400,
                () -> ivs.tagResource(b -> b.resourceArn(c.channel().arn()).tags(many)));
    }

    // ---------------------------------------------------------------- accounts and auth

    @Test
    void accountsCannotSeeEachOther() {
        CreateChannelResponse mine = ivs.createChannel(b -> b.name("alice"));
        String arn = mine.channel().arn();
        expect(ResourceNotFoundException.class, 404, () -> bob.getChannel(b -> b.arn(arn)));
        expect(ResourceNotFoundException.class, 404, () -> bob.deleteChannel(b -> b.arn(arn)));
        expect(
                ResourceNotFoundException.class,
                404,
                () -> bob.getStreamKey(b -> b.arn(mine.streamKey().arn())));
        expect(
                ResourceNotFoundException.class,
                404,
                () -> bob.tagResource(b -> b.resourceArn(arn).tags(Map.of("x", "y"))));
        assertThat(bob.listChannels(b -> {}).channels()).isEmpty();
        bob.createChannel(b -> b.name("bob"));
        assertThat(ivs.listChannels(b -> {}).channels())
                .extracting(ChannelSummary::name)
                .containsExactly("alice");
    }

    @Test
    void wrongSecretIsRefused() {
        var wrong = new io.openivs.server.auth.CredentialStore.Credential(
                TestServer.ALICE.accessKeyId(), "not-the-secret", TestServer.ALICE.accountId());
        try (IvsClient bad = server.client(wrong)) {
            IvsException e = catchThrowableOfType(IvsException.class, () -> bad.listChannels(b -> {}));
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
        }
        var unknown =
                new io.openivs.server.auth.CredentialStore.Credential("AKIAUNKNOWN000000000", "x", "333333333333");
        try (IvsClient bad = server.client(unknown)) {
            IvsException e = catchThrowableOfType(IvsException.class, () -> bad.listChannels(b -> {}));
            assertThat(e.statusCode()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
        }
    }

    @Test
    void everyOperationOfTheModelHasAHandler() {
        // The server refuses to start otherwise; this pins the count the issue names.
        assertThat(io.openivs.model.ServiceModel.ivs().operations()).hasSize(40);
    }
}
