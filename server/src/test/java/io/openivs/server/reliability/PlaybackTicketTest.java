package io.openivs.server.reliability;

import static io.openivs.server.playback.access.LiveChannels.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.playback.access.LiveChannels;
import io.openivs.server.playback.access.TestTokens;
import io.openivs.server.testing.ServerFixture;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * Issue 15, item 2: a private channel's token limits hold on every URL, not only on the
 * multivariant playlist. A token the master refused (spent single-use, expired) or never saw gets
 * nothing from the media playlist or the segments; those play only with the session ticket the
 * master listed them with, which is bound to the channel and cannot be altered.
 */
@Tag("reliability")
class PlaybackTicketTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture();

    private static KeyPair key;
    private static String arn;
    private static String url;
    /** "{playback host}/api/video/v1/{name}": where the media playlist and segments are. */
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        key = TestTokens.newKeyPair();
        node.ivs().importPlaybackKeyPair(b -> b.publicKeyMaterial(TestTokens.publicPem(key)));
        CreateChannelResponse created =
                node.ivs().createChannel(b -> b.name("tickets").authorized(true).insecureIngest(true));
        arn = created.channel().arn();
        url = created.channel().playbackUrl();
        base = url.substring(0, url.length() - ".m3u8".length());
        LiveChannels.publish(
                node.background(), node.server(), created.streamKey().value(), "320x180", 120);
        LiveChannels.awaitPlayable(
                node.ivs(), arn, url + "?token=" + TestTokens.sign(key, arn, 60), Duration.ofSeconds(30));
    }

    /** A segment that exists now, found the legitimate way. */
    private static String liveSegmentPath() throws Exception {
        String media = LiveChannels.firstUri(
                url, get(url + "?token=" + TestTokens.sign(key, arn, 60)).body());
        String segment = LiveChannels.lastUri(media, get(media).body());
        return segment.substring(0, segment.indexOf('?'));
    }

    private static void assertRefused(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(r.body())
                .contains("invalid_playback_auth_token")
                .doesNotContain("token=")
                .doesNotContain("ticket=");
    }

    @Test
    void aSpentSingleUseTokenGetsNoMediaPlaylistAndNoSegment() throws Exception {
        String once = TestTokens.sign(
                key,
                arn,
                300,
                c -> c.claim("aws:single-use-uuid", UUID.randomUUID().toString()));
        assertThat(get(url + "?token=" + once).statusCode()).isEqualTo(200);
        assertRefused(get(url + "?token=" + once));
        // The refused token, carried to the children by hand.
        assertRefused(get(base + "/live.m3u8?token=" + once));
        assertRefused(get(liveSegmentPath() + "?token=" + once));
    }

    @Test
    void aTokenNeverShownToTheMasterPlaysNoChild() throws Exception {
        String fresh = TestTokens.sign(key, arn, 300);
        assertRefused(get(base + "/live.m3u8?token=" + fresh));
        assertRefused(get(liveSegmentPath() + "?token=" + fresh));
    }

    @Test
    void anExpiredTokenPlaysNoChild() throws Exception {
        String expired = TestTokens.sign(key, arn, -60);
        assertRefused(get(url + "?token=" + expired));
        assertRefused(get(base + "/live.m3u8?token=" + expired));
        assertRefused(get(liveSegmentPath() + "?token=" + expired));
    }

    @Test
    void childrenPlayWithTheMastersTicketWhichIsBoundToTheChannelAndCannotBeAltered() throws Exception {
        String token = TestTokens.sign(key, arn, 300);
        String master = get(url + "?token=" + token).body();
        String media = LiveChannels.firstUri(url, master);
        assertThat(media).contains("/live.m3u8?ticket=").doesNotContain(token);
        HttpResponse<String> playlist = get(media);
        assertThat(playlist.statusCode()).isEqualTo(200);
        String segment = LiveChannels.lastUri(media, playlist.body());
        assertThat(segment).contains(".ts?ticket=").doesNotContain(token);
        assertThat(get(segment).statusCode()).isEqualTo(200);

        String ticket = media.substring(media.indexOf("?ticket=") + 8);
        int i = ticket.length() / 2;
        String altered = ticket.substring(0, i) + (ticket.charAt(i) == 'A' ? 'B' : 'A') + ticket.substring(i + 1);
        assertRefused(get(base + "/live.m3u8?ticket=" + altered));
        assertRefused(get(segment.substring(0, segment.indexOf('?')) + "?ticket=" + altered));

        // The same ticket on another private channel of the same account (offline: 404 if it were admitted).
        String other =
                node.ivs().createChannel(b -> b.authorized(true)).channel().playbackUrl();
        assertRefused(get(other.substring(0, other.length() - ".m3u8".length()) + "/live.m3u8?ticket=" + ticket));
    }

    @Test
    void revokingTheViewerEndsTheSessionOnItsTicketedChildren() throws Exception {
        String v1 = TestTokens.sign(
                key, arn, 300, c -> c.claim("aws:viewer-id", "ticket-viewer").claim("aws:viewer-session-version", 1));
        String media = LiveChannels.firstUri(url, get(url + "?token=" + v1).body());
        assertThat(get(media).statusCode()).isEqualTo(200);
        node.ivs()
                .startViewerSessionRevocation(
                        b -> b.channelArn(arn).viewerId("ticket-viewer").viewerSessionVersionsLessThanOrEqualTo(1));
        assertRefused(get(media));
    }
}
