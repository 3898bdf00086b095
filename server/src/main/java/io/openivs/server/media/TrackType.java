package io.openivs.server.media;

/** The elementary stream a {@link MediaFrame} belongs to. One video and one audio track per stream. */
public enum TrackType {
    VIDEO,
    AUDIO
}
