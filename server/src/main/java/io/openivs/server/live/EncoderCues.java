package io.openivs.server.live;

import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.SpliceCue;
import io.openivs.server.media.hls.DateRange;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * Ad breaks an encoder announced in its stream (SCTE-35 splice_insert), as the same playlist marker as
 * InsertAdBreak's: an EXT-X-DATERANGE with SCTE35-OUT (the encoder's own section). A cue announced ahead
 * of its splice time waits until the stream's frames reach it, so the marker lands where the break starts;
 * encoders repeat an announcement until then, and a repeat of a break already listed or waiting is ignored.
 * Bounded: {@link #MAX_WAITING} cues wait, {@link #REMEMBERED} event ids are remembered. Owner thread only.
 */
final class EncoderCues {
    static final int MAX_WAITING = 8;
    static final int REMEMBERED = 16;
    /** How long an event id without a duration counts as the same break. */
    private static final long UNTIMED_BREAK_TICKS = 120L * MediaFrame.CLOCK_RATE;

    private final ArrayDeque<SpliceCue> waiting = new ArrayDeque<>();
    private final ArrayDeque<long[]> recent = new ArrayDeque<>(); // {eventId, until pts}
    private final String session;
    private final Consumer<DateRange> out;
    private long listed;

    /**
     * @param session names this publisher session in the ranges' ids (a playlist continued after a reconnect
     *     still lists the previous session's)
     * @param out where a break goes when it is due (the renditions' date ranges)
     */
    EncoderCues(String session, Consumer<DateRange> out) {
        this.session = session;
        this.out = out;
    }

    /** A cue from the demuxer, with the newest frame's pts ({@link Long#MIN_VALUE} before any). */
    void offer(SpliceCue cue, long livePts) {
        long at = cue.pts() == SpliceCue.IMMEDIATE ? livePts : cue.pts();
        if (seen(cue.eventId(), livePts == Long.MIN_VALUE ? at : livePts)) {
            return;
        }
        long length = cue.durationTicks() >= 0 ? cue.durationTicks() : UNTIMED_BREAK_TICKS;
        if (recent.size() == REMEMBERED) {
            recent.removeFirst();
        }
        recent.addLast(new long[] {cue.eventId(), (at == Long.MIN_VALUE ? 0 : at) + length});
        if (cue.pts() == SpliceCue.IMMEDIATE || (livePts != Long.MIN_VALUE && cue.pts() <= livePts)) {
            list(cue);
            return;
        }
        if (waiting.size() == MAX_WAITING) {
            waiting.removeFirst();
        }
        waiting.addLast(cue);
    }

    /** A frame reached the renditions: the breaks starting by then are listed. */
    void reached(long pts) {
        if (waiting.isEmpty()) {
            return;
        }
        for (Iterator<SpliceCue> it = waiting.iterator(); it.hasNext(); ) {
            SpliceCue cue = it.next();
            if (cue.pts() <= pts) {
                it.remove();
                list(cue);
            }
        }
    }

    private boolean seen(int eventId, long now) {
        for (long[] r : recent) {
            if (r[0] == eventId && now < r[1]) {
                return true;
            }
        }
        return false;
    }

    private void list(SpliceCue cue) {
        double seconds = cue.durationTicks() >= 0 ? cue.durationTicks() / (double) MediaFrame.CLOCK_RATE : Double.NaN;
        // Unique among the stream's ranges even when an encoder reuses its event ids.
        String id = "scte35-" + session + "-" + (++listed) + "-" + Integer.toUnsignedString(cue.eventId());
        out.accept(new DateRange(id, 0, seconds, cue.section()));
    }
}
