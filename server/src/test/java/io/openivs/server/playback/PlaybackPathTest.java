package io.openivs.server.playback;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written playback URL parser: what it accepts, what it refuses, and that it agrees with the grammar. */
class PlaybackPathTest {
    private static final String NAME = "us-west-2.123456789012.channel.AbCd1234efGH";
    private static final String BASE = "/api/video/v1/" + NAME;

    @Test
    void namesEachKindOfUrl() {
        assertThat(PlaybackPath.parse(BASE + ".m3u8"))
                .isEqualTo(new PlaybackPath(PlaybackPath.Kind.MASTER, NAME, -1, -1, false));
        assertThat(PlaybackPath.parse(BASE + "/live.m3u8"))
                .isEqualTo(new PlaybackPath(PlaybackPath.Kind.MEDIA, NAME, -1, -1, false));
        assertThat(PlaybackPath.parse(BASE + "/1795557058.ts"))
                .isEqualTo(new PlaybackPath(PlaybackPath.Kind.SEGMENT, NAME, 1795557058L, -1, false));
        assertThat(PlaybackPath.parse(BASE + "/7.m4s"))
                .isEqualTo(new PlaybackPath(PlaybackPath.Kind.SEGMENT, NAME, 7, -1, true));
        assertThat(PlaybackPath.parse(BASE + "/init-3.mp4"))
                .isEqualTo(new PlaybackPath(PlaybackPath.Kind.INIT, NAME, 3, -1, true));
        assertThat(PlaybackPath.parse(BASE + "/12.3.m4s"))
                .isEqualTo(new PlaybackPath(PlaybackPath.Kind.PART, NAME, 12, 3, true));
        assertThat(PlaybackPath.parse(BASE + "/999999999999999999.9999.m4s"))
                .isEqualTo(new PlaybackPath(PlaybackPath.Kind.PART, NAME, 999_999_999_999_999_999L, 9999, true));
    }

    @Test
    void namesTheAudioOnlyRenditionsFilesAndNothingElseUnderIt() {
        String audio = BASE + "/audio_only";
        assertThat(PlaybackPath.parse(audio + "/live.m3u8"))
                .isEqualTo(new PlaybackPath(PlaybackPath.Kind.MEDIA, NAME, -1, -1, false, true));
        assertThat(PlaybackPath.parse(audio + "/init-0.mp4"))
                .isEqualTo(new PlaybackPath(PlaybackPath.Kind.INIT, NAME, 0, -1, true, true));
        assertThat(PlaybackPath.parse(audio + "/1795557058.m4s"))
                .isEqualTo(new PlaybackPath(PlaybackPath.Kind.SEGMENT, NAME, 1795557058L, -1, true, true));
        assertThat(PlaybackPath.parse(audio + "/12.3.m4s"))
                .isEqualTo(new PlaybackPath(PlaybackPath.Kind.PART, NAME, 12, 3, true, true));
        for (String path : List.of(
                audio,
                audio + "/",
                audio + ".m3u8",
                audio + "/audio_only/live.m3u8",
                BASE + "/audio_onlylive.m3u8",
                BASE + "/audio_only//live.m3u8",
                BASE + "/AUDIO_ONLY/live.m3u8",
                audio + "/../live.m3u8")) {
            assertThat(PlaybackPath.parse(path)).as(path).isNull();
        }
    }

