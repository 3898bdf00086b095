package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openivs.server.media.FfmpegTool;
import io.openivs.server.media.id3.Id3Tag;
import io.openivs.server.testing.ServerFixture;
import io.openivs.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.services.ivs.model.ChannelNotBroadcastingException;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;
import software.amazon.awssdk.services.ivs.model.ThrottlingException;
import software.amazon.awssdk.services.ivs.model.ValidationException;

/**
 * PutMetadata and InsertAdBreak on a channel that real ffmpeg publishes to: ffprobe reads the
 * metadata back as timed ID3 from the served segments, and the ad break shows in the playlist
 * as an SCTE-35 EXT-X-DATERANGE.
 */
class LiveMetadataTest {
    // No retries: a throttled call must show as throttled, not be retried into success.
    @RegisterExtension
    static final ServerFixture node = new ServerFixture().ivsOverride(o -> o.retryPolicy(RetryPolicy.none()));

    static io.openivs.client.IvsClient own;
    static final HttpClient http = HttpClient.newHttpClient();
    static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        // The AWS SDK release here predates ad configurations: those calls use openivs's own client.
        own = io.openivs.client.IvsClient.builder()
                .region(TestServer.REGION)
                .endpoint(node.server().endpoint())
                .credentials(TestServer.ALICE.accessKeyId(), TestServer.ALICE.secretKey())
                .build();
    }

    private CompletableFuture<FfmpegTool.Result> publish(String key, int seconds) {
        return publish(node.server(), key, seconds);
    }

    /** ffmpeg publishing a small generated H.264 + AAC stream to {@code target} over RTMP, in the background. */
    static CompletableFuture<FfmpegTool.Result> publish(TestServer target, String key, int seconds) {
        String url = "rtmp://127.0.0.1:" + target.server().rtmpPort() + "/app/" + key;
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return FfmpegTool.ffmpeg(
                                "-hide_banner",
                                "-loglevel",
                                "error",
                                "-re",
                                "-f",
                                "lavfi",
                                "-i",
                                "testsrc2=size=320x180:rate=30",
                                "-f",
                                "lavfi",
                                "-i",
                                "sine",
                                "-t",
                                Integer.toString(seconds),
                                "-c:v",
                                "libx264",
                                "-preset",
                                "ultrafast",
                                "-g",
                                "30",
                                "-c:a",
                                "aac",
                                "-f",
                                "flv",
                                url);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                node.background());
    }

    /** The media playlist's URI once the channel has segments. */
    static URI mediaPlaylist(String playbackUrl) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            HttpResponse<String> master = http.send(
                    HttpRequest.newBuilder(URI.create(playbackUrl)).build(), HttpResponse.BodyHandlers.ofString());
            if (master.statusCode() == 200) {
                String uri = master.body()
                        .lines()
                        .filter(l -> !l.startsWith("#") && !l.isBlank())
                        .findFirst()
                        .orElseThrow();
                return URI.create(playbackUrl).resolve(uri);
            }
            assertThat(System.nanoTime()).as("channel playable in time").isLessThan(deadline);
            Thread.sleep(300);
        }
    }

    static String get(URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /**
     * The value of each ID3 TXXX frame ffprobe finds in the data stream of one segment file, each
     * checked to be timed within the segment's media.
     */
    static List<String> id3Texts(Path segment) throws Exception {
        FfmpegTool.Result r = FfmpegTool.ffprobe(
                "-v",
                "error",
                "-select_streams",
                "d",
                "-show_packets",
                "-show_data",
                "-show_entries",
                "format=start_time,duration",
                "-of",
                "json",
                segment.toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode probe = json.readTree(r.stdout());
        double start = probe.path("format").path("start_time").asDouble();
        double end = start + probe.path("format").path("duration").asDouble();
        List<String> texts = new ArrayList<>();
        boolean first = true;
        for (JsonNode p : probe.path("packets")) {
            assertThat(p.path("pts_time").asDouble()).isBetween(start, end + 0.1);
            byte[] tag = hexDump(p.path("data").asText());
            if (first) {
                // A live segment starts with the latency stamp the IVS player reads getLiveLatency() from,
                // timed as its first video frame (audio may start a little before that).
                assertThat(p.path("pts_time").asDouble())
                        .as("stamp at the segment's start")
                        .isLessThan(start + 0.5);
                assertThat(txxx(tag, Id3Tag.SEGMENT_METADATA))
                        .startsWith("{\"cmd\":\"ld_lat_data\",\"transc_s\":")
                        .contains("\"transc_r\":");
                first = false;
            } else {
                texts.add(txxx(tag, ""));
            }
        }
        assertThat(first).as("a latency stamp in the segment").isFalse();
        return texts;
    }

    /**
     * Downloads each new segment of the media playlist and gathers the ID3 texts ffprobe finds in
     * them (downloaded into {@code workDir}), until all of {@code wanted} are seen or {@code limit} passes.
     */
    static Set<String> id3TextsUntil(URI media, Set<String> wanted, Duration limit, Path workDir) throws Exception {
        Set<String> seen = new HashSet<>();
        Set<String> probed = new HashSet<>();
        long deadline = System.nanoTime() + limit.toNanos();
        while (!seen.containsAll(wanted) && System.nanoTime() < deadline) {
            for (String line : get(media)
                    .lines()
                    .filter(l -> !l.startsWith("#") && l.endsWith(".ts"))
                    .toList()) {
                if (!probed.add(line)) {
                    continue;
                }
                Path file = Files.createTempFile(workDir, "segment", ".ts");
                HttpResponse<Path> r = http.send(
                        HttpRequest.newBuilder(media.resolve(line)).build(), HttpResponse.BodyHandlers.ofFile(file));
                assertThat(r.statusCode()).isEqualTo(200);
                // The timed ID3 stream is declared, and never empty: each segment starts with its latency stamp.
                FfmpegTool.Result streams = FfmpegTool.ffprobe(
                        "-v",
                        "error",
                        "-show_entries",
                        "stream=codec_type,codec_name",
                        "-of",
                        "csv=p=0",
                        file.toString());
                assertThat(streams.stdout()).contains("h264,video").contains("aac,audio");
                assertThat(streams.stdout()).contains("timed_id3,data");
                seen.addAll(id3Texts(file));
                Files.delete(file);
            }
            Thread.sleep(500);
        }
        return seen;
    }

    /** The playlist's EXT-X-DATERANGE of ad break {@code id}: groups START-DATE, DURATION, SCTE35-OUT hex. */
    static Matcher adBreakTag(URI media, String id, Duration limit) throws Exception {
        Pattern tag = Pattern.compile("#EXT-X-DATERANGE:ID=\"" + id
                + "\",START-DATE=\"([^\"]+)\",DURATION=([0-9.]+),SCTE35-OUT=0x([0-9A-F]+)");
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Matcher m = tag.matcher(get(media));
            if (m.find()) {
                return m;
            }
            assertThat(System.nanoTime())
                    .as("EXT-X-DATERANGE for ad break " + id)
                    .isLessThan(deadline);
            Thread.sleep(300);
        }
    }

    /** Checks SCTE35-OUT: a splice_insert out of the network for {@code seconds}, with a valid CRC. */
    static void assertSpliceOut(String hex, int seconds) {
        byte[] scte = HexFormat.of().parseHex(hex);
        assertThat(scte[0] & 0xFF).as("table_id").isEqualTo(0xFC);
        assertThat(scte[13] & 0xFF).as("splice_insert").isEqualTo(0x05);
        assertThat(scte[19] & 0x80).as("out_of_network").isEqualTo(0x80);
        long duration = ((long) (scte[20] & 1) << 32)
                | ((scte[21] & 0xFFL) << 24)
                | ((scte[22] & 0xFFL) << 16)
                | ((scte[23] & 0xFFL) << 8)
                | (scte[24] & 0xFFL);
        assertThat(duration).as("break_duration").isEqualTo(seconds * 90_000L);
        assertThat(io.openivs.server.media.ts.Crc32Mpeg2.compute(scte))
                .as("CRC_32 checks")
                .isZero();
    }

    /** Bytes of an ffprobe {@code -show_data} dump: "00000000: 4944 3304 ...  ID3..." lines. */
    private static byte[] hexDump(String dump) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : dump.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            // Hex groups end where two spaces start the ASCII column.
            String hex = line.substring(colon + 1).stripLeading();
            int ascii = hex.indexOf("  ");
            hex = (ascii < 0 ? hex : hex.substring(0, ascii)).replace(" ", "");
            out.writeBytes(HexFormat.of().parseHex(hex));
        }
        return out.toByteArray();
    }

    /** The value of the single TXXX frame of an ID3v2.4 tag, described {@code description}, checking the layout on the way. */
    private static String txxx(byte[] tag, String description) {
        assertThat(new String(tag, 0, 3, StandardCharsets.ISO_8859_1)).isEqualTo("ID3");
        assertThat(tag[3]).isEqualTo((byte) 4);
        int tagSize = syncsafe(tag, 6);
        assertThat(tag).hasSize(10 + tagSize);
        assertThat(new String(tag, 10, 4, StandardCharsets.ISO_8859_1)).isEqualTo("TXXX");
        int frameSize = syncsafe(tag, 14);
        assertThat(frameSize).isEqualTo(tagSize - 10);
        assertThat(tag[20]).as("UTF-8").isEqualTo((byte) 3);
        byte[] described = description.getBytes(StandardCharsets.US_ASCII);
        assertThat(Arrays.copyOfRange(tag, 21, 21 + described.length))
                .as("description")
                .isEqualTo(described);
        int value = 21 + described.length;
        assertThat(tag[value]).as("description's terminator").isZero();
        return new String(tag, value + 1, frameSize - 2 - described.length, StandardCharsets.UTF_8);
    }

    private static int syncsafe(byte[] b, int at) {
        return (b[at] & 0x7F) << 21 | (b[at + 1] & 0x7F) << 14 | (b[at + 2] & 0x7F) << 7 | (b[at + 3] & 0x7F);
    }

    @Test
    void putMetadataIsReadBackAsTimedId3FromTheSegments() throws Exception {
        CreateChannelResponse created =
                node.ivs().createChannel(b -> b.name("meta").insecureIngest(true));
        String arn = created.channel().arn();
        assertThatThrownBy(() -> node.ivs().putMetadata(b -> b.channelArn(arn).metadata("offline")))
                .isInstanceOf(ChannelNotBroadcastingException.class);

        CompletableFuture<FfmpegTool.Result> ffmpeg =
                publish(created.streamKey().value(), 30);
        URI media = mediaPlaylist(created.channel().playbackUrl());

        String small = "{\"question\":\"Which héros wins?\",\"id\":1}";
        String largest = "L".repeat(1000) + "-".repeat(24);
        assertThat(largest.getBytes(StandardCharsets.UTF_8)).hasSize(1024);
        node.ivs().putMetadata(b -> b.channelArn(arn).metadata(small));
        node.ivs().putMetadata(b -> b.channelArn(arn).metadata(largest));
        assertThatThrownBy(() -> node.ivs().putMetadata(b -> b.channelArn(arn).metadata(largest + "x")))
                .isInstanceOf(ValidationException.class);

        // 5 per second per channel: after a full second's refill, the 6th quick call is throttled.
        Thread.sleep(1_200);
        List<String> burst = new ArrayList<>();
        long burstStart = System.nanoTime();
        ThrottlingException throttled = null;
        for (int i = 0; i < 20 && throttled == null; i++) {
            String text = "burst-" + i;
            try {
                node.ivs().putMetadata(b -> b.channelArn(arn).metadata(text));
                burst.add(text);
            } catch (ThrottlingException e) {
                throttled = e;
            }
        }
        double seconds = (System.nanoTime() - burstStart) / 1e9;
        assertThat(throttled).isNotNull();
        assertThat(throttled.statusCode()).isEqualTo(429);
        // Exactly 5 when the calls are quick; a slow machine refills a token per 200 ms meanwhile.
        assertThat(burst.size()).isBetween(5, 5 + (int) Math.floor(seconds * 5));

        Set<String> wanted = new HashSet<>(burst);
        wanted.add(small);
        wanted.add(largest);
        Set<String> seen = id3TextsUntil(media, wanted, Duration.ofSeconds(15), node.dir());
        assertThat(seen).containsAll(wanted);

        node.ivs().stopStream(b -> b.channelArn(arn));
        ffmpeg.get(10, TimeUnit.SECONDS);
    }

    @Test
    void putMetadataOnAFragmentedMp4ChannelIsAnId3EmsgAheadOfItsFragment() throws Exception {
        CreateChannelResponse created = node.ivs()
                .createChannel(b -> b.name("meta-fmp4")
                        .insecureIngest(true)
                        .containerFormat(software.amazon.awssdk.services.ivs.model.ContainerFormat.FRAGMENTED_MP4));
        String arn = created.channel().arn();
        CompletableFuture<FfmpegTool.Result> ffmpeg =
                publish(created.streamKey().value(), 20);
        URI media = mediaPlaylist(created.channel().playbackUrl());
        String text = "fmp4-cue-" + System.nanoTime();
        node.ivs().putMetadata(b -> b.channelArn(arn).metadata(text));

        byte[] scheme = "https://aomedia.org/emsg/ID3\0".getBytes(StandardCharsets.US_ASCII);
        byte[] twitchScheme = "urn:twitch:id3\0".getBytes(StandardCharsets.US_ASCII);
        byte[] wanted = text.getBytes(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        boolean foundAomedia = false;
        boolean foundTwitch = false;
        Set<String> seen = new HashSet<>();
        while (!(foundAomedia && foundTwitch) && System.nanoTime() < deadline) {
            for (String line : get(media)
                    .lines()
                    .filter(l -> !l.startsWith("#") && l.endsWith(".m4s"))
                    .toList()) {
                if (!seen.add(line)) {
                    continue;
                }
                byte[] seg = http.send(
                                HttpRequest.newBuilder(media.resolve(line)).build(),
                                HttpResponse.BodyHandlers.ofByteArray())
                        .body();
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(seg);
                String previous = null;
                for (int at = 0; at + 8 <= seg.length; ) {
                    int size = b.getInt(at);
                    String type = new String(seg, at + 4, 4, StandardCharsets.US_ASCII);
                    assertThat(size).as("box size at %d", at).isBetween(8, seg.length - at);
                    if ("emsg".equals(previous)) {
                        // CMAF: the event message stands before the fragment it belongs to.
                        assertThat(type).isIn("emsg", "moof");
                    }
                    if (type.equals("emsg") && seg[at + 8] == 1) {
                        // version 1, the aomedia scheme: hls.js and other CMAF players
                        assertThat(b.getInt(at + 12)).as("timescale").isEqualTo(90_000);
                        byte[] body = java.util.Arrays.copyOfRange(seg, at + 32, at + size);
                        assertThat(java.util.Arrays.copyOf(body, scheme.length)).isEqualTo(scheme);
                        String id3 = new String(
                                body, scheme.length + 1, body.length - scheme.length - 1, StandardCharsets.ISO_8859_1);
                        assertThat(id3).startsWith("ID3");
                        if (id3.contains(new String(wanted, StandardCharsets.ISO_8859_1))) {
                            foundAomedia = true;
                        }
                    } else if (type.equals("emsg")) {
                        // version 0, the scheme the Amazon IVS player reads
                        assertThat(seg[at + 8]).as("emsg version").isEqualTo((byte) 0);
                        byte[] body = java.util.Arrays.copyOfRange(seg, at + 12, at + size);
                        assertThat(java.util.Arrays.copyOf(body, twitchScheme.length))
                                .isEqualTo(twitchScheme);
                        int fields = twitchScheme.length + 1; // empty value string
                        assertThat(b.getInt(at + 12 + fields)).as("timescale").isEqualTo(90_000);
                        String id3 =
                                new String(body, fields + 16, body.length - fields - 16, StandardCharsets.ISO_8859_1);
                        assertThat(id3).startsWith("ID3");
                        if (id3.contains(new String(wanted, StandardCharsets.ISO_8859_1))) {
                            foundTwitch = true;
                        }
                    }
                    previous = type;
                    at += size;
                }
            }
            Thread.sleep(500);
        }
        assertThat(foundAomedia)
                .as("an aomedia emsg with the PutMetadata text in a served .m4s segment")
                .isTrue();
        assertThat(foundTwitch)
                .as("an urn:twitch:id3 emsg with the PutMetadata text in a served .m4s segment")
                .isTrue();
        // Players that do not know emsg skip it: the stream still decodes cleanly.
        FfmpegTool.Result decode =
                FfmpegTool.ffmpeg("-v", "error", "-i", media.toString(), "-t", "4", "-f", "null", "-");
        assertThat(decode.exitCode()).as(decode.stderr()).isZero();
        assertThat(decode.stderr()).isBlank();
        ffmpeg.cancel(true);
    }

    @Test
    void insertAdBreakWritesAnScte35DateRangeOnChannelsWithAnAdConfiguration() throws Exception {
        String ad = own.createAdConfiguration(b -> b.name("ads")
                        .mediaTailorPlaybackConfigurations(
                                List.of(io.openivs.client.model.MediaTailorPlaybackConfiguration.builder()
                                        .playbackConfigurationArn(
                                                "arn:aws:mediatailor:us-west-2:111111111111:playbackConfiguration/demo")
                                        .build())))
                .adConfiguration()
                .arn();
        io.openivs.client.model.CreateChannelResponse withAds =
                own.createChannel(b -> b.name("ads").insecureIngest(true).adConfigurationArn(ad));
        io.openivs.client.model.CreateChannelResponse plain =
                own.createChannel(b -> b.name("plain").insecureIngest(true));
        String arn = withAds.channel().arn();

        CompletableFuture<FfmpegTool.Result> adsFeed =
                publish(withAds.streamKey().value(), 30);
        CompletableFuture<FfmpegTool.Result> plainFeed =
                publish(plain.streamKey().value(), 30);
        URI media = mediaPlaylist(withAds.channel().playbackUrl());
        mediaPlaylist(plain.channel().playbackUrl());

        // A live channel without an ad configuration takes no ad breaks.
        io.openivs.client.model.IvsException noAds = catchThrowableOfType(
                io.openivs.client.model.IvsException.class,
                () -> own.insertAdBreak(b -> b.channelArn(plain.channel().arn()).durationSeconds(30)));
        assertThat(noAds.errorCode()).isEqualTo("ValidationException");
        assertThat(catchThrowableOfType(
                                io.openivs.client.model.IvsException.class,
                                () -> own.insertAdBreak(b -> b.channelArn(arn).durationSeconds(301)))
                        .statusCode())
                .isEqualTo(400);

        long asked = System.currentTimeMillis();
        String id =
                own.insertAdBreak(b -> b.channelArn(arn).durationSeconds(30)).adBreakId();
        assertThat(id).matches("[A-Za-z0-9]{12}");
        // One break at a time.
        io.openivs.client.model.IvsException conflict = catchThrowableOfType(
                io.openivs.client.model.IvsException.class,
                () -> own.insertAdBreak(b -> b.channelArn(arn).durationSeconds(10)));
        assertThat(conflict.errorCode()).isEqualTo("ConflictException");
        assertThat(conflict.statusCode()).isEqualTo(409);

        Matcher m = adBreakTag(media, id, Duration.ofSeconds(10));
        assertThat(m.group(2)).isEqualTo("30.000");
        long start = java.time.Instant.parse(m.group(1)).toEpochMilli();
        assertThat(start).isBetween(asked - 5_000, System.currentTimeMillis()); // at the live edge
        assertSpliceOut(m.group(3), 30);

        own.stopStream(b -> b.channelArn(arn));
        own.stopStream(b -> b.channelArn(plain.channel().arn()));
        adsFeed.get(10, TimeUnit.SECONDS);
        plainFeed.get(10, TimeUnit.SECONDS);
    }
}
