package io.openivs.server.media.fmp4;

/** The fixed track numbering shared by the init segment and the fragments. */
final class TrackIds {

    static final int VIDEO = 1;
    static final int AUDIO = 2;

    private TrackIds() {}
}
