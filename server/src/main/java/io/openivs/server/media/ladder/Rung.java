package io.openivs.server.media.ladder;

/**
 * One transcoded rendition of a ladder, sized for a given input.
 *
 * @param name         IVS's rendition name: height, "p", frame rate ({@code 720p60}, {@code 480p30})
 * @param width        output width in pixels, even, keeping the input's aspect ratio
 * @param height       output height in pixels
 * @param frameRate    output frames per second (the input's when it is lower than the rung's)
 * @param videoBitrate target video bits per second
 * @param audioBitrate target AAC bits per second, or 0 to pass the source's audio through
 */
public record Rung(String name, int width, int height, int frameRate, int videoBitrate, int audioBitrate) {

    /** Whether the rung's audio is the source's, copied rather than re-encoded. */
    public boolean copiesAudio() {
        return audioBitrate == 0;
    }
}
