package io.openivs.server.playback;

/** Finds what a playback URL names. */
@FunctionalInterface
public interface PlaybackSource {
    /** The live rendition of the channel named "{region}.{account}.channel.{id}", or null when it is offline. */
    LiveRendition find(String channelName);
}
