package io.openivs.server.playback.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.media.hls.LlHlsValidator;
import io.openivs.server.testing.ServerFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.ContainerFormat;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * LL-HLS on a private LOW fMP4 channel: every part, the preload hint and blocking reloads carry
 * and need the viewer's token, and PutMetadata reaches players in a part as an emsg box.
 */
class LowLatencyPrivateTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    private static byte[] bytes(String url) throws Exception {
        HttpResponse<byte[]> r = LiveChannels.HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return r.body();
    }

    /** Whether a top-level emsg box, followed by a moof, holds {@code text}. */
    private static boolean hasEmsgWith(byte[] b, String text) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        for (int at = 0; at + 8 <= b.length && buf.getInt(at) >= 8; at += buf.getInt(at)) {
            int size = buf.getInt(at);
            String type = new String(b, at + 4, 4, StandardCharsets.US_ASCII);
            if (type.equals("emsg")
                    && at + size + 8 <= b.length
                    && new String(b, at, size, StandardCharsets.ISO_8859_1).contains(text)) {
                String after = new String(b, at + size + 4, 4, StandardCharsets.US_ASCII);
                return after.equals("moof") || after.equals("emsg");
            }
        }
        return false;
    }

    @Test
    void partsAndBlockingReloadsNeedTheTokenAndCarryMetadata() throws Exception {
        KeyPair key = TestTokens.newKeyPair();
        node.ivs().importPlaybackKeyPair(b -> b.publicKeyMaterial(TestTokens.publicPem(key)));
        CreateChannelResponse created = node.ivs()
                .createChannel(b -> b.name("ll-private")
                        .authorized(true)
                        .insecureIngest(true)
                        .containerFormat(ContainerFormat.FRAGMENTED_MP4));
        String arn = created.channel().arn();
        String token = TestTokens.sign(key, arn, 300);
        String url = created.channel().playbackUrl();
        LiveChannels.publish(
                node.background(), node.server(), created.streamKey().value(), "320x180", 20);
        LiveChannels.awaitPlayable(node.ivs(), arn, url + "?token=" + token, Duration.ofSeconds(20));

        String media = LiveChannels.firstUri(
                url, LiveChannels.get(url + "?token=" + token).body());
        // The master lists its children with the session ticket it issued, not the token (issue 15).
        assertThat(media).contains("/live.m3u8?ticket=").doesNotContain(token);
        String ticket = media.substring(media.indexOf("?ticket=") + "?ticket=".length());
        LlHlsValidator validator = new LlHlsValidator();
        LlHlsValidator.Playlist p = validator.check(LiveChannels.get(media).body());
        assertThat(p.allParts())
                .isNotEmpty()
                .allSatisfy(part -> assertThat(part.uri()).contains(".m4s?ticket="));
        assertThat(p.preloadHint()).contains(".m4s?ticket=");

        // The audio_only rendition: listed with the ticket, every URI of its playlist carries one, and
        // nothing of it is served without. Each rendition reports the other with the ticket too.
        String audio = LiveChannels.lastUri(
                url, LiveChannels.get(url + "?token=" + token).body());
        assertThat(audio).endsWith("/audio_only/live.m3u8?ticket=" + ticket);
        String audioText = LiveChannels.get(audio).body();
        LlHlsValidator.Playlist a = new LlHlsValidator().check(audioText);
        assertThat(a.allParts())
                .isNotEmpty()
                .allSatisfy(part -> assertThat(part.uri()).contains(".m4s?ticket="));
        assertThat(a.preloadHint()).contains(".m4s?ticket=");
        // Rendition reports name the other playlist with the ticket the viewer reloads with.
        assertThat(a.reports())
                .singleElement()
                .satisfies(r -> assertThat(r.uri()).isEqualTo("../live.m3u8?ticket=" + ticket));
        assertThat(p.reports())
                .singleElement()
                .satisfies(r -> assertThat(r.uri()).isEqualTo("audio_only/live.m3u8?ticket=" + ticket));
        String map = audioText
                .lines()
                .filter(l -> l.startsWith("#EXT-X-MAP:"))
                .findFirst()
                .orElseThrow();
        String audioInit = URI.create(audio)
                .resolve(map.substring(map.indexOf('"') + 1, map.lastIndexOf('"')))
                .toString();
        String audioPart = URI.create(audio).resolve(a.allParts().get(0).uri()).toString();
        for (String u : new String[] {audio, audioInit, audioPart}) {
            assertThat(u).contains("?ticket=").doesNotContain(token);
            assertThat(bytes(u)).isNotEmpty();
            assertThat(LiveChannels.get(u.substring(0, u.indexOf('?'))).statusCode())
                    .as(u)
                    .isEqualTo(403);
        }
        long[] audioNext = a.hinted();
        assertThat(LiveChannels.get(audio.substring(0, audio.indexOf('?')) + "?_HLS_msn=" + audioNext[0] + "&_HLS_part="
                                + audioNext[1])
                        .statusCode())
                .isEqualTo(403);

        // A blocking reload keeps the ticket; without one, it is refused before it waits.
        long[] next = p.hinted();
        String blocking = media + "&_HLS_msn=" + next[0] + "&_HLS_part=" + next[1];
        HttpResponse<String> reloaded = LiveChannels.get(blocking);
        assertThat(reloaded.statusCode()).isEqualTo(200);
        LlHlsValidator.Playlist justFinished = validator.check(reloaded.body());

        // The part just begun is streamed as it is written, to a viewer with the token only, and
        // kept out of shared caches.
        String hintUrl = URI.create(media).resolve(justFinished.preloadHint()).toString();
        HttpResponse<byte[]> streamed = LiveChannels.HTTP.send(
                HttpRequest.newBuilder(URI.create(hintUrl)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("transfer-encoding")).hasValue("chunked");
        assertThat(streamed.headers().firstValue("cache-control")).hasValue("private, max-age=31536000, immutable");
        assertThat(new String(streamed.body(), 4, 4, StandardCharsets.US_ASCII)).isIn("moof", "emsg");
        assertThat(bytes(hintUrl)).as("the part once finished").isEqualTo(streamed.body());
        assertThat(LiveChannels.get(hintUrl.substring(0, hintUrl.indexOf('?'))).statusCode())
                .isEqualTo(403);
        String bare = media.substring(0, media.indexOf('?'));
        assertThat(LiveChannels.get(bare + "?_HLS_msn=" + next[0] + "&_HLS_part=" + next[1])
                        .statusCode())
                .isEqualTo(403);
        String partUrl = URI.create(media).resolve(p.allParts().get(0).uri()).toString();
        assertThat(bytes(partUrl)).isNotEmpty();
        assertThat(LiveChannels.get(partUrl.substring(0, partUrl.indexOf('?'))).statusCode())
                .isEqualTo(403);

        // PutMetadata goes into the part being written, as an emsg ahead of the next CMAF chunk
        // (parts are sent as they grow, so not necessarily at the part's start).
        node.ivs().putMetadata(b -> b.channelArn(arn).metadata("ll-cue"));
        boolean found = false;
        for (int i = 0; i < 20 && !found; i++) {
            LlHlsValidator.Playlist now =
                    validator.check(LiveChannels.get(media).body());
            for (LlHlsValidator.PartLine part : now.allParts()) {
                if (hasEmsgWith(bytes(URI.create(media).resolve(part.uri()).toString()), "ll-cue")) {
                    found = true;
                    break;
                }
            }
            Thread.sleep(300);
        }
        assertThat(found)
                .as("a part has an emsg box of the metadata before one of its moofs")
                .isTrue();
        node.ivs().stopStream(b -> b.channelArn(arn));
    }
}
