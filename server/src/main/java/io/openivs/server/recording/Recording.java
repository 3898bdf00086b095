package io.openivs.server.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.resource.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One recording: a prefix in a bucket, fed with the segments of one stream or of several merged
 * within the reconnect window. Lives on the recorder thread ({@link Recordings}); thumbnails are
 * made on the thumbnail thread, and every object goes through the uploader in order.
 */
final class Recording {
    private static final Logger log = LoggerFactory.getLogger(Recording.class);
    /** IVS merges at most 20 streams into one recording (User Guide, "IVS Auto-Record to Amazon S3", merging). */
    static final int MAX_MERGED_STREAMS = 20;

    private static final String PLAYLIST = "application/vnd.apple.mpegurl";

    private final Recordings owner;
    final String channelArn;
    final String channelName;
    final String configArn;
    final String bucket;
    final String prefix;
    final String sessionId;
    final long windowMillis;
    private final String channelId;
    private final String account;
    private final RecordingFiles.ThumbnailPlan thumbs;
    private final Instant startedAt;
    final List<String> streamIds = new ArrayList<>();
    private final List<VodPlaylists.Entry> entries = new ArrayList<>();
    private Rendition rendition;
    private int thumbWidth;
    private int thumbHeight;
    private boolean joinPending;
    private long durationTicks;
    private long peakBitsPerSecond;
    private long nextThumbTicks;
    private final AtomicInteger thumbIndex = new AtomicInteger();
    private volatile String lost;
    private final String recordingId;
    private final ObjectNode config;
    /** What this recording has stored, for the next start to finish it after a crash; null when unwritable. */
    private RecordingJournal journal;
    /** Set on a recording a crashed run left: it ended when its journal was last written, not now. */
    private Instant recoveredEnd;

    /** Segments the destination holds, a prefix of {@link #entries} (the uploader stores in order). */
    private volatile int storedCount;

    ScheduledFuture<?> endTimer;
    boolean finished;

    Recording(
            Recordings owner,
            String channelArn,
            String channelName,
            String configArn,
            ObjectNode config,
            String streamId,
            Instant startedAt,
            String recordingId,
            String sessionId) {
        this.owner = owner;
        this.channelArn = channelArn;
        this.channelName = channelName;
        this.configArn = configArn;
        this.bucket = config.path("destinationConfiguration")
                .path("s3")
                .path("bucketName")
                .asText();
        this.windowMillis = config.path("recordingReconnectWindowSeconds").asLong(0) * 1000;
        this.thumbs = RecordingFiles.ThumbnailPlan.of(config);
        this.startedAt = startedAt;
        this.prefix = RecordingFiles.prefix(channelArn, startedAt, recordingId);
        this.sessionId = sessionId;
        this.recordingId = recordingId;
        this.config = config;
        io.openivs.server.resource.Arn arn = io.openivs.server.resource.Arn.parse(channelArn);
        this.channelId = arn.id();
        this.account = arn.account();
        streamIds.add(streamId);
    }

    String currentStream() {
        return streamIds.get(streamIds.size() - 1);
    }

    /** Whether a stream that starts now may continue this recording rather than open a new one. */
    boolean canMerge(String configArn) {
        return !finished
                && endTimer != null
                && this.configArn.equals(configArn)
                && streamIds.size() < MAX_MERGED_STREAMS;
    }

    /** A reconnect within the window: the next segment joins with a discontinuity. */
    void join(String streamId) {
        endTimer.cancel(false);
        endTimer = null;
        streamIds.add(streamId);
        joinPending = true;
        if (journal != null) {
            journal.joined(streamId);
        }
    }

    /** Whether segments of this rendition can go on in the same playlist (same size, frame rate and codecs). */
    boolean fits(Rendition r) {
        return rendition == null || rendition.equals(r);
    }

    boolean hasMedia() {
        return !entries.isEmpty();
    }

