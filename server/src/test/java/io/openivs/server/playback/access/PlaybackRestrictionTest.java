package io.openivs.server.playback.access;

import static io.openivs.server.playback.access.LiveChannels.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.config.ServerConfig;
import io.openivs.server.testing.ServerFixture;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * Playback restriction policies on a live public channel: origins (strict and not) and countries,
 * the viewer's country from a GeoIP database written for the test (127.0.0.0/8 is "NZ") and, since
 * this server trusts it, from X-Forwarded-For. Policy changes apply to the next request.
 */
class PlaybackRestrictionTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture(dir -> {
        Path geo = dir.resolve("countries.mmdb");
        new TestGeoDatabase()
                .network("127.0.0.0/8", "NZ")
                .network("192.0.2.0/24", "FR")
                .write(geo);
        return new TestServer(dir, TestDatabases.sqlite(dir), new ServerConfig.PlaybackAccess(geo, true));
    });

    static String channelArn;
    static String url;
    static String policyArn;

    @BeforeAll
    static void start() throws Exception {
        policyArn = node.ivs()
                .createPlaybackRestrictionPolicy(
                        b -> b.allowedCountries(java.util.List.of()).allowedOrigins("*"))
                .playbackRestrictionPolicy()
                .arn();
        CreateChannelResponse ch =
                node.ivs().createChannel(b -> b.insecureIngest(true).playbackRestrictionPolicyArn(policyArn));
        channelArn = ch.channel().arn();
        url = ch.channel().playbackUrl();
        LiveChannels.publish(node.background(), node.server(), ch.streamKey().value(), "320x180", 90);
        LiveChannels.awaitPlayable(node.ivs(), channelArn, url, Duration.ofSeconds(20));
    }

    private static void policy(
            java.util.function.Consumer<
                            software.amazon.awssdk.services.ivs.model.UpdatePlaybackRestrictionPolicyRequest.Builder>
                    change) {
        node.ivs().updatePlaybackRestrictionPolicy(b -> {
            b.arn(policyArn);
            change.accept(b);
        });
    }

    private static void assertRefused(HttpResponse<String> r, String error) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(r.body())
                .startsWith("[{\"url\":\"/api/video/v1/")
                .contains("\"error_code\":\"playback_restricted\"")
                .contains(error);
    }

    /** A segment URL of the channel, fetched while the policy lets everyone in. */
    private static String segment() throws Exception {
        policy(b -> b.allowedCountries(java.util.List.of()).allowedOrigins("*").enableStrictOriginEnforcement(false));
        String media = LiveChannels.firstUri(url, get(url).body());
        return LiveChannels.lastUri(media, get(media).body());
    }

    @Test
    void countriesComeFromTheGeoIpDatabase() throws Exception {
        policy(b -> b.allowedCountries("NZ", "AU").allowedOrigins("*"));
        assertThat(get(url).statusCode()).isEqualTo(200);
        policy(b -> b.allowedCountries("US"));
        assertRefused(get(url), "country");
        // The operator trusts X-Forwarded-For here: the viewer behind the proxy counts.
        policy(b -> b.allowedCountries("FR"));
        assertThat(get(url, "X-Forwarded-For", "192.0.2.10, 127.0.0.1").statusCode())
                .isEqualTo(200);
        assertRefused(get(url), "country");
        // An address the database does not know has no country.
        assertRefused(get(url, "X-Forwarded-For", "10.1.2.3"), "country");
        policy(b -> b.allowedCountries(java.util.List.of()));
        assertThat(get(url).statusCode()).isEqualTo(200);
    }

    @Test
    void originsAreCheckedOnThePlaylistAndWithStrictEnforcementEverywhere() throws Exception {
        String segment = segment();
        policy(b -> b.allowedCountries(java.util.List.of())
                .allowedOrigins("https://ok.example")
                .enableStrictOriginEnforcement(false));
        HttpResponse<String> ok = get(url, "Origin", "https://ok.example");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("access-control-allow-origin")).hasValue("https://ok.example");
        assertRefused(get(url, "Origin", "https://evil.example"), "origin is not allowed");
        assertThat(get(url).statusCode()).isEqualTo(200);
        assertThat(get(segment, "Origin", "https://evil.example").statusCode()).isEqualTo(200);

        policy(b -> b.enableStrictOriginEnforcement(true));
        assertRefused(get(segment), "origin is required");
        assertRefused(get(segment, "Origin", "https://evil.example"), "origin is not allowed");
        assertThat(get(segment, "Origin", "https://ok.example").statusCode()).isEqualTo(200);
        assertRefused(get(url), "origin is required");
    }

    @Test
    void attachingAndDetachingAPolicyAppliesToTheNextRequest() throws Exception {
        // Live channels cannot be updated: an offline one shows the policy (403) or its absence (404, offline).
        String offline =
                node.ivs().createChannel(b -> b.name("offline")).channel().arn();
        String offlineUrl = node.ivs().getChannel(b -> b.arn(offline)).channel().playbackUrl();
        assertThat(get(offlineUrl).statusCode()).isEqualTo(404);
        String usOnly = node.ivs()
                .createPlaybackRestrictionPolicy(b -> b.allowedCountries("US"))
                .playbackRestrictionPolicy()
                .arn();
        node.ivs().updateChannel(b -> b.arn(offline).playbackRestrictionPolicyArn(usOnly));
        assertRefused(get(offlineUrl), "country");
        node.ivs().updateChannel(b -> b.arn(offline).playbackRestrictionPolicyArn(""));
        assertThat(get(offlineUrl).statusCode()).isEqualTo(404);
    }
}
