package io.openivs.server.live;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.openivs.server.ingest.FrameSession;
import io.openivs.server.ingest.IngestConnection;
import io.openivs.server.ingest.rtmp.PublishRefusedException;
import io.openivs.server.ingest.srt.SrtConnection;
import io.openivs.server.ingest.srt.SrtIngest;
import io.openivs.server.media.AudioConfig;
import io.openivs.server.media.MediaFrame;
import io.openivs.server.media.MediaSink;
import io.openivs.server.media.SpliceCue;
import io.openivs.server.media.TimedMetadata;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.VideoConfig;
import io.openivs.server.media.ts.demux.TsDemuxer;
import io.openivs.server.net.LogSafe;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SRT caller in front of a {@link FrameSession}: its MPEG-TS payloads are demuxed ({@link TsDemuxer}) into
 * the stream's frames, each frame taken is reported with its size, and the SRT connection is the session's
 * {@link IngestConnection}. The stream is admitted asynchronously (store work on a worker) after the SRT
 * handshake; what the caller sends meanwhile waits here, bounded. Every call runs on the connection's loop.
 */
final class SrtPublish implements SrtIngest.Session, IngestConnection, MediaSink {
    private static final Logger log = LoggerFactory.getLogger(SrtPublish.class);
    /** What may wait for admission (about 4 s of a 4 Mbps stream); more closes the connection. */
    static final int MAX_WAITING_BYTES = 2 * 1024 * 1024;
    /**
     * How much video waits for the audio's config when the PMT declares audio. In MPEG-TS the audio's config comes
     * with its first PES, which muxers send up to 0.7 s after the video it goes with; passed on at once, that video
     * would make a first segment without audio and a discontinuity when the audio joins.
     */
    static final long MAX_VIDEO_BEFORE_AUDIO_TICKS = MediaFrame.CLOCK_RATE;

    private final SrtIngest.Link link;
    private final SrtIngest.SrtCaller caller;
    private CompositeByteBuf waiting;
    private FrameSession session;
    private MediaSink frames;
    private TsDemuxer demuxer;
    private boolean closed;
    private String closeReason;
    private boolean codecReported;
    /** Video held until the audio's config (see {@link #MAX_VIDEO_BEFORE_AUDIO_TICKS}); retained. */
    private final ArrayDeque<MediaFrame> early = new ArrayDeque<>();

    private boolean holding = true;

    SrtPublish(SrtIngest.Link link, SrtIngest.SrtCaller caller) {
        this.link = link;
        this.caller = caller;
        this.waiting = ByteBufAllocator.DEFAULT.compositeBuffer(Integer.MAX_VALUE);
    }

    /** Connection loop: the stream was admitted ({@code admitted} non-null) or refused. */
    void admitted(FrameSession admitted, Throwable refusal) {
        if (admitted == null) {
            Throwable cause =
                    refusal instanceof CompletionException && refusal.getCause() != null ? refusal.getCause() : refusal;
            String why = cause instanceof PublishRefusedException ? cause.getMessage() : "server error";
            if (!(cause instanceof PublishRefusedException)) {
                log.warn("SRT publish from {} failed: {}", caller.peer(), LogSafe.escape(String.valueOf(cause)));
            } else {
                log.info("SRT publish from {} refused: {}", caller.peer(), LogSafe.escape(why));
            }
            releaseWaiting();
            link.close(why);
            return;
        }
        if (closed) {
            admitted.closed(closeReason); // the caller went while the store answered
            return;
        }
        session = admitted;
        frames = admitted.frames();
        demuxer = new TsDemuxer(ByteBufAllocator.DEFAULT, this);
        session.started(this);
        session.encoder(
                "SRT " + caller.srtVersion() + (caller.keyLength() > 0 ? ", AES-" + caller.keyLength() * 8 : ""));
        CompositeByteBuf early = waiting;
        waiting = null;
        if (early.isReadable()) {
            take(early);
        }
        early.release();
    }

    @Override
    public void onPayload(ByteBuf payload) {
        if (closed) {
            return;
        }
        if (demuxer == null) {
            if (waiting.readableBytes() + payload.readableBytes() > MAX_WAITING_BYTES) {
                link.close("admission took too long");
                return;
            }
            waiting.addComponent(true, payload.copy());
            return;
        }
        take(payload);
    }

    private void take(ByteBuf ts) {
        session.arriving();
        if (!session.accepting()) {
            return;
        }
        demuxer.feed(ts);
        String codec = demuxer.unsupportedCodec();
        if (codec != null && !codecReported) {
            codecReported = true;
            session.unsupportedCodec(codec);
        }
    }

    @Override
    public void onClose(String reason, SrtConnection.Stats stats) {
        if (closed) {
            return;
        }
        closed = true;
        closeReason = reason;
        releaseWaiting();
        releaseEarly();
        if (session != null) {
            demuxer.flush();
            demuxer.close();
            session.closed(reason);
        }
        log.info("SRT caller {} closed: {} ({})", caller.peer(), LogSafe.escape(reason), stats);
    }

    private void releaseEarly() {
        holding = false;
        for (MediaFrame f : early) {
            f.release();
        }
        early.clear();
    }

    private void releaseWaiting() {
        if (waiting != null) {
            waiting.release();
            waiting = null;
        }
    }

    // --- MediaSink: what the demuxer produces goes to the stream, and is counted as received

    @Override
    public void onSessionStart() {
        // the session started with started()
    }

    @Override
    public void onVideoConfig(VideoConfig config) {
        frames.onVideoConfig(config);
    }

    @Override
    public void onAudioConfig(AudioConfig config) {
        frames.onAudioConfig(config);
        stopHolding();
    }

    @Override
    public void onFrame(MediaFrame frame) {
        if (holding && frame.isVideo() && demuxer.expectsAudio()) {
            if (early.isEmpty() || frame.dts() - early.peekFirst().dts() < MAX_VIDEO_BEFORE_AUDIO_TICKS) {
                early.addLast(frame.retain());
                return;
            }
            stopHolding(); // no audio in time: the video plays on, the audio joins when it comes
        }
        pass(frame);
    }

    private void stopHolding() {
        holding = false;
        while (!early.isEmpty()) {
            MediaFrame f = early.removeFirst();
            try {
                if (session.accepting()) {
                    pass(f);
                }
            } finally {
                f.release();
            }
        }
    }

    private void pass(MediaFrame frame) {
        TrackType track = frame.track();
        long ms = frame.dts() / (MediaFrame.CLOCK_RATE / 1000);
        int bytes = frame.payload().readableBytes();
        boolean key = frame.isKeyframe();
        frames.onFrame(frame);
        session.received(track, ms, bytes, key);
    }

    @Override
    public void onTimedMetadata(TimedMetadata item) {
        frames.onTimedMetadata(item);
    }

    @Override
    public void onSpliceCue(SpliceCue cue) {
        frames.onSpliceCue(cue);
    }

    @Override
    public void onSessionEnd() {
        // the session ends with closed()
    }

    // --- IngestConnection, any thread

    @Override
    public void disconnect(String reason) {
        link.close(reason);
    }

    @Override
    public EventExecutor executor() {
        return link.executor();
    }
}
