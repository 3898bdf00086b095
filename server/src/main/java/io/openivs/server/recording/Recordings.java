package io.openivs.server.recording;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.openivs.server.config.ServerConfig;
import io.openivs.server.control.spi.BucketCheck;
import io.openivs.server.events.EventBus;
import io.openivs.server.events.IvsEvent;
import io.openivs.server.media.hls.Segment;
import io.openivs.server.resource.ChannelSettings;
import io.openivs.server.resource.Ids;
import io.openivs.server.resource.Json;
import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StoredResource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records this node's live streams whose channel has an ACTIVE recording configuration. Streams
 * hand over segments on their event loop ({@link StreamRecorder}); all recording state lives on
 * one recorder thread, thumbnails are made on another, and objects are stored by the
 * {@link Uploader}, so neither ingest nor live playback ever waits for the store.
 *
 * <p>A little over 500 lines: each stream's {@link StreamRecorder} (its rendition selection, merging within
 * the window) and the hand-offs with other nodes through {@link RecordingLedger} all touch the one map of
 * recordings the recorder thread owns, and are kept beside it rather than handed that map.
 */
public final class Recordings implements BucketCheck, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Recordings.class);
    /** Queued recording bytes held in memory before they spool to disk. */
    static final long MEMORY_BUDGET = 64L << 20;

    private final Destination destination;
    final Uploader uploader;
    /** Also holds the journals of recordings in progress ({@link RecordingJournal}). */
    final Path spoolDir;

    private final ResourceStore store;
    private final EventBus events;
    private final Clock clock;
    private final ScheduledExecutorService recorder = recorderThread();
    private final ExecutorService thumbnails = Executors.newSingleThreadExecutor(named("openivs-thumbnails"));
    private final ExecutorService checks = Executors.newFixedThreadPool(2, named("openivs-bucket-check"));
    /** Recorder thread only: the recording of each channel, live or waiting out its reconnect window. */
    private final Map<String, Recording> byChannel = new HashMap<>();
    /**
     * Recordings out of {@link #byChannel} whose end waits for the store's answer ({@link #finishChecked}): a stop
     * finishes them itself, since that answer can come after the recorder has stopped taking work. Recorder thread.
     */
    private final Set<Recording> awaitingStore = new HashSet<>();
    /** The recordings in progress as the store knows them, for another node to continue. */
    private final RecordingLedger ledger;

    /** @param node this node's id, which owns the recordings it makes in the store */
    public Recordings(
            Destination destination, Path spoolDir, ResourceStore store, String node, EventBus events, Clock clock) {
        this.destination = destination;
        this.spoolDir = spoolDir;
        try {
            this.uploader = new Uploader(destination, spoolDir, MEMORY_BUDGET);
        } catch (IOException e) {
            throw new UncheckedIOException("recording spool " + spoolDir + ": " + e.getMessage(), e);
        }
        this.store = store;
        this.events = events;
        this.clock = clock;
        this.ledger = new RecordingLedger(store, node);
    }

    /** The destination the configuration asks for: an S3 API, or folders under {@code <data-dir>/recordings}. */
    public static Destination destination(ServerConfig config) {
        return config.recording().embedded()
                ? new FolderDestination(config.dataDir().resolve("recordings"))
                : new S3Destination(config.recording());
    }

    /** The upload queue, for metrics: objects stored, failed attempts, objects waiting. */
    public Uploader uploads() {
        return uploader;
    }

    public Destination destination() {
        return destination;
    }

    /** Runs the write check on its own threads: an unreachable store can take seconds to say so. */
    @Override
    public CompletionStage<Void> writable(String bucket) {
        return CompletableFuture.runAsync(
                () -> {
                    try {
                        destination.checkWritable(bucket);
                    } catch (IOException e) {
                        log.info("bucket {} is not writable: {}", bucket, e.getMessage());
                        throw new UncheckedIOException(e);
                    }
                },
                checks);
    }

    /**
     * At start: finishes the recordings a killed run left open, from their journals, with the
     * segments stored before it died (playlists with ENDLIST, recording-ended.json, then Recording End).
     * Their objects queue behind what the killed run spooled, so they land last. Returns at once.
     */
    public void finishOrphans() {
        execute(() -> {
            for (RecordingJournal.Orphan o : RecordingJournal.orphans(spoolDir)) {
                try {
                    String id = o.header().path("recordingId").asText();
                    if (!mineToFinish(id, o.header().path("channelArn").asText())) {
                        log.info("recording {} was continued by another node: not finished here", id);
                        RecordingJournal.existing(o.file()).delete();
                        continue;
                    }
                    Recording r = Recording.recovered(this, o);
                    log.info(
                            "finishing recording {} left open by an earlier run: {} segment(s)",
                            r.prefix,
                            o.entries().size());
                    r.finish();
                } catch (RuntimeException e) {
                    log.warn("recording journal {} could not be finished: {}", o.file(), e.toString());
                }
            }
        });
    }

    /**
     * Housekeeping (blocks on the store): finishes the recordings of dead nodes (no heartbeat since
     * {@code aliveSince}) that nobody continued within their reconnect window, instead of leaving them open
     * until that node starts again. Each is finished by one node, which sends its Recording End.
     *
     * @return how many this node took to finish
     */
    public int finishAbandoned(long aliveSince) {
        List<ObjectNode> taken = ledger.takeAbandoned(clock.millis(), aliveSince);
        taken.forEach(this::finishTaken);
        return taken.size();
    }

    /** Finishes (recorder thread) a dead node's recording this node took, with its Recording End. */
    private void finishTaken(ObjectNode doc) {
        execute(() -> {
            Recording r = Recording.abandoned(this, doc);
            log.info(
                    "finishing recording {}, left open by node {} which is gone: {} segment(s)",
                    r.prefix,
                    doc.path("owner").asText().replaceAll("[^\\x20-\\x7e]", "?"),
                    doc.path("entries").size());
            r.finish();
        });
    }

    /** Recorder thread: whether this node is to finish the recording (no other node continued or finished it). */
    private boolean mineToFinish(String recordingId, String channelArn) {
        try {
            return ledger.finishing(recordingId, channelArn) == RecordingLedger.Outcome.MINE;
        } catch (RuntimeException e) {
            // Without the store nobody else can have taken it over since; finishing is the safe side.
            log.warn(
                    "recording {}: the store cannot say who continues it ({}); finishing it here",
                    recordingId,
                    e.toString());
            return true;
        }
    }

    /**
     * A worker thread, when a stream is admitted: what records it. Reads the channel's recording
     * configuration; one that is missing or not ACTIVE gets a Recording Start Failure event.
     */
    public StreamRecorder open(String channelArn, ChannelSettings channel, String streamId) {
        String configArn = channel.recordingConfigurationArn();
        if (configArn.isEmpty()) {
            return StreamRecorder.NONE;
        }
        String channelName = channel.name();
        Optional<StoredResource> stored;
        try {
            stored = store.read(tx -> tx.get(configArn));
        } catch (RuntimeException e) {
            log.warn("recording configuration {} unreadable: {}", configArn, e.toString());
            stored = Optional.empty();
        }
        ObjectNode config = stored.map(r -> Json.parseObject(r.doc())).orElse(null);
        if (config == null || !"ACTIVE".equals(config.path("state").asText())) {
            String bucket = config == null
                    ? ""
                    : config.path("destinationConfiguration")
                            .path("s3")
                            .path("bucketName")
                            .asText("");
            publish(RecordingFiles.event(
                    "Recording Start Failure",
                    config == null ? "ResourceNotFoundException" : "ValidationException",
                    channelArn,
                    channelName,
                    streamId,
                    bucket,
                    "",
                    0,
                    "",
                    null,
                    now()));
            return StreamRecorder.NONE;
        }
        // Another node's recording of this channel within its window (its node died, or the publisher came here).
        RecordingLedger.Claim claim = ledger.claim(channelArn, configArn, clock.millis());
        if (claim.abandoned() != null) {
            finishTaken(claim.abandoned()); // before this stream's recording starts: End, then Start
        }
        ObjectNode claimed = claim.continued();
        Feed feed = new Feed(channelArn, channelName, channel.type(), configArn, config, streamId, claimed);
        execute(feed::attach);
        return feed;
    }

    /** One stream's link to its recording. Fields after construction belong to the recorder thread. */
    private final class Feed implements StreamRecorder {
        final String channelArn;
        final String channelName;
        final String channelType;
        final String configArn;
        final ObjectNode config;
        final String streamId;
        /** Another node's recording this stream continues, as the store had it; null for none. */
        final ObjectNode claimed;

        Recording recording;
        boolean seenMedia;
        /** What the stream offered and what is recorded of it; null until offered (recorder thread). */
        List<StreamRecorder.Offered> offered;

        StreamRecorder.Selection selection;

        Feed(
                String channelArn,
                String channelName,
                String channelType,
                String configArn,
                ObjectNode config,
                String streamId,
                ObjectNode claimed) {
            this.channelArn = channelArn;
            this.channelName = channelName;
            this.channelType = channelType;
            this.configArn = configArn;
            this.config = config;
            this.streamId = streamId;
            this.claimed = claimed;
        }

        /** Owner thread: decided here (a pure function of the configuration), told to the recording in order. */
        @Override
        public StreamRecorder.Selection select(List<StreamRecorder.Offered> renditions) {
            StreamRecorder.Selection chosen = RenditionSelection.choose(config, channelType, renditions);
            List<StreamRecorder.Offered> all = List.copyOf(renditions);
            execute(() -> {
                offered = all;
                selection = chosen;
            });
            log.info(
                    "stream {} records {}{}",
                    streamId,
                    chosen.source() ? "the source " : "",
                    chosen.rungs().isEmpty() ? "" : chosen.rungs());
            return chosen;
        }

        @Override
        public void segment(Segment segment) {
            segment(null, segment);
        }

        @Override
        public void segment(String rung, Segment segment) {
            ByteBuf data = segment.retainedData();
            try {
                recorder.execute(() -> {
                    byte[] bytes;
                    try {
                        bytes = ByteBufUtil.getBytes(data);
                    } finally {
                        data.release();
                    }
                    if (rung == null) {
                        add(segment, bytes);
                    } else if (recording != null && !recording.finished) {
                        recording.addRung(rung, segment, bytes);
                    }
                });
            } catch (RejectedExecutionException e) {
                data.release();
            }
        }

        @Override
        public void ended() {
            execute(this::streamEnded);
        }

        /** Recorder thread: a reconnect within the window continues the waiting recording. */
        void attach() {
            Recording waiting = byChannel.get(channelArn);
            if (claimed != null) {
                if (waiting != null) {
                    finishChecked(waiting);
                }
                recording = Recording.continued(Recordings.this, claimed, streamId);
                byChannel.put(channelArn, recording);
                save(recording);
                log.info("stream {} continues recording {} of another node", streamId, recording.prefix);
            } else if (waiting != null && waiting.canMerge(configArn)) {
                waiting.join(streamId);
                recording = waiting;
                save(waiting);
                log.info("stream {} continues recording {}", streamId, waiting.prefix);
            } else if (waiting != null) {
                finishChecked(waiting);
            }
        }

        void add(Segment segment, byte[] bytes) {
            if (recording != null && recording.finished) {
                // Only at shutdown, when close() ended the recording before the stream's last segment came.
                log.warn(
                        "segment of stream {} after its recording {} was closed: not recorded",
                        streamId,
                        recording.prefix);
                return;
            }
            if (!seenMedia && recording != null && !recording.fits(Rendition.of(segment))) {
                // IVS merges only streams of the same resolution, frame rate and codecs.
                recording.streamIds.remove(streamId);
                finishChecked(recording);
                recording = null;
            }
            seenMedia = true;
            if (recording == null) {
                recording = new Recording(
                        Recordings.this,
                        channelArn,
                        channelName,
                        configArn,
                        config,
                        streamId,
                        now(),
                        Ids.alnum(12),
                        Ids.alnum(16));
                byChannel.put(channelArn, recording);
            }
            if (selection == null) {
                // Never offered a ladder: the source alone, as the configuration selects it.
                Rendition r = Rendition.of(segment);
                offered = List.of(new StreamRecorder.Offered(null, r.width(), r.height(), r.frameRate()));
                selection = RenditionSelection.choose(config, channelType, offered);
            }
            recording.select(selection, offered);
            recording.add(segment, bytes);
        }

        void streamEnded() {
            Recording r = recording;
            if (r == null || r.finished) {
                return;
            }
            if (r.windowMillis == 0 || !r.hasMedia()) {
                finishChecked(r);
            } else {
                r.endTimer = recorder.schedule(() -> finishChecked(r), r.windowMillis, TimeUnit.MILLISECONDS);
                save(r);
            }
        }
    }

    /** Uploader thread: one more segment of {@code r} is stored; the store's copy of its state follows. */
    void stored(Recording r) {
        execute(() -> save(r));
    }

    /** Recorder thread: hands the recording's state to the ledger (written soon, off this thread). */
    private void save(Recording r) {
        if (r.finished || !r.hasSnapshot()) {
            return;
        }
        ObjectNode doc = r.snapshot(r.endTimer != null ? "WAITING" : "RECORDING", clock.millis());
        ledger.save(r.recordingId(), doc, lost -> execute(() -> handedOver(r)));
    }

    /** Recorder thread: another node claimed {@code r}; it is theirs to continue and finish. */
    private void handedOver(Recording r) {
        if (!r.finished) {
            log.info("recording {} continues on another node", r.prefix);
            r.handedOver();
        }
        byChannel.remove(r.channelArn, r);
    }

    /**
     * Recorder thread: ends {@code r} unless another node has taken it over meanwhile; the store is asked
     * off this thread. From now on no stream joins it here.
     */
    private void finishChecked(Recording r) {
        if (r.finished) {
            byChannel.remove(r.channelArn, r);
            return;
        }
        if (r.endTimer != null) {
            r.endTimer.cancel(false);
            r.endTimer = null;
        }
        byChannel.remove(r.channelArn, r);
        if (!r.hasMedia()) {
            finish(r);
            return;
        }
        // Out of byChannel and without a timer: no stream joins it while the store is asked.
        awaitingStore.add(r);
        ledger.finishingLater(
                r.recordingId(),
                r.channelArn,
                outcome -> execute(() -> {
                    awaitingStore.remove(r);
                    if (r.finished) {
                        return; // finished at a stop meanwhile
                    }
                    if (outcome == RecordingLedger.Outcome.MINE) {
                        finish(r);
                    } else {
                        handedOver(r);
                    }
                }));
    }

    private void finish(Recording r) {
        if (!r.finished) {
            r.finish();
        }
        byChannel.remove(r.channelArn, r);
    }

    /** Recorder thread, at shutdown: like {@link #finishChecked}, asking the store here and now. */
    private void finishAtClose(Recording r) {
        if (!r.finished && r.hasMedia() && !mineToFinish(r.recordingId(), r.channelArn)) {
            handedOver(r);
            return;
        }
        finish(r);
    }

    void thumbnail(Runnable work) {
        try {
            thumbnails.execute(work);
        } catch (RejectedExecutionException e) {
            log.debug("thumbnail work dropped at shutdown");
        }
    }

    void publish(IvsEvent e) {
        events.publish(e);
    }

    /** {@code then} once what was published before it is written (the events file). */
    void afterPublished(Runnable then) {
        events.afterPublished(then);
    }

    Instant now() {
        return clock.instant();
    }

    private void execute(Runnable r) {
        try {
            recorder.execute(r);
        } catch (RejectedExecutionException e) {
            log.debug("recording work dropped at shutdown");
        }
    }

    /**
     * Ends every recording (reconnect windows are not waited out), lets thumbnails and the
     * uploader finish within a grace period, and stops.
     */
    @Override
    public void close() {
        execute(() -> {
            Map.copyOf(byChannel).values().forEach(this::finishAtClose);
            List.copyOf(awaitingStore).forEach(this::finishAtClose);
            awaitingStore.clear();
        });
        recorder.shutdown();
        await(recorder);
        ledger.close();
        thumbnails.shutdown();
        await(thumbnails);
        checks.shutdownNow();
        uploader.close();
        destination.close();
    }

    /**
     * One thread. A stop drops the reconnect-window timers still waiting ({@link #close} finishes their recordings
     * itself) and runs the work already queued: by default a scheduled executor runs its delayed tasks after a
     * shutdown, so a node stopped within a recording's window waited that window out, past close()'s 30 s wait
     * and the shutdown grace, before the uploader and the events were closed.
     */
    private static ScheduledExecutorService recorderThread() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, named("openivs-recorder"));
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return e;
    }

    private static void await(ExecutorService e) {
        try {
            e.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