    /** Recorder thread: one finished segment and its bytes. */
    void add(Segment s, byte[] bytes) {
        if (rendition == null) {
            rendition = Rendition.of(s);
            thumbHeight = Thumbnails.height(thumbs.resolution(), rendition.height());
            thumbWidth = Thumbnails.width(rendition.width(), rendition.height(), thumbHeight);
            journal = RecordingJournal.create(owner.spoolDir, recordingId, journalHeader());
            put(
                    "events/recording-started.json",
                    "application/json",
                    json(metadata("RECORDING_STARTED", null, 0, null)));
            owner.publish(RecordingFiles.event(
                    "Recording Start",
                    "",
                    channelArn,
                    channelName,
                    currentStream(),
                    bucket,
                    prefix,
                    0,
                    sessionId,
                    null,
                    owner.now()));
        }
        boolean discontinuity = !entries.isEmpty() && (joinPending || s.discontinuity());
        joinPending = false;
        int index = entries.size();
        long elapsed = durationTicks;
        VodPlaylists.Entry entry =
                new VodPlaylists.Entry(index, s.durationTicks(), s.programDateTime(), discontinuity, bytes.length);
        entries.add(entry);
        durationTicks += s.durationTicks();
        peakBitsPerSecond = Math.max(peakBitsPerSecond, (long) Math.ceil(bytes.length * 8.0 / s.durationSeconds()));
        String hls = RecordingFiles.HLS + "/" + rendition.name() + "/";
        RecordingJournal j = journal;
        owner.uploader.submit(bucket, prefix + "/" + hls + index + ".ts", "video/mp2t", bytes, new Uploader.Outcome() {
            @Override
            public void stored() {
                if (j != null) {
                    j.stored(entry);
                }
                storedCount = Math.max(storedCount, index + 1);
                owner.stored(Recording.this);
            }

            @Override
            public void lost(Exception cause) {
                lost = cause.toString();
            }
        });
        put(hls + "playlist.m3u8", PLAYLIST, text(VodPlaylists.media(List.copyOf(entries), false, false)));
        if (index == 0) {
            putMasters();
        }
        if (thumbs.interval() && rendition.hasVideo() && elapsed >= nextThumbTicks) {
            while (nextThumbTicks <= elapsed) {
                nextThumbTicks += thumbs.intervalTicks();
            }
            owner.thumbnail(() -> thumbnail(bytes));
        }
    }

    /** Thumbnail thread. */
    private void thumbnail(byte[] ts) {
        byte[] jpeg;
        try {
            jpeg = Thumbnails.grab(ts, thumbWidth, thumbHeight);
        } catch (Exception e) {
            log.warn("thumbnail of recording {} failed: {}", prefix, e.toString());
            return;
        }
        if (thumbs.sequential()) {
            put(RecordingFiles.THUMBNAILS + "/thumb" + thumbIndex.getAndIncrement() + ".jpg", "image/jpeg", jpeg);
        }
        if (thumbs.latest()) {
            put(RecordingFiles.LATEST_THUMBNAIL, "image/jpeg", jpeg);
        }
    }

    /**
     * Recorder thread: the recording is over. The closing objects are queued from the thumbnail
     * thread, behind any thumbnail still being made, and Recording End is sent once
     * recording-ended.json (the last object) is stored, as IVS tells consumers to wait for it.
     */
    void finish() {
        finished = true;
        if (endTimer != null) {
            endTimer.cancel(false);
            endTimer = null;
        }
        if (entries.isEmpty() && recoveredEnd == null) {
            return; // no media ever arrived: nothing was written, nothing to close
        }
        List<VodPlaylists.Entry> all = List.copyOf(entries);
        long durationMs = durationTicks / 90;
        Instant endedAt = recoveredEnd != null ? recoveredEnd : owner.now();
        RecordingJournal j = journal;
        owner.thumbnail(() -> {
            String hls = RecordingFiles.HLS + "/" + rendition.name() + "/";
            put(hls + "playlist.m3u8", PLAYLIST, text(VodPlaylists.media(all, true, false)));
            put(hls + "byte-range-variant.m3u8", PLAYLIST, text(VodPlaylists.media(all, true, true)));
            putMasters();
            String failure = lost;
            boolean ok = failure == null;
            ObjectNode doc = metadata(
                    ok ? "RECORDING_ENDED" : "RECORDING_ENDED_WITH_FAILURE",
                    endedAt,
                    durationMs,
                    ok ? null : "InternalServerException");
            String event = ok ? "Recording End" : "Recording End Failure";
            owner.uploader.submit(
                    bucket,
                    prefix + "/events/" + (ok ? "recording-ended.json" : "recording-failed.json"),
                    "application/json",
                    json(doc),
                    new Uploader.Outcome() {
                        @Override
                        public void stored() {
                            owner.publish(RecordingFiles.event(
                                    event,
                                    ok ? "" : "InternalServerException",
                                    channelArn,
                                    channelName,
                                    currentStream(),
                                    bucket,
                                    prefix,
                                    durationMs,
                                    sessionId,
                                    List.copyOf(streamIds),
                                    owner.now()));
                            if (j != null) {
                                // Once Recording End is in the events file: a kill before then finishes it again.
                                owner.afterPublished(j::delete);
                            }
                            log.info(
                                    "recording {} of {} ended: {} ms in {} segment(s)",
                                    prefix,
                                    channelArn,
                                    durationMs,
                                    all.size());
                        }
                    });
        });
    }

