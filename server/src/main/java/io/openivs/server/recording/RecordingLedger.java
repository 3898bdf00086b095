package io.openivs.server.recording;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.Json;
import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StoredResource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recordings in progress as the store knows them, so that a publisher who reconnects to another node
 * within the reconnect window continues the same recording there (the node that had it may be dead).
 *
 * <p>Each open recording is one resource of type {@link #OPEN_TYPE}, unique per channel (its lookup), whose
 * document is the recording's journal (header, stored segments) plus the node that owns it, its state and
 * when it last changed. Another node may claim it ({@link #claim}) within the window; the owner then loses
 * it (its next write or its window's end says so) and drops it without finishing it. A finished recording
 * leaves a small {@link #ENDED_TYPE} record naming who finished it, so a node restarting with the
 * recording's journal does not finish it a second time. A dead node's recording that nobody continues
 * within its window is finished by a surviving node's housekeeping ({@link #takeAbandoned}).
 *
 * <p>On a store no other node shares (SQLite) nobody else can continue a recording: the ledger writes
 * nothing and every recording is this node's to finish (its journal covers restarts).
 *
 * <p>Writes go through one thread and are coalesced per recording (only the newest state matters), so the
 * recorder thread never waits for the database, and a write that fails (an outage) is retried.
 */
final class RecordingLedger implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RecordingLedger.class);
    static final String OPEN_TYPE = "openivs-open-recording";
    static final String ENDED_TYPE = "openivs-ended-recording";
    private static final long RETRY_MS = 1_000;
    /** How long an ended record outlives its recording: a node down longer finishes its journal again. */
    static final long ENDED_KEEP_MS = 7L * 24 * 3600 * 1000;

    /**
     * How long after a node's last heartbeat its open recordings are looked for: longer than the longest
     * reconnect window IVS allows (300 s), with a margin for sweeps the store did not answer.
     */
    static final long DIED_LATELY_MS = 360_000;

    /** What a conditional step found: the recording is still this node's, or another node has taken it. */
    enum Outcome {
        MINE,
        LOST
    }

    private final ResourceStore store;
    private final String node;
    /** Whether other nodes share the store; if not, the ledger keeps nothing. */
    private final boolean shared;

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "openivs-recording-ledger");
        t.setDaemon(true);
        return t;
    });
    /** Newest unwritten state per recording id, with what to do if the recording was lost. */
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    /** Whether {@link #takeAbandoned} has looked at every open recording once since this node started. */
    private volatile boolean sweptOnce;

    private record Pending(ObjectNode doc, Consumer<Outcome> then) {}

    RecordingLedger(ResourceStore store, String node) {
        this.store = store;
        this.node = node;
        this.shared = !store.soleWriter();
    }

    String node() {
        return node;
    }

    static String openArn(String recordingId) {
        return "arn:openivs:open-recording:" + recordingId;
    }

    static String endedArn(String recordingId) {
        return "arn:openivs:ended-recording:" + recordingId;
    }

    /**
     * Any thread: stores {@code doc} (the recording's journal state) as this node's, replacing an unwritten
     * older state. {@code then} hears LOST, on the ledger thread, if another node has claimed it.
     */
    void save(String recordingId, ObjectNode doc, Consumer<Outcome> then) {
        if (!shared) {
            return;
        }
        boolean schedule;
        synchronized (pending) {
            schedule = pending.isEmpty();
            pending.put(recordingId, new Pending(doc, then));
        }
        if (schedule) {
            run(this::drain, 0);
        }
    }

    private void drain() {
        Map<String, Pending> batch;
        synchronized (pending) {
            batch = new LinkedHashMap<>(pending);
            pending.clear();
        }
        for (Map.Entry<String, Pending> e : batch.entrySet()) {
            Outcome o;
            try {
                o = write(e.getKey(), e.getValue().doc());
            } catch (RuntimeException failed) {
                log.debug("recording state {} not stored yet: {}", e.getKey(), failed.toString());
                synchronized (pending) {
                    pending.putIfAbsent(e.getKey(), e.getValue()); // unless a newer state came meanwhile
                }
                run(this::drain, RETRY_MS);
                continue;
            }
            if (o == Outcome.LOST) {
                e.getValue().then().accept(o);
            }
        }
    }

    /** Ledger thread: the state as this node's, unless another node holds it now. */
    private Outcome write(String recordingId, ObjectNode doc) {
        String channelArn = doc.path("header").path("channelArn").asText();
        Arn arn = Arn.parse(channelArn);
        String json = Json.write(doc.put("owner", node));
        return store.write(tx -> {
            Optional<StoredResource> mine = tx.get(openArn(recordingId));
            if (mine.isPresent()) {
                if (!node.equals(owner(mine.get()))) {
                    return Outcome.LOST;
                }
                if (!tx.update(mine.get().withDoc(json))) {
                    throw new IllegalStateException("recording state changed under its writer");
                }
                return Outcome.MINE;
            }
            if (tx.get(endedArn(recordingId)).isPresent()) {
                return Outcome.LOST;
            }
            // Another recording of the channel still open here was abandoned (its window passed).
            tx.byLookup(OPEN_TYPE, channelArn).ifPresent(old -> tx.delete(old.arn()));
            tx.insert(new StoredResource(
                    openArn(recordingId),
                    arn.account(),
                    arn.region(),
                    OPEN_TYPE,
                    recordingId,
                    System.currentTimeMillis() * 1000,
                    null,
                    channelArn,
                    1,
                    json));
            return Outcome.MINE;
        });
    }

    /**
     * What a publisher admitted here found of the channel's open recording on another node.
     *
     * @param continued the recording to continue here (within its window), now this node's; or null
     * @param abandoned a dead node's recording that can no longer be continued (its window passed, or its
     *                  configuration is not the stream's), taken for this node to finish; or null
     */
    record Claim(ObjectNode continued, ObjectNode abandoned) {
        static final Claim NONE = new Claim(null, null);
    }

    /**
     * A worker, when a publisher is admitted: the channel's open recording of another node, if it may be
     * continued here now (within its window, same configuration, fewer than 20 streams merged); it is then
     * this node's. One that may not is taken for this node to finish at once when its window has passed or its
     * owner is dead (left alone, the new recording's open record would replace it and nobody but the dead node,
     * started again, would finish it); one within the window of a live owner is let go (the owner finishes it).
     * NONE when there is none or the store cannot say.
     */
    Claim claim(String channelArn, String configArn, long now) {
        if (!shared) {
            return Claim.NONE;
        }
        try {
            return store.write(tx -> {
                Optional<StoredResource> open = tx.byLookup(OPEN_TYPE, channelArn);
                if (open.isEmpty() || node.equals(owner(open.get()))) {
                    return Claim.NONE;
                }
                ObjectNode doc = Json.parseObject(open.get().doc());
                ObjectNode header = (ObjectNode) doc.path("header");
                boolean inWindow = now - doc.path("updatedAt").asLong() <= window(doc);
                boolean fits = inWindow
                        && configArn.equals(header.path("configArn").asText())
                        && header.path("streamIds").size() < Recording.MAX_MERGED_STREAMS;
                if (!fits) {
                    // Past its window nobody may continue it, and its owner may be dead without its heartbeat
                    // being stale yet: finished here, once (a live owner finding the ended record drops it).
                    if (inWindow && ownerAlive(tx, owner(open.get()), now)) {
                        tx.delete(open.get().arn()); // its owner finishes it when its window ends
                        return Claim.NONE;
                    }
                    return take(tx, open.get(), doc) ? new Claim(null, doc) : Claim.NONE;
                }
                ObjectNode continued = doc.deepCopy();
                continued.put("owner", node);
                continued.put("updatedAt", now);
                if (!tx.update(open.get().withDoc(Json.write(continued)))) {
                    return Claim.NONE; // another node claimed it first
                }
                return new Claim(continued, null);
            });
        } catch (RuntimeException e) {
            log.warn("open recordings of {} unreadable, a new recording starts: {}", channelArn, e.toString());
            return Claim.NONE;
        }
    }

    /** The reconnect window of an open recording's document, in ms (0: none). */
    private static long window(ObjectNode doc) {
        return doc.path("header")
                        .path("config")
                        .path("recordingReconnectWindowSeconds")
                        .asLong(0)
                * 1000;
    }

    /**
     * Whether {@code owner}'s heartbeat is fresh. Right after a store outage every heartbeat is old, the live
     * nodes' too: then it counts as alive (letting go is the safe side; the owner, if dead, finishes the
     * recording from its journal when it starts again).
     */
    private boolean ownerAlive(ResourceStore.Tx tx, String owner, long now) {
        long freshSince = now - io.openivs.server.resource.StreamSessions.STALE_MS;
        if (now - store.lastUnreachable() < io.openivs.server.resource.StreamSessions.STALE_MS) {
            return true;
        }
        return tx.nodes(freshSince).stream().anyMatch(n -> n.node().equals(owner) && n.heartbeat() >= freshSince);
    }

    /**
     * Takes an open recording for this node to finish, at most once across all nodes: the versioned update
     * fails if a claim or another node's taking changed it since it was read; the ended record names this node.
     */
    private boolean take(ResourceStore.Tx tx, StoredResource open, ObjectNode doc) {
        String recordingId = open.id();
        ObjectNode ending = doc.deepCopy().put("owner", node).put("state", "ENDING");
        if (tx.get(endedArn(recordingId)).isPresent() || !tx.update(open.withDoc(Json.write(ending)))) {
            return false;
        }
        tx.delete(open.arn());
        ended(tx, recordingId, doc.path("header").path("channelArn").asText());
        return true;
    }

    /**
     * The recording is about to be finished by this node: true unless another node holds it (then this
     * node drops it). Leaves the ended record. Blocks on the store; the caller retries a failure.
     */
    Outcome finishing(String recordingId, String channelArn) {
        if (!shared) {
            return Outcome.MINE;
        }
        return store.write(tx -> {
            Optional<StoredResource> open = tx.get(openArn(recordingId));
            if (open.isPresent() && !node.equals(owner(open.get()))) {
                return Outcome.LOST;
            }
            Optional<StoredResource> ended = tx.get(endedArn(recordingId));
            if (ended.isPresent()) {
                return node.equals(owner(ended.get())) ? Outcome.MINE : Outcome.LOST;
            }
            open.ifPresent(o -> tx.delete(o.arn()));
            ended(tx, recordingId, channelArn);
            return Outcome.MINE;
        });
    }

    /** Leaves the record saying this node finishes {@code recordingId}. */
    private void ended(ResourceStore.Tx tx, String recordingId, String channelArn) {
        Arn arn = Arn.parse(channelArn);
        ObjectNode doc = Json.object().put("channelArn", channelArn).put("owner", node);
        tx.insert(new StoredResource(
                endedArn(recordingId),
                arn.account(),
                arn.region(),
                ENDED_TYPE,
                recordingId,
                System.currentTimeMillis() * 1000,
                null,
                null,
                1,
                Json.write(doc)));
        forgetOldEnds(tx, arn);
    }

    /**
     * Housekeeping (blocks on the store): the open recordings of nodes that are gone (no heartbeat since
     * {@code aliveSince}; looked for while a node died lately, and once at start for those dead before) whose
     * reconnect window has passed, so nobody can continue them any more. Each is
     * taken for this node to finish (the ended record names it), at most once across all nodes: the taking
     * is a versioned update, which a concurrent claim or another node's sweep makes fail. Returns their
     * states as the dead node last stored them.
     */
    List<ObjectNode> takeAbandoned(long now, long aliveSince) {
        if (!shared) {
            return List.of();
        }
        // Reading every open recording (documents that grow with each segment) on every sweep of every node
        // would cost the store most when nothing died: only after a node went quiet lately, or at start.
        Set<String> alive = new HashSet<>();
        boolean died = false;
        for (var n : store.read(tx -> tx.nodes(aliveSince - DIED_LATELY_MS))) {
            if (n.heartbeat() >= aliveSince) {
                alive.add(n.node());
            } else {
                died = true;
            }
        }
        if (!died && sweptOnce) {
            return List.of();
        }
        List<ObjectNode> taken = new ArrayList<>();
        for (StoredResource open : store.read(tx -> tx.ofType(OPEN_TYPE, 100))) {
            ObjectNode doc = Json.parseObject(open.doc());
            String owner = doc.path("owner").asText();
            if (owner.equals(node)
                    || alive.contains(owner)
                    || now - doc.path("updatedAt").asLong() <= window(doc)) {
                continue;
            }
            boolean mine = store.write(tx -> take(tx, open, doc));
            if (mine) {
                taken.add(doc);
            }
        }
        sweptOnce = true;
        return taken;
    }

    /**
     * Ended records are needed only until a node that had the recording's journal starts again; those of
     * the account older than {@link #ENDED_KEEP_MS} go, a few at each finish, oldest first.
     */
    private static void forgetOldEnds(ResourceStore.Tx tx, Arn arn) {
        long before = (System.currentTimeMillis() - ENDED_KEEP_MS) * 1000;
        for (StoredResource old : tx.list(arn.account(), arn.region(), ENDED_TYPE, null, 8)) {
            if (old.created() >= before) {
                return;
            }
            tx.delete(old.arn());
        }
    }

    /** {@link #finishing} on the ledger thread, retried while the store fails; {@code then} on that thread. */
    void finishingLater(String recordingId, String channelArn, Consumer<Outcome> then) {
        finishingLater(recordingId, channelArn, then, 0);
    }

    private void finishingLater(String recordingId, String channelArn, Consumer<Outcome> then, long delayMs) {
        run(
                () -> {
                    Outcome o;
                    try {
                        o = finishing(recordingId, channelArn);
                    } catch (RuntimeException e) {
                        log.debug("end of recording {} not stored yet: {}", recordingId, e.toString());
                        finishingLater(recordingId, channelArn, then, RETRY_MS);
                        return;
                    }
                    then.accept(o);
                },
                delayMs);
    }

    private void run(Runnable task, long delayMs) {
        try {
            thread.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            log.debug("recording ledger stopped");
        }
    }

    private static String owner(StoredResource r) {
        return Json.parseObject(r.doc()).path("owner").asText();
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
