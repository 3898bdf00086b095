package io.openivs.server.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.resource.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One recording: a prefix in a bucket, fed with the segments of one stream or of several merged
 * within the reconnect window. Lives on the recorder thread ({@link Recordings}); thumbnails are
 * made on the thumbnail thread, and every object goes through the uploader in order.
 *
 * <p>Longer than most classes: one recording's whole life (its renditions' segments, thumbnails, the
 * closing objects, and its rebuilding from a journal or from another node's state) stays with the one
 * owner of its state; the per-rendition state is {@link Track}, the formats are in the journal and ledger.
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
    /** The source: always fed (thumbnails, the duration), stored when selected. */
    private final Track source = new Track(null, false);
    /** Stored transcoded renditions by name, in ladder order. */
    private final Map<String, Track> rungs = new LinkedHashMap<>();
    /** What the stream's renditionConfiguration records; set before the first segment. */
    private StreamRecorder.Selection selection = StreamRecorder.Selection.SOURCE;
    /** The selected rungs as offered (size known from the ladder), for recording-started.json. */
    private List<Rendition> plannedRungs = List.of();

    private int thumbWidth;
    private int thumbHeight;
    private long nextThumbTicks;
    private final AtomicInteger thumbIndex = new AtomicInteger();
    private volatile String lost;
    private final String recordingId;
    private final ObjectNode config;
    /** What this recording has stored, for the next start to finish it after a crash; null when unwritable. */
    private RecordingJournal journal;
    /** Set on a recording a crashed run left: it ended when its journal was last written, not now. */
    private Instant recoveredEnd;

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

    /** A reconnect within the window: the next segment of each rendition joins with a discontinuity. */
    void join(String streamId) {
        if (endTimer != null) { // null when continued from another node
            endTimer.cancel(false);
            endTimer = null;
        }
        streamIds.add(streamId);
        source.joinPending = true;
        rungs.values().forEach(t -> t.joinPending = true);
        if (journal != null) {
            journal.joined(streamId);
        }
    }

    /** Whether segments of this rendition can go on in the same playlist (same size, frame rate and codecs). */
    boolean fits(Rendition r) {
        return source.rendition == null || source.rendition.equals(r);
    }

    boolean hasMedia() {
        return !source.entries.isEmpty();
    }

    /**
     * Recorder thread, before the first segment of a stream: which renditions it records, and the
     * selected rungs as the ladder sizes them. A merged stream keeps the first stream's choice.
     */
    void select(StreamRecorder.Selection chosen, List<StreamRecorder.Offered> offered) {
        if (source.rendition != null) {
            return;
        }
        selection = chosen;
        List<Rendition> planned = new ArrayList<>();
        for (StreamRecorder.Offered o : offered) {
            if (o.rung() != null && chosen.records(o.rung())) {
                planned.add(new Rendition(o.rung(), o.width(), o.height(), o.frameRate(), ""));
            }
        }
        plannedRungs = List.copyOf(planned);
    }

    /** Recorder thread: one finished segment of the source and its bytes. */
    void add(Segment s, byte[] bytes) {
        if (source.rendition == null) {
            Rendition rendition = Rendition.of(s);
            source.rendition = rendition;
            source.stored = selection.source();
            // A rung of the source's own name and size is the same rendition, worse: the source stands for it.
            plannedRungs = plannedRungs.stream()
                    .filter(r -> !(source.stored && r.name().equals(rendition.name())))
                    .toList();
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
        long elapsed = source.durationTicks;
        store(source, s, bytes);
        if (thumbs.interval() && source.rendition.hasVideo() && elapsed >= nextThumbTicks) {
            while (nextThumbTicks <= elapsed) {
                nextThumbTicks += thumbs.intervalTicks();
            }
            owner.thumbnail(() -> thumbnail(bytes));
        }
    }

    /** Recorder thread: one finished MPEG-TS segment of a selected transcoded rendition. */
    void addRung(String name, Segment s, byte[] bytes) {
        if (source.rendition == null
                || !plannedRungs.stream().anyMatch(r -> r.name().equals(name))) {
            return; // before the source's first segment, or a rung the source stands for
        }
        Track t = rungs.get(name);
        if (t == null) {
            t = new Track(Rendition.of(s, name), true);
            rungs.put(name, t);
            if (journal != null) {
                journal.rung(t.rendition);
            }
        } else if (s.sequence() != t.lastSequence + 1) {
            t.joinPending = true; // a restarted transcoder starts again some segments on
        }
        store(t, s, bytes);
    }

    /** Recorder thread: the segment joins the track, and is stored with its playlist when the track is. */
    private void store(Track t, Segment s, byte[] bytes) {
        boolean discontinuity = !t.entries.isEmpty() && (t.joinPending || s.discontinuity());
        t.joinPending = false;
        t.lastSequence = s.sequence();
        int index = t.entries.size();
        VodPlaylists.Entry entry =
                new VodPlaylists.Entry(index, s.durationTicks(), s.programDateTime(), discontinuity, bytes.length);
        t.entries.add(entry);
        t.durationTicks += s.durationTicks();
        t.peakBitsPerSecond = Math.max(t.peakBitsPerSecond, (long) Math.ceil(bytes.length * 8.0 / s.durationSeconds()));
        RecordingJournal j = journal;
        String rung = t == source ? null : t.rendition.name();
        if (!t.stored) {
            if (j != null) {
                j.stored(entry, null); // the duration, for a recording finished after a crash
            }
            t.storedCount = t.entries.size();
            return;
        }
        String hls = RecordingFiles.HLS + "/" + t.rendition.name() + "/";
        owner.uploader.submit(bucket, prefix + "/" + hls + index + ".ts", "video/mp2t", bytes, new Uploader.Outcome() {
            @Override
            public void stored() {
                if (j != null) {
                    j.stored(entry, rung);
                }
                t.storedCount = Math.max(t.storedCount, index + 1);
                owner.stored(Recording.this);
            }

            @Override
            public void lost(Exception cause) {
                lost = cause.toString();
            }
        });
        put(hls + "playlist.m3u8", PLAYLIST, text(VodPlaylists.media(List.copyOf(t.entries), false, false)));
        if (index == 0) {
            putMasters();
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
        if (source.entries.isEmpty() && recoveredEnd == null) {
            return; // no media ever arrived: nothing was written, nothing to close
        }
        Map<String, List<VodPlaylists.Entry>> all = new LinkedHashMap<>();
        stored().forEach(t -> all.put(t.rendition.name(), List.copyOf(t.entries)));
        int segments = source.entries.size();
        long durationMs = source.durationTicks / 90;
        Instant endedAt = recoveredEnd != null ? recoveredEnd : owner.now();
        RecordingJournal j = journal;
        owner.thumbnail(() -> {
            all.forEach((name, entries) -> {
                String hls = RecordingFiles.HLS + "/" + name + "/";
                put(hls + "playlist.m3u8", PLAYLIST, text(VodPlaylists.media(entries, true, false)));
                put(hls + "byte-range-variant.m3u8", PLAYLIST, text(VodPlaylists.media(entries, true, true)));
            });
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
                                    "recording {} of {} ended: {} ms in {} segment(s), renditions {}",
                                    prefix,
                                    channelArn,
                                    durationMs,
                                    segments,
                                    all.keySet());
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
        h.set("rendition", source.rendition.toJson());
        h.put("sourceStored", source.stored);
        // A recording continued on another node records the same rungs (they may not have a segment yet).
        plannedRungs.forEach(r -> h.withArray("plannedRungs").add(r.toJson()));
        return h;
    }

    /**
     * Recorder thread, at start: a recording a killed run left open, rebuilt from its journal with the
     * segments the destination holds, ready for {@link #finish()}.
     */
    static Recording recovered(Recordings owner, RecordingJournal.Orphan o) {
        Recording rec = rebuild(owner, o.header(), o.streamIds(), o.entries(), o.rungs());
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
        ArrayNode list = doc.putArray("entries");
        source.reliable().forEach(e -> e.writeTo(list.addArray()));
        ArrayNode tracks = doc.putArray("rungs");
        for (Track t : rungs.values()) {
            ObjectNode rung = tracks.addObject();
            rung.set("rendition", t.rendition.toJson());
            ArrayNode entries = rung.putArray("entries");
            t.reliable().forEach(e -> e.writeTo(entries.addArray()));
        }
        doc.put("thumbIndex", thumbIndex.get());
        doc.put("nextThumbTicks", nextThumbTicks);
        return doc;
    }

    boolean hasSnapshot() {
        return source.rendition != null;
    }

    /**
     * Recorder thread: a recording another node left (it died, or its publisher came here), continued
     * here by stream {@code streamId} from its stored state: the same prefix, each rendition's next segment
     * numbered after its last one stored, joined with a discontinuity. Journaled here from now on. A null
     * {@code streamId} rebuilds it as it was, joined by no stream.
     */
    static Recording continued(Recordings owner, ObjectNode doc, String streamId) {
        ObjectNode h = (ObjectNode) doc.get("header");
        List<String> streams = new ArrayList<>();
        h.path("streamIds").forEach(n -> streams.add(n.asText()));
        List<VodPlaylists.Entry> stored = new ArrayList<>();
        doc.path("entries").forEach(e -> stored.add(VodPlaylists.Entry.read(e)));
        Map<Rendition, List<VodPlaylists.Entry>> storedRungs = new LinkedHashMap<>();
        for (JsonNode rung : doc.path("rungs")) {
            List<VodPlaylists.Entry> entries = new ArrayList<>();
            rung.path("entries").forEach(e -> entries.add(VodPlaylists.Entry.read(e)));
            storedRungs.put(Rendition.fromJson(rung.path("rendition")), entries);
        }
        Recording rec = rebuild(owner, h, streams, stored, storedRungs);
        rec.thumbIndex.set(doc.path("thumbIndex").asInt());
        rec.nextThumbTicks = doc.path("nextThumbTicks").asLong();
        RecordingJournal j = RecordingJournal.create(owner.spoolDir, rec.recordingId, h);
        rec.journal = j;
        if (j != null) {
            stored.forEach(e -> j.stored(e, null));
            storedRungs.forEach((r, entries) -> {
                j.rung(r);
                entries.forEach(e -> j.stored(e, r.name()));
            });
        }
        if (streamId != null) {
            rec.join(streamId);
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

    /** A recording as a journal or the ledger kept it: the source's and each rung's stored segments. */
    private static Recording rebuild(
            Recordings owner,
            ObjectNode h,
            List<String> streams,
            List<VodPlaylists.Entry> stored,
            Map<Rendition, List<VodPlaylists.Entry>> storedRungs) {
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
        rec.source.rendition = Rendition.fromJson(h.path("rendition"));
        rec.source.stored = h.path("sourceStored").asBoolean(true);
        List<Rendition> planned = new ArrayList<>();
        h.path("plannedRungs").forEach(r -> planned.add(Rendition.fromJson(r)));
        rec.plannedRungs = List.copyOf(planned);
        rec.thumbHeight = Thumbnails.height(rec.thumbs.resolution(), rec.source.rendition.height());
        rec.thumbWidth = Thumbnails.width(rec.source.rendition.width(), rec.source.rendition.height(), rec.thumbHeight);
        stored.forEach(rec.source::recovered);
        storedRungs.forEach((r, entries) -> {
            Track t = new Track(r, true);
            entries.forEach(t::recovered);
            rec.rungs.put(r.name(), t);
        });
        return rec;
    }

    /** The stored renditions with segments: the source first, then the rungs in ladder order. */
    private List<Track> stored() {
        List<Track> out = new ArrayList<>(rungs.size() + 1);
        if (source.stored && !source.entries.isEmpty()) {
            out.add(source);
        }
        rungs.values().stream().filter(t -> !t.entries.isEmpty()).forEach(out::add);
        return out;
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
        List<VodPlaylists.Variant> variants = stored().stream()
                .map(t -> new VodPlaylists.Variant(t.rendition, t.peakBitsPerSecond))
                .toList();
        String hls = RecordingFiles.HLS + "/";
        put(hls + "master.m3u8", PLAYLIST, text(VodPlaylists.master(channelId, account, variants, false)));
        put(
                hls + "byte-range-multivariant.m3u8",
                PLAYLIST,
                text(VodPlaylists.master(channelId, account, variants, true)));
    }

    /**
     * recording-started.json lists what is to be recorded (the selected rungs as the ladder sizes
     * them, before their first segment); the end lists what was.
     */
    private ObjectNode metadata(String status, Instant endedAt, long durationMs, String failure) {
        List<Rendition> renditions = new ArrayList<>();
        if (endedAt == null) {
            if (source.stored) {
                renditions.add(source.rendition);
            }
            renditions.addAll(plannedRungs);
        } else {
            stored().forEach(t -> renditions.add(t.rendition));
        }
        return RecordingFiles.metadata(
                status,
                channelArn,
                startedAt,
                endedAt,
                renditions,
                source.rendition,
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