    /** The journal's first line: what {@link #recovered} needs to rebuild this recording. */
    private ObjectNode journalHeader() {
        ObjectNode h = Json.object();
        h.put("channelArn", channelArn);
        h.put("channelName", channelName);
        h.put("configArn", configArn);
        h.set("config", config);
        h.put("startedAt", startedAt.toString());
        h.put("recordingId", recordingId);
        h.put("sessionId", sessionId);
        streamIds.forEach(h.putArray("streamIds")::add);
        ObjectNode r = h.putObject("rendition");
        r.put("name", rendition.name());
        r.put("width", rendition.width());
        r.put("height", rendition.height());
        r.put("frameRate", rendition.frameRate());
        r.put("codecs", rendition.codecs());
        return h;
    }

    /**
     * Recorder thread, at start: a recording a killed run left open, rebuilt from its journal with the
     * segments the destination holds, ready for {@link #finish()}.
     */
    static Recording recovered(Recordings owner, RecordingJournal.Orphan o) {
        Recording rec = rebuild(owner, o.header(), o.streamIds(), o.entries());
        rec.recoveredEnd = o.lastWritten();
        rec.journal = RecordingJournal.existing(o.file());
        return rec;
    }

    /**
     * Recorder thread: what another node needs to continue this recording (the journal's header and the
     * stored segments, thumbnail numbering), for {@link RecordingLedger}. {@code state} says whether a stream
     * still feeds it (RECORDING) or it waits out its reconnect window (WAITING).
     */
    ObjectNode snapshot(String state, long now) {
        ObjectNode doc = Json.object();
        doc.put("state", state);
        doc.put("updatedAt", now);
        doc.set("header", journalHeader());
        var list = doc.putArray("entries");
        int stored = Math.min(storedCount, entries.size());
        for (VodPlaylists.Entry e : entries.subList(0, stored)) {
            list.addArray()
                    .add(e.index())
                    .add(e.durationTicks())
                    .add(e.programDateTime())
                    .add(e.discontinuity())
                    .add(e.size());
        }
        doc.put("thumbIndex", thumbIndex.get());
        doc.put("nextThumbTicks", nextThumbTicks);
        return doc;
    }

    boolean hasSnapshot() {
        return rendition != null;
    }

    /**
     * Recorder thread: a recording another node left (it died, or its publisher came here), continued
     * here by stream {@code streamId} from its stored state: the same prefix, the next segment numbered
     * after the last one stored, joined with a discontinuity. Journaled here from now on. A null
     * {@code streamId} rebuilds it as it was, joined by no stream.
     */
    static Recording continued(Recordings owner, ObjectNode doc, String streamId) {
        ObjectNode h = (ObjectNode) doc.get("header");
        List<String> streams = new ArrayList<>();
        h.path("streamIds").forEach(n -> streams.add(n.asText()));
        List<VodPlaylists.Entry> stored = new ArrayList<>();
        for (JsonNode s : doc.path("entries")) {
            stored.add(new VodPlaylists.Entry(
                    s.get(0).asInt(),
                    s.get(1).asLong(),
                    s.get(2).asLong(),
                    s.get(3).asBoolean(),
                    s.get(4).asInt()));
        }
        Recording rec = rebuild(owner, h, streams, stored);
        rec.thumbIndex.set(doc.path("thumbIndex").asInt());
        rec.nextThumbTicks = doc.path("nextThumbTicks").asLong();
        rec.storedCount = stored.size();
        rec.journal = RecordingJournal.create(owner.spoolDir, rec.recordingId, h);
        if (rec.journal != null) {
            stored.forEach(rec.journal::stored);
        }
        if (streamId != null) {
            rec.streamIds.add(streamId);
            rec.joinPending = true;
            if (rec.journal != null) {
                rec.journal.joined(streamId);
            }
        }
        return rec;
    }

