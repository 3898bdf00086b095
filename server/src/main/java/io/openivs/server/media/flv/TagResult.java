package io.openivs.server.media.flv;

/**
 * What became of one FLV tag body. {@link Status#UNSUPPORTED_CODEC} means the stream cannot be
 * played and the caller should end it with a Stream Failure; {@link Status#MALFORMED} tags are
 * dropped and worth counting.
 *
 * @param detail for failures, what was found (a codec name or what is wrong), safe to log and show
 */
public record TagResult(Status status, String detail) {

    public enum Status {
        /** Became a frame or a codec configuration. */
        ACCEPTED,
        /** Nothing to do with it (end of sequence, command frames, frames before their config). */
        IGNORED,
        /** A codec other than H.264 video or AAC audio. */
        UNSUPPORTED_CODEC,
        /** Truncated or inconsistent data. */
        MALFORMED
    }

    public static final TagResult ACCEPTED = new TagResult(Status.ACCEPTED, "");
    public static final TagResult IGNORED = new TagResult(Status.IGNORED, "");

    public static TagResult unsupportedCodec(String codec) {
        return new TagResult(Status.UNSUPPORTED_CODEC, codec);
    }

    public static TagResult malformed(String why) {
        return new TagResult(Status.MALFORMED, why);
    }

    public boolean isUnsupportedCodec() {
        return status == Status.UNSUPPORTED_CODEC;
    }
}
