package io.openivs.server.live;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.openivs.server.ingest.FrameSession;
import io.openivs.server.ingest.IngestConnection;
import io.openivs.server.ingest.rtmp.PublishSession;
import io.openivs.server.ingest.rtmp.PublisherControl;
import io.openivs.server.media.TrackType;
import io.openivs.server.media.flv.FlvToFrames;
import io.openivs.server.media.flv.TagResult;
import java.util.Map;

/**
 * RTMP in front of a {@link FrameSession}: FLV tag bodies become frames ({@link FlvToFrames}), each
 * tag taken is reported with its size on the wire, and the RTMP connection is the session's
 * {@link IngestConnection}. Connection's event loop only, like every {@link PublishSession} call.
 */
final class RtmpPublish implements PublishSession, IngestConnection {
    private final FrameSession session;
    private final FlvToFrames demuxer;
    private volatile PublisherControl control;

    RtmpPublish(FrameSession session) {
        this.session = session;
        this.demuxer = new FlvToFrames(ByteBufAllocator.DEFAULT, session.frames());
    }

    @Override
    public void started(PublisherControl control) {
        this.control = control;
        session.started(this);
    }

    @Override
    public void onMetadata(Map<String, Object> metadata) {
        if (metadata.get("encoder") instanceof String e) {
            session.encoder(e);
        }
    }

    @Override
    public void onAudio(long timestampMs, ByteBuf body) {
        session.arriving();
        if (!session.accepting()) {
            return;
        }
        taken(demuxer.audio(timestampMs, body), TrackType.AUDIO, timestampMs, body.readableBytes(), false);
    }

    @Override
    public void onVideo(long timestampMs, ByteBuf body) {
        session.arriving();
        if (!session.accepting()) {
            return;
        }
        TagResult r = demuxer.video(timestampMs, body);
        // The keyframe the segmenter cuts on.
        taken(r, TrackType.VIDEO, timestampMs, body.readableBytes(), demuxer.lastVideoKeyframe());
    }

    private void taken(TagResult r, TrackType track, long timestampMs, int bytes, boolean keyframe) {
        if (r.status() == TagResult.Status.ACCEPTED) {
            session.received(track, timestampMs, bytes, keyframe);
        } else if (r.isUnsupportedCodec()) {
            session.unsupportedCodec(r.detail());
        }
    }

    @Override
    public void closed(String reason) {
        session.closed(reason);
    }

    // --- IngestConnection, any thread

    @Override
    public void disconnect(String reason) {
        control.disconnect(reason);
    }

    @Override
    public EventExecutor executor() {
        return control.executor();
    }

    @Override
    public void receiveInBatches(int bytes) {
        control.receiveInBatches(bytes);
    }
}