    /**
     * Recorder thread: a recording a dead node left open that nobody continued within its window, rebuilt
     * here from its stored state for {@link #finish()}; it ended when that node last stored its state.
     * Journaled here, so that this node finishes it again should it die before Recording End is sent.
     */
    static Recording abandoned(Recordings owner, ObjectNode doc) {
        Recording rec = continued(owner, doc, null);
        rec.recoveredEnd = Instant.ofEpochMilli(doc.path("updatedAt").asLong());
        return rec;
    }

    private static Recording rebuild(
            Recordings owner, ObjectNode h, List<String> streams, List<VodPlaylists.Entry> stored) {
        Recording rec = new Recording(
                owner,
                h.path("channelArn").asText(),
                h.path("channelName").asText(),
                h.path("configArn").asText(),
                (ObjectNode) h.get("config"),
                streams.get(0),
                Instant.parse(h.path("startedAt").asText()),
                h.path("recordingId").asText(),
                h.path("sessionId").asText());
        rec.streamIds.addAll(streams.subList(1, streams.size()));
        JsonNode r = h.path("rendition");
        rec.rendition = new Rendition(
                r.path("name").asText(),
                r.path("width").asInt(),
                r.path("height").asInt(),
                r.path("frameRate").asInt(),
                r.path("codecs").asText());
        rec.thumbHeight = Thumbnails.height(rec.thumbs.resolution(), rec.rendition.height());
        rec.thumbWidth = Thumbnails.width(rec.rendition.width(), rec.rendition.height(), rec.thumbHeight);
        for (VodPlaylists.Entry e : stored) {
            rec.entries.add(e);
            rec.durationTicks += e.durationTicks();
            rec.peakBitsPerSecond =
                    Math.max(rec.peakBitsPerSecond, (long) Math.ceil(e.size() * 8.0 / Math.max(e.seconds(), 0.001)));
        }
        return rec;
    }

    String recordingId() {
        return recordingId;
    }

    /** Recorder thread: another node continues this recording; this node stops writing it and forgets its journal. */
    void handedOver() {
        finished = true;
        if (endTimer != null) {
            endTimer.cancel(false);
            endTimer = null;
        }
        if (journal != null) {
            journal.delete();
        }
    }

    private void putMasters() {
        String hls = RecordingFiles.HLS + "/";
        put(
                hls + "master.m3u8",
                PLAYLIST,
                text(VodPlaylists.master(channelId, account, rendition, peakBitsPerSecond, false)));
        put(
                hls + "byte-range-multivariant.m3u8",
                PLAYLIST,
                text(VodPlaylists.master(channelId, account, rendition, peakBitsPerSecond, true)));
    }

    private ObjectNode metadata(String status, Instant endedAt, long durationMs, String failure) {
        return RecordingFiles.metadata(
                status,
                channelArn,
                startedAt,
                endedAt,
                rendition,
                thumbs,
                thumbWidth,
                thumbHeight,
                durationMs,
                failure);
    }

    private void put(String key, String contentType, byte[] body) {
        owner.uploader.submit(bucket, prefix + "/" + key, contentType, body, new Uploader.Outcome() {
            @Override
            public void lost(Exception cause) {
                lost = cause.toString();
            }
        });
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] json(ObjectNode doc) {
        return Json.write(doc).getBytes(StandardCharsets.UTF_8);
    }
}
