package io.openivs.server.media.fmp4;

/** The sample_flags word of trun and trex (ISO/IEC 14496-12 8.8.3.1). */
final class SampleFlags {

    /** sample_depends_on = 2 (depends on no other sample): a place to start decoding. */
    static final int SYNC = 0x0200_0000;
    /** sample_depends_on = 1, sample_is_non_sync_sample = 1. */
    static final int NON_SYNC = 0x0101_0000;

    private SampleFlags() {}
}
