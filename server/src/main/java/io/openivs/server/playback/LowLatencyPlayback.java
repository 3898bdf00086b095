package io.openivs.server.playback;

import io.openivs.server.media.hls.LowLatency;
import io.openivs.server.media.hls.Part;
import io.openivs.server.media.hls.RenditionReport;
import io.openivs.server.media.hls.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * LL-HLS playback of a channel whose segmenter cuts parts (LOW latency, FRAGMENTED_MP4): parts
 * are served as {@code {sequence}.{index}.m4s}, and a playlist request with {@code _HLS_msn}
 * (and {@code _HLS_part}), or a request for the part a preload hint names while no segment is
 * being written (the part being written is streamed instead, see {@link ChunkedAnswer}), is parked
 * until it can be answered: a callback on the stream's owner thread, no thread per waiting request.
 */
final class LowLatencyPlayback {

    /** The outcome of a blocking request: answer now, refuse as malformed, or give up waiting. */
    enum Wait {
        READY,
        BAD_REQUEST,
        TIMED_OUT
    }

    /** Blocking requests are given up after this many target durations, as the draft advises. */
    private static final int TIMEOUT_TARGET_DURATIONS = 3;

    private LowLatencyPlayback() {}

    static LowLatency state(LiveRendition live, String childQuery) {
        return live.lowLatency((sequence, index) -> sequence + "." + index + ".m4s" + childQuery);
    }

    /**
     * The state for a media playlist: also where the stream's other renditions stand, those the
     * viewer may play. Owner thread.
     *
     * @param playlistQuery appended to the other renditions' playlist URIs (a private channel's
     *                      longer-lived ticket: a player may go on reloading that URI)
     * @param admitted      whether the viewer may play a rendition of this window (a token's maximum resolution)
     */
    static LowLatency withReports(
            LiveRendition live, String childQuery, String playlistQuery, Predicate<List<Segment>> admitted) {
        LowLatency ll = state(live, childQuery);
        if (ll == null) {
            return ll;
        }
        List<LiveRendition> others = live.others();
        List<RenditionReport> reports = new ArrayList<>(others.size());
        // Playlists sit side by side: {name}/live.m3u8, {name}/audio_only/live.m3u8, {name}/480p30/live.m3u8.
        String up = live.folder() == null ? "" : "../";
        for (LiveRendition other : others) {
            List<Segment> segments = other.segments();
            if (!admitted.test(segments)) {
                continue;
            }
            String uri = up + (other.folder() == null ? "" : other.folder() + "/") + "live.m3u8" + playlistQuery;
            LowLatency theirs = state(other, childQuery);
            RenditionReport report = theirs == null ? null : theirs.report(uri, segments);
            if (report != null) {
                reports.add(report);
            }
        }
        return reports.isEmpty() ? ll : ll.withReports(reports);
    }

    /**
     * The part, finished, in the window or the segment being written; null when it is not (yet) there.
     * Owner thread.
     */
    static Part find(List<Segment> segments, LowLatency ll, long sequence, int index) {
        if (sequence == ll.nextSequence()) {
            return index < ll.inProgress().size() ? ll.inProgress().get(index) : null;
        }
        for (Segment s : segments) {
            if (s.sequence() == sequence) {
                return index < s.parts().size() ? s.parts().get(index) : null;
            }
        }
        return null;
    }

    /**
     * Whether a request may be answered now. {@code msn < 0} means it does not block.
     *
     * @param forPart true for a part request (waits only for the part the preload hint names),
     *        false for a playlist reload with {@code _HLS_msn=msn} and {@code _HLS_part=part} (-1 when absent)
     */
    static Wait check(LiveRendition live, LowLatency ll, boolean forPart, long msn, int part) {
        if (msn < 0) {
            // _HLS_part means nothing without _HLS_msn: the draft calls that a client error.
            return part >= 0 && !forPart ? Wait.BAD_REQUEST : Wait.READY;
        }
        if (live.ended() || live.finished()) {
            return Wait.READY; // nothing more will come: the playlist as it stands (with ENDLIST once finished)
        }
        long next = ll.nextSequence();
        if (forPart) {
            // Only the hinted part is worth waiting for; anything else exists or never will.
            return msn == next && part == ll.inProgress().size() ? null : Wait.READY;
        }
        // The draft: more than two segments beyond the playlist's last is a client error.
        if (msn > next + 1) {
            return Wait.BAD_REQUEST;
        }
        if (msn < next || part >= 0 && msn == next && part < ll.inProgress().size()) {
            return Wait.READY;
        }
        return null;
    }

    /**
     * On the owner thread: runs {@code answer} with READY (or BAD_REQUEST) as soon as
     * {@link #check} allows, or with TIMED_OUT after three target durations.
     */
    static void whenReady(
            LiveRendition live, String childQuery, boolean forPart, long msn, int part, Consumer<Wait> answer) {
        if (msn < 0 && part < 0) {
            answer.accept(Wait.READY); // not a blocking request: the common case, kept cheap
            return;
        }
        LowLatency ll = state(live, childQuery);
        Wait now = ll == null ? Wait.READY : check(live, ll, forPart, msn, part);
        if (now != null) {
            answer.accept(now);
            return;
        }
        Waiter waiter = new Waiter(live, childQuery, forPart, msn, part, answer);
        long timeoutMs = TIMEOUT_TARGET_DURATIONS * 1000L * live.targetDurationSeconds();
        waiter.timeout = live.owner().schedule(waiter::timedOut, timeoutMs, TimeUnit.MILLISECONDS);
        live.whenChanged(waiter);
    }

    /** One parked request; runs on the owner thread only. */
    private static final class Waiter implements Runnable {
        private final LiveRendition live;
        private final String childQuery;
        private final boolean forPart;
        private final long msn;
        private final int part;
        private final Consumer<Wait> answer;
        private boolean done;
        private Future<?> timeout;

        Waiter(LiveRendition live, String childQuery, boolean forPart, long msn, int part, Consumer<Wait> answer) {
            this.live = live;
            this.childQuery = childQuery;
            this.forPart = forPart;
            this.msn = msn;
            this.part = part;
            this.answer = answer;
        }

        /** A part or segment was finished: answer if it was the one awaited, else wait on. */
        @Override
        public void run() {
            if (done) {
                return;
            }
            Wait w = live.ended() || live.finished()
                    ? Wait.READY
                    : check(live, state(live, childQuery), forPart, msn, part);
            if (w == null) {
                live.whenChanged(this);
            } else {
                done = true;
                timeout.cancel(false);
                answer.accept(w);
            }
        }

        void timedOut() {
            if (!done) {
                done = true;
                live.stopWaiting(this); // a stalled stream must not pile up given-up requests
                answer.accept(Wait.TIMED_OUT);
            }
        }
    }

    /** The value of query parameter {@code name} as a number, or -1 when absent or not a number. */
    static long number(String query, String name) {
        int from = 0;
        while ((from = query.indexOf(name + "=", from)) >= 0) {
            if (from == 0 || query.charAt(from - 1) == '?' || query.charAt(from - 1) == '&') {
                int start = from + name.length() + 1;
                int end = start;
                while (end < query.length() && end - start < 18 && Character.isDigit(query.charAt(end))) {
                    end++;
                }
                return end > start ? Long.parseLong(query, start, end, 10) : -1;
            }
            from++;
        }
        return -1;
    }
}
