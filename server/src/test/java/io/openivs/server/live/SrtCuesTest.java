package io.openivs.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.ts.demux.CuedTs;
import io.openivs.server.media.ts.demux.TsDemuxerTest;
import io.openivs.server.testing.Publishing;
import io.openivs.server.testing.ServerFixture;
import io.openivs.server.testing.SrtTsSender;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.model.Channel;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * What an encoder sends beside its media over SRT: timed ID3 (stream type 0x15) plays as timed metadata, as
 * PutMetadata's does (TS ID3, fMP4 emsg), and SCTE-35 splice_inserts (0x86) become the playlist's ad-break
 * EXT-X-DATERANGE with the encoder's section as SCTE35-OUT, as InsertAdBreak's do.
 */
class SrtCuesTest {
    static final long SECOND = MediaFrame.CLOCK_RATE;

    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    @TempDir
    static Path dir;

    static byte[] plain;
    static long first;

    @BeforeAll
    static void source() throws Exception {
        plain = Files.readAllBytes(TsDemuxerTest.tsFile(dir.resolve("plain.ts"), "10", 14));
        first = CuedTs.firstVideoPts(plain);
    }

    /** The file with two ID3 tags, a break announced ahead (twice) and one at once without a duration. */
    static byte[] cued(String tag) {
        return CuedTs.with(
                plain,
                List.of(
                        new CuedTs.Metadata(first + 3 * SECOND, tag + "-one"),
                        new CuedTs.Metadata(first + 6 * SECOND, tag + "-two"),
                        new CuedTs.Splice(first + 4 * SECOND, 77, first + 5 * SECOND, 20 * SECOND),
                        new CuedTs.Splice(first + 4 * SECOND + SECOND / 2, 77, first + 5 * SECOND, 20 * SECOND),
                        new CuedTs.Splice(first + 8 * SECOND, 78, -1, -1)));
    }

    static CompletableFuture<Integer> send(Channel channel, String key, byte[] ts) {
        String url = "srt://" + channel.srt().endpoint().replace("localhost", "127.0.0.1")
                + "?mode=caller&latency=300000&pbkeylen=16&streamid=" + URLEncoder.encode(key, StandardCharsets.UTF_8)
                + "&passphrase=" + URLEncoder.encode(channel.srt().passphrase(), StandardCharsets.UTF_8);
        return SrtTsSender.send(ts, url);
    }

    @Test
    void anEncodersId3AndSpliceInsertsPlayOnATsChannel() throws Exception {
        CreateChannelResponse created = node.ivs().createChannel(b -> b.name("srt-cues"));
        String tag = "srt-id3-" + System.nanoTime();
        CompletableFuture<Integer> sender =
                send(created.channel(), created.streamKey().value(), cued(tag));
        URI media = LiveMetadataTest.mediaPlaylist(created.channel().playbackUrl());

        Set<String> wanted = Set.of(tag + "-one", tag + "-two");
        Path work = Files.createDirectories(dir.resolve("ts-segments"));
        Set<String> seen = new HashSet<>();
        Set<String> probed = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (!seen.containsAll(wanted) && System.nanoTime() < deadline) {
            for (String line : LiveMetadataTest.get(media)
                    .lines()
                    .filter(l -> !l.startsWith("#") && l.endsWith(".ts"))
                    .toList()) {
                if (probed.add(line)) {
                    Path file = Files.createTempFile(work, "segment", ".ts");
                    LiveMetadataTest.http.send(
                            HttpRequest.newBuilder(media.resolve(line)).build(),
                            HttpResponse.BodyHandlers.ofFile(file));
                    seen.addAll(LiveMetadataTest.id3Texts(file)); // each timed within its segment
                }
            }
            Thread.sleep(500);
        }
        assertThat(seen).containsAll(wanted);

        String playlist = Publishing.await(Duration.ofSeconds(20), () -> {
            try {
                String p = LiveMetadataTest.get(media);
                return p.contains("-78\"") ? p : null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // The announced break, once though announced twice, with the encoder's section and duration.
        Matcher announced = Pattern.compile("#EXT-X-DATERANGE:ID=\"(scte35-[^\"]+-77)\",START-DATE=\"[^\"]+\","
                        + "DURATION=20\\.000,SCTE35-OUT=0x([0-9A-F]+)\n")
                .matcher(playlist);
        assertThat(announced.find()).as(playlist).isTrue();
        assertThat(announced.group(2))
                .isEqualTo(HexFormat.of()
                        .withUpperCase()
                        .formatHex(CuedTs.spliceInsert(77, first + 5 * SECOND, 20 * SECOND)));
        assertThat(playlist.split("-77\"", -1)).as("one range for break 77").hasSize(2);
        // The break at once, of unannounced length: no DURATION.
        assertThat(playlist)
                .containsPattern("#EXT-X-DATERANGE:ID=\"scte35-[^\"]+-78\",START-DATE=\"[^\"]+\",SCTE35-OUT=0x"
                        + HexFormat.of().withUpperCase().formatHex(CuedTs.spliceInsert(78, -1, -1)) + "\n");
        assertThat(sender.get(60, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void anEncodersId3IsAnEmsgOnAFragmentedMp4Channel() throws Exception {
        CreateChannelResponse created =
                node.ivs().createChannel(b -> b.name("srt-cues-fmp4").containerFormat(ContainerFormat.FRAGMENTED_MP4));
        String tag = "srt-emsg-" + System.nanoTime();
        CompletableFuture<Integer> sender =
                send(created.channel(), created.streamKey().value(), cued(tag));
        URI media = LiveMetadataTest.mediaPlaylist(created.channel().playbackUrl());
        byte[] scheme = "https://aomedia.org/emsg/ID3".getBytes(StandardCharsets.US_ASCII);
        Set<String> seen = new HashSet<>();
        Set<String> found = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (found.size() < 2 && System.nanoTime() < deadline) {
            for (String line : LiveMetadataTest.get(media)
                    .lines()
                    .filter(l -> !l.startsWith("#") && l.endsWith(".m4s"))
                    .toList()) {
                if (!seen.add(line)) {
                    continue;
                }
                byte[] segment = LiveMetadataTest.http
                        .send(
                                HttpRequest.newBuilder(media.resolve(line)).build(),
                                HttpResponse.BodyHandlers.ofByteArray())
                        .body();
                String text = new String(segment, StandardCharsets.ISO_8859_1);
                for (String want : List.of(tag + "-one", tag + "-two")) {
                    int at = text.indexOf(want);
                    if (at >= 0) {
                        assertThat(text.lastIndexOf(new String(scheme, StandardCharsets.ISO_8859_1), at))
                                .as("inside an ID3 emsg")
                                .isNotNegative();
                        found.add(want);
                    }
                }
            }
            Thread.sleep(500);
        }
        assertThat(found).containsExactlyInAnyOrder(tag + "-one", tag + "-two");
        assertThat(LiveMetadataTest.get(media)).contains("-77\",START-DATE=");
        assertThat(sender.get(60, TimeUnit.SECONDS)).isZero();
    }
}
