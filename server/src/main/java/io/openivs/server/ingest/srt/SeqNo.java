package io.openivs.server.ingest.srt;

/** Arithmetic on SRT's 31-bit packet sequence numbers, which wrap. */
public final class SeqNo {

    public static final int MAX = 0x7FFF_FFFF;
    private static final int HALF = 0x4000_0000;

    private SeqNo() {}

    /** {@code a - b} as the shortest signed distance on the 31-bit ring. */
    public static int diff(int a, int b) {
        int d = (a - b) & MAX;
        return d >= HALF ? d - MAX - 1 : d;
    }

    public static int add(int seq, int n) {
        return (seq + n) & MAX;
    }
}
