package io.openivs.server.media.hls;

import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.VideoConfig;
import java.util.List;
import java.util.Optional;

/**
 * One EXT-X-STREAM-INF entry of a multivariant playlist.
 *
 * @param uri the media playlist's URI, as the caller serves it
 * @param name rendition name (e.g. {@code 1080p30}) for an IVS-style EXT-X-MEDIA group, or null
 * @param bandwidth peak bits per second over a segment
 * @param averageBandwidth mean bits per second, or 0 if unknown
 * @param width 0 when there is no video
 * @param codecs RFC 6381 codec strings, comma separated
 * @param frameRate 0 when unknown
 */
public record Variant(
        String uri,
        String name,
        long bandwidth,
        long averageBandwidth,
        int width,
        int height,
        String codecs,
        double frameRate) {

    /**
     * Describes a rendition from its actual segments: bandwidth measured over them, resolution,
     * codecs and frame rate from the configuration of the newest one. Empty while there are no segments.
     */
    public static Optional<Variant> measure(String uri, String name, List<Segment> segments) {
        if (segments.isEmpty()) {
            return Optional.empty();
        }
        double peak = 0;
        double bits = 0;
        double seconds = 0;
        for (Segment s : segments) {
            double segmentBits = s.size() * 8.0;
            peak = Math.max(peak, segmentBits / s.durationSeconds());
            bits += segmentBits;
            seconds += s.durationSeconds();
        }
        Segment newest = segments.get(segments.size() - 1);
        VideoConfig video = newest.video();
        AudioConfig audio = newest.audio();
        String codecs = video != null && audio != null
                ? video.codec() + "," + audio.codec()
                : video != null ? video.codec() : audio.codec();
        return Optional.of(new Variant(
                uri,
                name,
                (long) Math.ceil(peak),
                (long) Math.ceil(bits / seconds),
                video != null ? video.width() : 0,
                video != null ? video.height() : 0,
                codecs,
                video != null ? video.frameRate() : 0));
    }

    /**
     * The audio track of a rendition as its own variant, IVS's {@code audio_only} shape: peak
     * bandwidth measured over its segments, the audio codec, no resolution. Empty while there are
     * no segments or they carry no audio.
     */
    public static Optional<Variant> audioOnly(String uri, String name, List<Segment> segments) {
        if (segments.isEmpty() || segments.get(segments.size() - 1).audio() == null) {
            return Optional.empty();
        }
        return measure(uri, name, segments)
                .map(v -> new Variant(
                        uri,
                        name,
                        v.bandwidth(),
                        0,
                        0,
                        0,
                        segments.get(segments.size() - 1).audio().codec(),
                        0));
    }
}