    @Test
    void refusesWhatTheGrammarDoesNotName() {
        for (String path : List.of(
                "",
                "/",
                "/api/video/v1/",
                "/api/video/v1/.m3u8",
                BASE,
                BASE + "/",
                BASE + ".M3U8",
                // percent-encoding is not decoded: an encoded name or dot names nothing
                "/api/video/v1/us-west-2%2E123456789012.channel.AbCd1234efGH.m3u8",
                BASE + "%2Fline.m3u8",
                BASE + "/live%2Em3u8",
                "/api%2Fvideo/v1/" + NAME + ".m3u8",
                // doubled slashes and dot segments
                "//api/video/v1/" + NAME + ".m3u8",
                "/api/video/v1//" + NAME + ".m3u8",
                BASE + "//live.m3u8",
                BASE + "/../live.m3u8",
                BASE + "/./live.m3u8",
                "/api/video/v1/../v1/" + NAME + ".m3u8",
                BASE + "/..%2F..%2Fetc%2Fpasswd",
                // a query is cut off by the caller; left on, it names nothing
                BASE + "/live.m3u8?token=x",
                BASE + ".m3u8?",
                // wrong shapes of the name
                "/api/video/v1/US-west-2.123456789012.channel.a.m3u8",
                "/api/video/v1/us_west.123456789012.channel.a.m3u8",
                "/api/video/v1/us-west-2.12345678901.channel.a.m3u8",
                "/api/video/v1/us-west-2.1234567890123.channel.a.m3u8",
                "/api/video/v1/us-west-2.123456789012.Channel.a.m3u8",
                "/api/video/v1/us-west-2.123456789012.channel..m3u8",
                "/api/video/v1/us-west-2.123456789012.channel.a-b.m3u8",
                "/api/video/v1/us-west-2.123456789012.channel.a/b.m3u8",
                "/api/video/v1/" + "a".repeat(33) + ".123456789012.channel.a.m3u8",
                "/api/video/v1/us-west-2.123456789012.channel." + "a".repeat(65) + ".m3u8",
                // wrong files
                BASE + "/live.m3u",
                BASE + "/live.m3u8x",
                BASE + "/Live.m3u8",
                BASE + "/.ts",
                BASE + "/1.TS",
                BASE + "/1.mp4",
                BASE + "/1..m4s",
                BASE + "/1.2.ts",
                BASE + "/1.12345.m4s",
                BASE + "/init-.mp4",
                BASE + "/init-1.m4s",
                BASE + "/1" + "0".repeat(18) + ".ts",
                BASE + "/init-1" + "0".repeat(18) + ".mp4",
                BASE + "/-1.ts",
                BASE + "/+1.ts",
                BASE + "/1.ts/",
                BASE + "/1.ts.ts",
                BASE + "/１.ts",
                BASE + "/1.ts\u0000",
                // overly long
                BASE + "/" + "9".repeat(10_000) + ".ts",
                "/api/video/v1/" + "a".repeat(100_000) + ".m3u8")) {
            assertThat(PlaybackPath.parse(path))
                    .as(path.length() > 200 ? path.substring(0, 200) : path)
                    .isNull();
            assertThat(reference(path))
                    .as(path.length() > 200 ? path.substring(0, 200) : path)
                    .isNull();
        }
    }

    /** Random edits of valid URLs: the parser must answer exactly as the grammar's regular expressions. */
    @Test
    void agreesWithTheGrammarOnMangledUrls() {
        String[] valid = {
            BASE + ".m3u8",
            BASE + "/live.m3u8",
            BASE + "/123.ts",
            BASE + "/45.m4s",
            BASE + "/init-0.mp4",
            BASE + "/6.78.m4s",
            "/api/video/v1/a.000000000000.channel.Z.m3u8"
        };
        String alphabet = "az09AZ-./%?_:lminitv4s8\u00e9";
        Random random = new Random(42);
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s = new StringBuilder(valid[random.nextInt(valid.length)]);
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(s.length() + 1);
                switch (random.nextInt(3)) {
                    case 0 -> s.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> s.deleteCharAt(Math.min(at, s.length() - 1));
                    default ->
                        s.setCharAt(Math.min(at, s.length() - 1), alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String path = s.toString();
            PlaybackPath parsed = PlaybackPath.parse(path);
            assertThat(parsed).as(path).isEqualTo(reference(path));
            accepted += parsed == null ? 0 : 1;
        }
        assertThat(accepted).as("some mangled URLs are still valid").isGreaterThan(1000);
    }

    // The regular expressions the handler used before the hand-written parser: the grammar's definition.
    private static final String NAME_RE = "([a-z0-9-]{1,32}\\.[0-9]{12}\\.channel\\.[A-Za-z0-9]{1,64})";
    private static final List<Pattern> PATTERNS = List.of(
            Pattern.compile(NAME_RE + "\\.m3u8"),
            Pattern.compile(NAME_RE + "/live\\.m3u8"),
            Pattern.compile(NAME_RE + "/([0-9]{1,18})\\.(ts|m4s)"),
            Pattern.compile(NAME_RE + "/init-([0-9]{1,18})\\.mp4"),
            Pattern.compile(NAME_RE + "/([0-9]{1,18})\\.([0-9]{1,4})\\.m4s"));

    private static PlaybackPath reference(String path) {
        if (!path.startsWith(PlaybackPath.PREFIX)) {
            return null;
        }
        String rest = path.substring(PlaybackPath.PREFIX.length());
        List<PlaybackPath.Kind> kinds = new ArrayList<>(List.of(PlaybackPath.Kind.values()));
        for (int k = 0; k < PATTERNS.size(); k++) {
            Matcher m = PATTERNS.get(k).matcher(rest);
            if (m.matches()) {
                PlaybackPath.Kind kind = kinds.get(k);
                return switch (kind) {
                    case MASTER, MEDIA -> new PlaybackPath(kind, m.group(1), -1, -1, false);
                    case SEGMENT ->
                        new PlaybackPath(
                                kind,
                                m.group(1),
                                Long.parseLong(m.group(2)),
                                -1,
                                m.group(3).equals("m4s"));
                    case INIT -> new PlaybackPath(kind, m.group(1), Long.parseLong(m.group(2)), -1, true);
                    case PART ->
                        new PlaybackPath(
                                kind, m.group(1), Long.parseLong(m.group(2)), Integer.parseInt(m.group(3)), true);
                };
            }
        }
        return null;
    }
}
