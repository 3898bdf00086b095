package io.openivs.server.playback.access;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.ChannelSettings;
import io.openivs.server.resource.Fields;
import io.openivs.server.resource.Json;
import io.openivs.server.resource.Lookups;
import io.openivs.server.store.Cursor;
import io.openivs.server.store.DuplicateKeyException;
import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StoredResource;
import io.openivs.server.store.StoredSecrets;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What playback needs from the store, kept in memory so event loops never wait for it: per channel
 * whether it is private and its restriction policy, per account and region its playback key pairs
 * and viewer revocations. Snapshots are immutable and replaced whole. They are loaded on first use
 * (off the event loop, on one loader thread that does every read, so reads land in order), reloaded at
 * once when this node's API changes them ({@link #changed}), reloaded every {@link #REFRESH_MS} on a
 * store other nodes share so their changes show within about that long, and forgotten after
 * {@link #IDLE_MS} without playback.
 *
 * <p>Anyone may ask the playback port for any well-formed channel name, so a name that matches no
 * channel is not held like one: it goes in a small negative cache ({@link #MISSING_MAX} names, each
 * for {@link #MISSING_TTL_MS}) that no refresh or change ever re-reads, and no account is loaded
 * for it. Loads are coalesced per channel and at most {@link #MAX_LOADS} wait at once; past that,
 * a name not already being loaded is refused at once rather than queued behind the others.
 *
 * <p>Also holds the cluster's session-ticket secret ({@link SessionTickets}), created once in the
 * store by whichever node needs it first and read by the others.
 */
public final class AccessDirectory implements AutoCloseable {
    /** Other nodes' access changes show on this node within this period (plus one store round trip). */
    public static final long REFRESH_MS = 1000;

    static final long IDLE_MS = 60_000;
    /** Spent single-use claims are deleted this often (they are kept long past their use anyway). */
    private static final long CLEANUP_MS = 60_000;

    private static final long SOLE_WRITER_ROUND_MS = 10_000;
    /** Single-use claims are kept this long after their token's exp, then cleaned up. */
    private static final long SINGLE_USE_KEEP_MS = 15 * 60_000;

    static final String SINGLE_USE_TYPE = "playback-single-use";
    private static final int PAGE = 100;
    /** Unknown channel names remembered at most this many at a time, each this long. */
    static final int MISSING_MAX = 4096;

    static final long MISSING_TTL_MS = REFRESH_MS;
    /** Channel loads queued at once on the loader thread; more distinct names are refused until it catches up. */
    static final int MAX_LOADS = 256;

    private static final String TICKET_SECRET_ID = "playback-ticket-secret";
    private static final Logger log = LoggerFactory.getLogger(AccessDirectory.class);

    /** One imported key pair, ready to verify. */
    record KeyPair(String arn, JWSVerifier verifier) {}

    /** An account's key pairs and revocations (revoked: {@link Lookups#viewerRevocation} -> highest version). */
    record Account(List<KeyPair> keys, Set<String> keyArns, Map<String, Long> revoked) {
        /** Whether a key pair with this resource id (the ARN's last part, as tickets name it) still exists. */
        boolean hasKeyId(String keyId) {
            for (KeyPair k : keys) {
                String arn = k.arn();
                if (arn.length() > keyId.length()
                        && arn.endsWith(keyId)
                        && arn.charAt(arn.length() - keyId.length() - 1) == '/') {
                    return true;
                }
            }
            return false;
        }
    }

    /** A restriction policy's rules; empty lists allow everything. */
    record Policy(List<String> origins, List<String> countries, boolean strict) {}

    /** A channel as playback sees it; a missing channel is treated as private (no existence leak). */
    record Channel(boolean exists, boolean authorized, Policy policy) {
        boolean isPrivate() {
            return !exists || authorized;
        }
    }

    /** A snapshot plus when playback last asked for it (for forgetting idle ones). */
    private static final class Held<T> {
        volatile T value;
        volatile long used;

        Held(T value, long used) {
            this.value = value;
            this.used = used;
        }
    }

    private final ResourceStore store;
    private final Clock clock;
    private final ScheduledExecutorService loader;
    private final ConcurrentHashMap<String, Held<Channel>> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Held<Account>> accounts = new ConcurrentHashMap<>();
    /** Names found to match no channel, with when that was read (negative cache, never re-read in bulk). */
    private final ConcurrentHashMap<String, Long> missing = new ConcurrentHashMap<>();

    private final ConcurrentHashMap<String, CompletableFuture<Void>> loading = new ConcurrentHashMap<>();
    private volatile SessionTickets tickets;
    /** The console's own key pair, accepted for every account. */
    private final ConsoleTokens console = new ConsoleTokens();

    private static final Channel MISSING = new Channel(false, true, null);
    private long lastCleanup; // loader thread only

    public AccessDirectory(ResourceStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.loader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "openivs-playback-access");
            t.setDaemon(true);
            return t;
        });
        // Alone on its store there is nothing to re-read: the round only forgets idle snapshots.
        long period = store.soleWriter() ? SOLE_WRITER_ROUND_MS : REFRESH_MS;
        loader.scheduleWithFixedDelay(this::refreshAll, period, period, TimeUnit.MILLISECONDS);
        loader.execute(() -> {
            try {
                loadTickets();
            } catch (RuntimeException e) {
                log.warn("playback ticket secret not loaded yet: {}", e.toString());
            }
        });
    }

    /** The cluster's session tickets, or null until the secret is loaded. Any thread. */
    SessionTickets tickets() {
        return tickets;
    }

    /** Mints the web console's preview tokens, which this directory's accounts accept. */
    public ConsoleTokens consoleTokens() {
        return console;
    }

    /** How many channel, unknown-name and account snapshots are held: bounded whatever viewers ask. */
    public int size() {
        return channels.size() + missing.size() + accounts.size();
    }

    /** The channel's snapshot, or null if not loaded yet. Any thread. */
    Channel channel(String channelArn) {
        Channel c = peek(channels, channelArn);
        if (c == null) {
            Long read = missing.get(channelArn);
            if (read != null && clock.millis() - read < MISSING_TTL_MS) {
                return MISSING;
            }
        }
        return c;
    }

    /** The account's snapshot, or null if not loaded yet. Any thread. */
    Account account(String account, String region) {
        return account(accountKey(account, region));
    }

    /** The account's snapshot by {@link #accountKey}, or null if not loaded yet. Any thread. */
    Account account(String accountKey) {
        return peek(accounts, accountKey);
    }

    static String accountKey(String account, String region) {
        return account + ":" + region;
    }

    private <T> T peek(Map<String, Held<T>> map, String key) {
        Held<T> h = map.get(key);
        if (h == null) {
            return null;
        }
        long now = clock.millis();
        if (now - h.used >= 1000) { // every viewer request reads this: keep the shared write rare
            h.used = now;
        }
        return h.value;
    }

    /** Loads the channel's and its account's snapshots off the caller's thread. */
    CompletableFuture<Void> load(Arn channel) {
        String arn = channel.toString();
        CompletableFuture<Void> pending = loading.get(arn);
        if (pending != null) {
            return pending;
        }
        if (loading.size() >= MAX_LOADS) {
            return CompletableFuture.failedFuture(AccessDenied.token("playback authorization is unavailable"));
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        pending = loading.putIfAbsent(arn, mine);
        if (pending != null) {
            return pending;
        }
        try {
            loader.execute(() -> {
                try {
                    loadNow(channel, arn);
                    mine.complete(null);
                } catch (RuntimeException e) {
                    mine.completeExceptionally(e);
                } finally {
                    loading.remove(arn, mine);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            loading.remove(arn, mine);
            mine.completeExceptionally(e);
        }
        return mine;
    }

    /** Loader thread. */
    private void loadNow(Arn channel, String arn) {
        loadTickets();
        if (!channels.containsKey(arn)) {
            Channel c = readChannel(arn);
            if (!c.exists()) {
                remember(arn);
                return; // nothing of the account is needed to refuse a name that is no channel
            }
            missing.remove(arn);
            channels.put(arn, new Held<>(c, clock.millis()));
        }
        String key = accountKey(channel.account(), channel.region());
        if (!accounts.containsKey(key)) {
            accounts.put(key, new Held<>(readAccount(channel.account(), channel.region()), clock.millis()));
        }
    }

    /** Loader thread: a name that is no channel, kept briefly in the bounded negative cache. */
    private void remember(String arn) {
        long now = clock.millis();
        if (missing.size() >= MISSING_MAX) {
            missing.values().removeIf(read -> now - read >= MISSING_TTL_MS);
            if (missing.size() >= MISSING_MAX) {
                missing.clear(); // forgetting only costs a re-read of a name someone asks again
            }
        }
        missing.put(arn, now);
    }

    /** Loader thread: reads the ticket secret, creating it when this is the cluster's first node to need it. */
    private void loadTickets() {
        if (tickets == null) {
            tickets = new SessionTickets(
                    Base64.getDecoder().decode(StoredSecrets.readOrCreate(store, TICKET_SECRET_ID, clock.millis())));
        }
    }

    /**
     * This node's API changed an account's access: reload what is held for it before the API answers,
     * so this node never serves the old state. The reload runs on the loader thread, after any refresh
     * in progress, so an older read can never overwrite it. Blocks the calling API worker.
     */
    public void changed(String account, String region) {
        try {
            CompletableFuture.runAsync(() -> reload(account, region), loader).join();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: nothing is served any more
        } catch (java.util.concurrent.CompletionException e) {
            // The change itself is stored; the next refresh picks it up.
            log.warn(
                    "playback access reload after a change failed: {}",
                    e.getCause().toString());
        }
    }

    private void reload(String account, String region) {
        Held<Account> a = accounts.get(accountKey(account, region));
        if (a != null) {
            a.value = readAccount(account, region);
        }
        String prefix = "arn:aws:ivs:" + region + ":" + account + ":";
        // A channel this change created must not stay "missing"; the names are dropped, not re-read.
        missing.keySet().removeIf(arn -> arn.startsWith(prefix));
        channels.forEach((arn, h) -> {
            if (arn.startsWith(prefix)) {
                h.value = readChannel(arn);
            }
        });
    }

    /**
     * Records the first use of a single-use token in the store, so a second use fails on every node.
     * Completes with true for the first use.
     */
    CompletableFuture<Boolean> claimSingleUse(Arn channel, String uuid, long expSeconds) {
        return CompletableFuture.supplyAsync(
                () -> {
                    ObjectNode doc = Json.object();
                    doc.put("channelArn", channel.toString());
                    doc.put("exp", expSeconds);
                    String id = Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(uuid.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    String arn = Arn.of(channel.region(), channel.account(), SINGLE_USE_TYPE, id);
                    StoredResource r = new StoredResource(
                            arn,
                            channel.account(),
                            channel.region(),
                            SINGLE_USE_TYPE,
                            id,
                            clock.millis() * 1000,
                            null,
                            channel + "\n" + uuid,
                            1,
                            Json.write(doc));
                    try {
                        store.write(tx -> {
                            tx.insert(r);
                            return null;
                        });
                        return true;
                    } catch (DuplicateKeyException e) {
                        return false;
                    }
                },
                loader);
    }

    private void refreshAll() {
        long now = clock.millis();
        try {
            channels.entrySet().removeIf(e -> now - e.getValue().used > IDLE_MS);
            accounts.entrySet().removeIf(e -> now - e.getValue().used > IDLE_MS);
            missing.values().removeIf(read -> now - read >= MISSING_TTL_MS);
            // On a store only this node writes, every change came through this node's API, which
            // reloaded what it changed (changed()): re-reading would find the same snapshots.
            if (!store.soleWriter()) {
                for (Map.Entry<String, Held<Channel>> e : channels.entrySet()) {
                    e.getValue().value = readChannel(e.getKey());
                }
                for (Map.Entry<String, Held<Account>> e : accounts.entrySet()) {
                    String[] ar = e.getKey().split(":", 2);
                    e.getValue().value = readAccount(ar[0], ar[1]);
                }
            }
            if (now - lastCleanup >= CLEANUP_MS) {
                lastCleanup = now;
                for (String key : accounts.keySet()) {
                    String[] ar = key.split(":", 2);
                    forgetSpentSingleUse(ar[0], ar[1], now);
                }
            }
        } catch (RuntimeException e) {
            // A store hiccup keeps the previous snapshots; the next round tries again.
            log.warn("playback access refresh failed: {}", e.toString());
        }
    }

    private Channel readChannel(String arn) {
        return store.read(tx -> {
            StoredResource r =
                    tx.get(arn).filter(x -> x.type().equals(Arn.CHANNEL)).orElse(null);
            if (r == null) {
                return new Channel(false, true, null);
            }
            ChannelSettings channel = ChannelSettings.parse(r.doc());
            String policyArn = channel.playbackRestrictionPolicyArn();
            Policy policy = null;
            if (!policyArn.isEmpty()) {
                policy = tx.get(policyArn)
                        .map(p -> policy(Json.parseObject(p.doc())))
                        .orElse(null);
            }
            return new Channel(true, channel.authorized(), policy);
        });
    }

    private static Policy policy(ObjectNode doc) {
        return new Policy(
                strings(doc.get("allowedOrigins")),
                strings(doc.get("allowedCountries")),
                doc.path("enableStrictOriginEnforcement").asBoolean(false));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> out.add(n.asText()));
        }
        return List.copyOf(out);
    }

    private Account readAccount(String account, String region) {
        return store.read(tx -> {
            List<KeyPair> keys = new ArrayList<>();
            Set<String> arns = new HashSet<>();
            for (StoredResource r : all(tx, account, region, Arn.PLAYBACK_KEY)) {
                JWSVerifier v = verifier(
                        Json.parseObject(r.doc()).path(Fields.PUBLIC_KEY_DER).asText(""));
                if (v != null) {
                    keys.add(new KeyPair(r.arn(), v));
                    arns.add(r.arn());
                }
            }
            KeyPair consoleKey = console.keyPairFor(account, region);
            keys.add(consoleKey);
            arns.add(consoleKey.arn());
            Map<String, Long> revoked = new HashMap<>();
            for (StoredResource r : all(tx, account, region, Lookups.VIEWER_REVOCATION)) {
                ObjectNode d = Json.parseObject(r.doc());
                revoked.put(
                        Lookups.viewerRevocation(
                                d.path(Fields.CHANNEL_ARN).asText(),
                                d.path(Fields.VIEWER_ID).asText()),
                        d.path(Fields.VERSION).asLong());
            }
            return new Account(List.copyOf(keys), Set.copyOf(arns), Map.copyOf(revoked));
        });
    }

    private static List<StoredResource> all(ResourceStore.Tx tx, String account, String region, String type) {
        List<StoredResource> out = new ArrayList<>();
        Cursor after = null;
        while (true) {
            List<StoredResource> page = tx.list(account, region, type, after, PAGE);
            out.addAll(page);
            if (page.size() < PAGE) {
                return out;
            }
            StoredResource last = page.get(page.size() - 1);
            after = new Cursor(last.created(), last.id());
        }
    }

    /** Single-use records are listed oldest first; drop those whose token can no longer be used. */
    private void forgetSpentSingleUse(String account, String region, long now) {
        List<String> spent = new ArrayList<>();
        for (StoredResource r : store.read(tx -> tx.list(account, region, SINGLE_USE_TYPE, null, PAGE))) {
            if (Json.parseObject(r.doc()).path("exp").asLong() * 1000 + SINGLE_USE_KEEP_MS < now) {
                spent.add(r.arn());
            }
        }
        if (!spent.isEmpty()) {
            store.write(tx -> {
                spent.forEach(tx::delete);
                return null;
            });
        }
    }

    /** Key pairs imported before the material was stored cannot verify anything; they are skipped. */
    private static JWSVerifier verifier(String base64Der) {
        if (base64Der.isEmpty()) {
            return null;
        }
        try {
            ECPublicKey key = (ECPublicKey) KeyFactory.getInstance("EC")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64Der)));
            return new ECDSAVerifier(key);
        } catch (JOSEException | java.security.GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void close() {
        loader.shutdownNow();
    }
}
