package io.openivs.server.media.hls;

import io.netty.buffer.ByteBuf;
import io.openivs.server.media.GrowingSegmentWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The viewers following the segment being written (LHLS prefetch requests) and how much of it has
 * been handed out: every follower has had bytes {@code [0, sent)}, in order, as views of the
 * writer's memory. For MPEG-TS the segmenter's writer grows in place and is read lazily, only while
 * someone follows; for fMP4 the segment is its parts' chunks, sent as each is closed. Owned by the
 * {@link Segmenter}, on its thread.
 */
final class SegmentFollowers {
    private final GrowingSegmentWriter growing;
    private final List<SegmentFollower> followers = new ArrayList<>();
    private long sent;
    private long sentAtPartStart;

    /** @param growing the writer when it can be read as it grows, else null (bytes come through {@link #send}) */
    SegmentFollowers(GrowingSegmentWriter growing) {
        this.growing = growing;
    }

    /** Bytes of the open segment handed out so far. */
    long sent() {
        return sent;
    }

    /** A growing writer: sends what was written since the last time, when anyone follows. */
    void catchUp() {
        if (growing == null || followers.isEmpty()) {
            return;
        }
        readWriter();
    }

    private void readWriter() {
        long now = growing.writtenBytes();
        if (now > sent) {
            ByteBuf added = growing.written(sent, now);
            try {
                send(added);
            } finally {
                added.release();
            }
        }
    }

    /** The next bytes of the open segment, borrowed: to every follower. */
    void send(ByteBuf bytes) {
        sent += bytes.readableBytes();
        if (!followers.isEmpty()) {
            followers.removeIf(f -> !f.onBytes(bytes));
        }
    }

    /**
     * A part was closed with these bytes (null when empty): whatever its chunks did not carry (an
     * event box with no sample after it) goes out now, so what was sent stays the segment's prefix.
     */
    void partEnded(ByteBuf part) {
        long carried = sent - sentAtPartStart;
        if (part != null && part.readableBytes() > carried) {
            send(part.slice(part.readerIndex() + (int) carried, part.readableBytes() - (int) carried));
        }
        sentAtPartStart = sent;
    }

    /**
     * Adds a follower: first the bytes so far (a growing writer's read here; else {@code soFar}, the
     * parts and chunks closed so far, which must total {@link #sent}), then each as it comes.
     */
    void add(SegmentFollower follower, List<ByteBuf> soFar) {
        if (growing != null) {
            readWriter();
            if (sent > 0) {
                ByteBuf all = growing.written(0, sent);
                try {
                    if (!follower.onBytes(all)) {
                        return;
                    }
                } finally {
                    all.release();
                }
            }
        } else {
            for (ByteBuf b : soFar) {
                if (!follower.onBytes(b)) {
                    return;
                }
            }
        }
        followers.add(follower);
    }

    /** The segment is finished as {@code data}: followers get what they lack, then its end. */
    void finished(ByteBuf data) {
        if (!followers.isEmpty() && data.readableBytes() > sent) {
            send(data.slice(data.readerIndex() + (int) sent, data.readableBytes() - (int) sent));
        }
        end(true);
    }

    /** The open segment was dropped unfinished (or there was none). */
    void dropped() {
        end(false);
    }

    private void end(boolean complete) {
        sent = 0;
        sentAtPartStart = 0;
        if (!followers.isEmpty()) {
            List<SegmentFollower> done = List.copyOf(followers);
            followers.clear();
            done.forEach(f -> f.segmentEnded(complete));
        }
    }
}
