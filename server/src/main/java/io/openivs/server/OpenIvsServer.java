package io.openivs.server;

import io.netty.handler.ssl.SslContext;
import io.openivs.model.ServiceModel;
import io.openivs.server.api.ApiHandler;
import io.openivs.server.api.ApiRequests;
import io.openivs.server.api.ApiServer;
import io.openivs.server.auth.CredentialStore;
import io.openivs.server.auth.SigV4Verifier;
import io.openivs.server.cluster.ClusterMembership;
import io.openivs.server.config.DataDir;
import io.openivs.server.config.ServerConfig;
import io.openivs.server.config.StartupFailure;
import io.openivs.server.config.StoreKeyFile;
import io.openivs.server.console.ConsoleHandler;
import io.openivs.server.control.ControlContext;
import io.openivs.server.control.ControlPlane;
import io.openivs.server.events.EventBus;
import io.openivs.server.events.EventSink;
import io.openivs.server.events.JsonLinesFileSink;
import io.openivs.server.events.WebhookSink;
import io.openivs.server.ingest.rtmp.ChunkDecoder;
import io.openivs.server.ingest.rtmp.RtmpServer;
import io.openivs.server.ingest.rtmp.RtmpsCertificates;
import io.openivs.server.ingest.srt.SrtServer;
import io.openivs.server.live.LiveStreams;
import io.openivs.server.live.NodeId;
import io.openivs.server.metrics.ServerMetrics;
import io.openivs.server.net.EventLoops;
import io.openivs.server.net.PeerTls;
import io.openivs.server.net.ReloadingSslContext;
import io.openivs.server.playback.PlaybackCluster;
import io.openivs.server.playback.PlaybackServer;
import io.openivs.server.playback.access.AccessDirectory;
import io.openivs.server.playback.access.CountryResolver;
import io.openivs.server.playback.access.MaxMindCountries;
import io.openivs.server.playback.access.PlaybackGate;
import io.openivs.server.recording.Destination;
import io.openivs.server.recording.FolderDestination;
import io.openivs.server.recording.RecordingFilesHandler;
import io.openivs.server.recording.Recordings;
import io.openivs.server.resource.StreamSessions;
import io.openivs.server.store.JdbcResourceStore;
import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StoreKey;
import io.openivs.server.store.StoreKeyMismatchException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running openivs node: store, event loops and every listener, started and stopped together.
 *
 * <p>Past 500 lines on purpose: it is the one place that wires every part (store, cluster, live wing,
 * recording, events, each door and its TLS) in start order and unwinds them in reverse, so that order,
 * the only thing here that is not a one-line call into a package, reads top to bottom in one file.
 */
public final class OpenIvsServer implements AutoCloseable {
    /** The default event sink's file, in the data dir. */
    public static final String EVENTS_FILE = "events.jsonl";

    private static final Logger log = LoggerFactory.getLogger(OpenIvsServer.class);

    private final ServerConfig config;
    private final ResourceStore store;
    private final EventLoops loops;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService housekeeping;
    private final ApiServer api;
    private final PlaybackServer playback;
    private final RtmpServer rtmp;
    private final RtmpServer rtmps;
    private final SrtServer srt;
    private final EventBus events;
    private final Recordings recordings;
    private final AccessDirectory access;
    private final CountryResolver countries;
    private final ServerMetrics metrics;
    private final LiveStreams live;
    /** Membership of the cluster sharing the store, or null standing alone (SQLite). */
    private final ClusterMembership cluster;
    /** Every listener bound and not closing: half of readiness. */
    private final AtomicBoolean up;

    private OpenIvsServer(
            ServerConfig config,
            ResourceStore store,
            EventLoops loops,
            ThreadPoolExecutor workers,
            ScheduledExecutorService housekeeping,
            ApiServer api,
            PlaybackServer playback,
            RtmpServer rtmp,
            RtmpServer rtmps,
            SrtServer srt,
            EventBus events,
            Recordings recordings,
            AccessDirectory access,
            CountryResolver countries,
            ServerMetrics metrics,
            LiveStreams live,
            ClusterMembership cluster,
            AtomicBoolean up) {
        this.metrics = metrics;
        this.live = live;
        this.cluster = cluster;
        this.up = up;
        this.recordings = recordings;
        this.access = access;
        this.countries = countries;
        this.config = config;
        this.store = store;
        this.loops = loops;
        this.workers = workers;
        this.housekeeping = housekeeping;
        this.api = api;
        this.playback = playback;
        this.rtmp = rtmp;
        this.rtmps = rtmps;
        this.srt = srt;
        this.events = events;
    }

    /** The key sealing the store's secrets: {@code --store-key} if given, else {@code <data-dir>/keys}. */
    private static StoreKey storeKey(ServerConfig config) {
        if (config.storeKey() != null) {
            try {
                return StoreKey.fromBase64(config.storeKey());
            } catch (IllegalArgumentException e) {
                throw new StartupFailure(
                        "--store-key",
                        "(hidden)",
                        "must be 32 random bytes in base64, e.g. from openssl rand -base64 32",
                        e);
            }
        }
        try {
            return StoreKey.fromBase64(StoreKeyFile.loadOrCreate(config.dataDir()));
        } catch (IOException | IllegalArgumentException e) {
            throw StartupFailure.dataDir(config.dataDir(), e);
        }
    }

    /** Starts with the default event sink only: JSON lines in {@code <data-dir>/events.jsonl}. */
    public static OpenIvsServer start(ServerConfig config, CredentialStore credentials) throws InterruptedException {
        return start(config, credentials, List.of());
    }

    /** @param extraSinks event sinks besides the events file (webhooks) */
    public static OpenIvsServer start(ServerConfig config, CredentialStore credentials, List<EventSink> extraSinks)
            throws InterruptedException {
        Clock clock = Clock.systemUTC();
        List<EventSink> sinks = new ArrayList<>();
        String node;
        try {
            // 0700 folder and 0600 database before anything writes there: stream keys live in both.
            DataDir.prepare(config.dataDir());
            DataDir.createSqliteFile(config.dbUrl());
            node = NodeId.of(config.dataDir());
            sinks.add(new JsonLinesFileSink(config.dataDir().resolve(EVENTS_FILE)));
        } catch (IOException e) {
            extraSinks.forEach(EventSink::close);
            throw StartupFailure.dataDir(config.dataDir(), e);
        }
        sinks.addAll(extraSinks);
        for (EventSink sink : extraSinks) {
            if (sink instanceof io.openivs.server.events.WebhookSink webhook) {
                // What a crash took between the events file and the webhook's outbox is owed first.
                webhook.catchUp(config.dataDir().resolve(EVENTS_FILE));
            }
        }
        EventBus events = new EventBus(sinks);
        StoreKey storeKey;
        String storeKeySource;
        try {
            storeKey = storeKey(config);
            storeKeySource = config.storeKey() != null
                    ? "(given)"
                    : config.dataDir().resolve(StoreKeyFile.FILE).toString();
        } catch (StartupFailure e) {
            events.close();
            throw e;
        }
        ResourceStore store;
        try {
            store = JdbcResourceStore.open(config.dbUrl(), storeKey);
        } catch (StoreKeyMismatchException e) {
            events.close();
            throw new StartupFailure(
                    "--store-key",
                    storeKeySource,
                    "this database's secrets were sealed with another store key; start with the key it was sealed"
                            + " with (every node on one database needs the same: copy the first node's"
                            + " <data-dir>/keys or give them all the same --store-key)",
                    e);
        } catch (RuntimeException e) {
            events.close();
            throw new StartupFailure(
                    "--db-url",
                    redacted(config.dbUrl()),
                    "cannot open the store: "
                            + StartupFailure.rootMessage(e)
                            + "; check that the database is reachable and the URL's user"
                            + " and password",
                    e);
        }
        EventLoops loops = new EventLoops(Runtime.getRuntime().availableProcessors());
        // Store work runs here, never on an event loop. Bounded: a flood gets 503s, not an unbounded queue.
        // Sized to the cores: the threads mostly wait on the database, but more runnable threads than cores
        // only add context switches (reads the store holds in memory never come here).
        int workerThreads = Math.min(16, 4 * Runtime.getRuntime().availableProcessors());
        ThreadPoolExecutor workers = new ThreadPoolExecutor(
                workerThreads,
                workerThreads,
                60,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(8192),
                named("openivs-api-worker"));
        ScheduledExecutorService housekeeping =
                Executors.newSingleThreadScheduledExecutor(named("openivs-housekeeping"));
        PlaybackServer playback = null;
        RtmpServer rtmp = null;
        RtmpServer rtmps = null;
        SrtServer srt = null;
        Recordings recordings = null;
        AccessDirectory access = null;
        CountryResolver countries = null;
        ServerMetrics metrics = null;
        ClusterMembership cluster = null;
        try {
            Destination destination = Recordings.destination(config);
            recordings = new Recordings(
                    destination, config.dataDir().resolve("recording-spool"), store, node, events, clock);
            LiveStreams live =
                    new LiveStreams(store, config.region(), node, workers, housekeeping, clock, events, recordings);
            live.transcoding(new io.openivs.server.live.TranscodeSlots(
                    config.transcoding().enabled(),
                    config.transcoding().maxStreams(),
                    config.transcoding().announceOff()));
            if (!config.transcoding().enabled()) {
                log.warn("transcoding is off: STANDARD and ADVANCED channels play their source rendition only");
            }
            // A previous run killed mid-stream: its sessions end and its recordings close before anyone publishes.
            live.endOrphanedSessions();
            recordings.finishOrphans();
            // Media listeners first: the API's playback URLs must carry the ports they really bound.
            access = new AccessDirectory(store, clock);
            countries = countryResolver(config.playbackAccess().geoipDb());
            PlaybackGate gate = new PlaybackGate(access, countries, clock);
            // The operator's certificate serves every TCP door; without one, RTMPS has a self-signed one and
            // playback and the API stay plain HTTP (the README's first steps).
            ReloadingSslContext operatorTls = operatorTls(config.tls());
            // A cluster node trusts its peers by the same chain file, so the authorities follow it on the same check.
            PeerTls peerTls = operatorTls == null || store.soleWriter()
                    ? null
                    : peerTls(config.tls().certificateChain());
            if (operatorTls != null) {
                long checkMs = Math.max(1, config.tls().reloadCheck().toMillis());
                housekeeping.scheduleWithFixedDelay(
                        () -> {
                            operatorTls.reloadIfChanged();
                            if (peerTls != null) {
                                peerTls.reloadIfChanged();
                            }
                        },
                        checkMs,
                        checkMs,
                        TimeUnit.MILLISECONDS);
            }
            // A shared store makes a cluster: every node serves every live stream, relaying those it does not own.
            PlaybackCluster playbackCluster = null;
            if (!store.soleWriter()) {
                cluster = new ClusterMembership(store, node, clock);
                playbackCluster = new PlaybackCluster(
                        ClusterMembership.secret(store, config, clock),
                        cluster,
                        cluster.viewers(),
                        peerTls == null ? null : peerTls.context(),
                        config.publicHost());
            }
            PlaybackCluster edge = playbackCluster;
            SslContext tls = operatorTls;
            if (tls == null) {
                try {
                    tls = RtmpsCertificates.selfSigned(config.dataDir(), config.publicHost());
                } catch (IOException e) {
                    throw StartupFailure.dataDir(config.dataDir(), e);
                }
            }
            playback = listen(
                    "--playback-port",
                    config.bind(),
                    config.playbackPort(),
                    () -> PlaybackServer.builder(loops, config.bind(), config.playbackPort(), live)
                            .gate(gate)
                            .trustForwardedFor(config.playbackAccess().trustForwardedFor())
                            .extra(
                                    destination instanceof FolderDestination folders
                                            ? new RecordingFilesHandler(folders, workers)
                                            : null)
                            .tls(operatorTls)
                            .cluster(edge)
                            .open());
            if (cluster != null) {
                cluster.start(housekeeping, ClusterMembership.address(config, playback.port()));
            }
            rtmp = new RtmpServer(rtmpConfig(config, loops, config.rtmpPort(), null, live));
            RtmpServer plain = rtmp;
            listen("--rtmp-port", config.bind(), config.rtmpPort(), plain::start);
            rtmps = new RtmpServer(rtmpConfig(config, loops, config.rtmpsPort(), tls, live));
            RtmpServer secure = rtmps;
            listen("--rtmps-port", config.bind(), config.rtmpsPort(), secure::start);
            SrtServer srtServer = new SrtServer(live.srt(), SrtServer.Config.defaults());
            srt = srtServer;
            listen(
                    "--srt-port",
                    config.bind(),
                    config.srtPort(),
                    () -> srtServer.bind(
                            loops.io(),
                            SrtServer.channelType("epoll".equals(loops.transport())),
                            new InetSocketAddress(config.bind(), config.srtPort())));
            int srtPort = srt.localAddress().getPort();
            ServiceModel model = ServiceModel.ivs();
            ServerConfig bound =
                    config.withBoundPorts(config.apiPort(), playback.port(), rtmp.port(), rtmps.port(), srtPort);
            ControlContext cx = new ControlContext(store, bound, clock, model, live, recordings);
            // /healthz, /readyz and /metrics on the API port; the handler's own request counts are among the metrics.
            AtomicBoolean up = new AtomicBoolean();
            ApiRequests apiRequests = new ApiRequests();
            PlaybackServer viewers = playback;
            metrics = new ServerMetrics(
                    store,
                    up::get,
                    !config.metrics()
                            ? null
                            : new ServerMetrics.Sources(
                                    live,
                                    viewers.counters(),
                                    viewers::openConnections,
                                    apiRequests,
                                    recordings.uploads(),
                                    extraSinks.stream()
                                            .filter(WebhookSink.class::isInstance)
                                            .map(WebhookSink.class::cast)
                                            .toList(),
                                    srt));
            ApiHandler handler = new ApiHandler(
                    model,
                    new SigV4Verifier(credentials, config.region(), model.signingName(), clock),
                    ControlPlane.handlers(cx, access::changed),
                    workers,
                    config.region(),
                    metrics,
                    apiRequests);
            ConsoleHandler console = new ConsoleHandler(
                    handler, credentials, access.consoleTokens(), consoleSettings(bound, destination), workers, clock);
            ApiServer api = listen(
                    "--api-port",
                    config.bind(),
                    config.apiPort(),
                    () -> new ApiServer(
                            loops,
                            config.bind(),
                            config.apiPort(),
                            handler,
                            operatorTls,
                            ApiServer.Limits.defaults(),
                            console));
            // Sessions end at their last heartbeat and read as ended once stale, so the sweep's period only
            // bounds how long the row stays open. With a shared store it also serves the other nodes; a sole
            // writer only has a previous run's sessions to end: one write per stale period will do.
            long sweepMs = store.soleWriter() ? StreamSessions.STALE_MS : StreamSessions.STALE_MS / 3;
            Recordings recorded = recordings;
            housekeeping.scheduleWithFixedDelay(
                    () -> endStaleSessions(store, live, recorded, clock), sweepMs, sweepMs, TimeUnit.MILLISECONDS);
            OpenIvsServer server = new OpenIvsServer(
                    bound.withBoundPorts(api.port(), playback.port(), rtmp.port(), rtmps.port(), srtPort),
                    store,
                    loops,
                    workers,
                    housekeeping,
                    api,
                    playback,
                    rtmp,
                    rtmps,
                    srt,
                    events,
                    recordings,
                    access,
                    countries,
                    metrics,
                    live,
                    cluster,
                    up);
            up.set(true);
            return server;
        } catch (RuntimeException | InterruptedException e) {
            if (cluster != null) {
                cluster.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            stopQuietly(rtmp, rtmps, playback);
            if (srt != null) {
                srt.close();
            }
            if (recordings != null) {
                recordings.close();
            }
            closeAccess(access, countries);
            housekeeping.shutdownNow();
            workers.shutdownNow();
            loops.close();
            store.close();
            events.close();
            throw e;
        }
    }

    /** What the web console shows of this node: its ingest URLs, and where folder-stored recordings play. */
    private static ConsoleHandler.Settings consoleSettings(ServerConfig bound, Destination destination) {
        java.util.Map<String, String> ingest = new java.util.LinkedHashMap<>();
        ingest.put("rtmps", "rtmps://" + bound.ingestHost() + ":" + bound.rtmpsPort() + "/app/");
        ingest.put("rtmp", "rtmp://" + bound.ingestHost() + ":" + bound.rtmpPort() + "/app/");
        ingest.put("srt", "srt://" + bound.ingestHost() + ":" + bound.srtPort());
        return new ConsoleHandler.Settings(
                bound.region(),
                ingest,
                destination instanceof FolderDestination ? bound.playbackBase() + RecordingFilesHandler.PREFIX : null,
                bound.dataDir().resolve(EVENTS_FILE),
                bound.tls().enabled());
    }

    /** The client side of other nodes' HTTPS playback ports (PeerTls says what it checks). */
    private static PeerTls peerTls(java.nio.file.Path operatorChain) {
        try {
            return PeerTls.load(operatorChain);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Something that opens a listener; Netty rethrows a failed bind as the (checked) socket exception. */
    private interface Listener<T> {
        T open() throws Exception;
    }

    /** Opens a listener, saying which option's port could not be bound and why, in one line. */
    private static <T> T listen(String option, String host, int port, Listener<T> listener)
            throws InterruptedException {
        try {
            return listener.open();
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw StartupFailure.listener(option, host, port, e);
        }
    }

    /** The operator's certificate and key, or null when none is given. */
    private static ReloadingSslContext operatorTls(ServerConfig.Tls tls) {
        if (!tls.enabled()) {
            return null;
        }
        if (tls.privateKey() == null) {
            throw new StartupFailure("--tls-key", "", "missing: give the private key that goes with --tls-cert", null);
        }
        try {
            ReloadingSslContext context = ReloadingSslContext.load(tls.certificateChain(), tls.privateKey());
            log.info(
                    "TLS: certificate {} (serial {}, valid until {}), checked for renewal every {} s",
                    tls.certificateChain(),
                    context.certificate().getSerialNumber().toString(16),
                    context.certificate().getNotAfter().toInstant(),
                    tls.reloadCheck().toSeconds());
            return context;
        } catch (IOException e) {
            throw new StartupFailure(
                    "--tls-cert",
                    tls.certificateChain(),
                    e.getMessage() + "; give a PEM certificate chain and its unencrypted PEM private key (--tls-key)",
                    e);
        }
    }

    /** A JDBC URL as it may be shown: no password. */
    static String redacted(String jdbcUrl) {
        return jdbcUrl == null ? "" : jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /** The GeoIP database when configured; without one no viewer has a known country. */
    private static CountryResolver countryResolver(java.nio.file.Path geoip) {
        if (geoip == null) {
            log.debug(
                    "playback: no GeoIP database (--geoip-db); restriction policies that list countries refuse every viewer");
            return CountryResolver.NONE;
        }
        try {
            MaxMindCountries m = new MaxMindCountries(geoip);
            log.info("playback: viewer countries from {} ({})", geoip, m.describe());
            return m;
        } catch (IOException e) {
            throw new StartupFailure(
                    "--geoip-db",
                    geoip,
                    "cannot read it: " + StartupFailure.rootMessage(e)
                            + "; give a MaxMind GeoLite2/GeoIP2 Country or City .mmdb file",
                    e);
        }
    }

    private static void closeAccess(AccessDirectory access, CountryResolver countries) {
        if (access != null) {
            access.close();
        }
        if (countries instanceof MaxMindCountries m) {
            try {
                m.close();
            } catch (IOException e) {
                log.warn("closing the GeoIP database: {}", e.toString());
            }
        }
    }

    private static RtmpServer.Config rtmpConfig(
            ServerConfig config, EventLoops loops, int port, SslContext tls, LiveStreams live) {
        return new RtmpServer.Config(
                config.bind(),
                port,
                tls,
                live,
                loops.boss(),
                loops.io(),
                loops.serverChannel(),
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                ChunkDecoder.DEFAULT_MAX_MESSAGE_LENGTH);
    }

    private static void stopQuietly(RtmpServer rtmp, RtmpServer rtmps, PlaybackServer playback) {
        for (RtmpServer r : new RtmpServer[] {rtmp, rtmps}) {
            if (r != null) {
                try {
                    r.stop();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (playback != null) {
            playback.close();
        }
    }

    /** Sessions whose node died never get their end written by it; close them so channels can go live again. */
    private static void endStaleSessions(ResourceStore store, LiveStreams live, Recordings recordings, Clock clock) {
        // A database outage silences every node's heartbeats, not only a dead node's: until the live nodes
        // have had a stale period to write theirs again, an old heartbeat proves nothing.
        if (clock.millis() - store.lastUnreachable() < StreamSessions.STALE_MS) {
            return;
        }
        try {
            int n = live.endStaleSessions();
            if (n > 0) {
                log.info("ended {} stream session(s) left open by a node that stopped", n);
            }
            // Their recordings too, once their reconnect window has passed with nobody continuing them.
            recordings.finishAbandoned(clock.millis() - StreamSessions.STALE_MS);
        } catch (RuntimeException e) {
            log.warn("housekeeping failed: {}", e.toString());
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public int playbackPort() {
        return playback.port();
    }

    public int rtmpPort() {
        return rtmp.port();
    }

    public int rtmpsPort() {
        return rtmps.port();
    }

    public int srtPort() {
        return srt.localAddress().getPort();
    }

    /** The control API's listener. */
    public ApiServer apiServer() {
        return api;
    }

    public int apiPort() {
        return api.port();
    }

    public ServerConfig config() {
        return config;
    }

    /** What playback holds of the store's access state (for tests and diagnostics: its size). */
    public AccessDirectory playbackAccess() {
        return access;
    }

    /** Playback's request counters (those the metrics show). */
    public io.openivs.server.playback.PlaybackCounters playbackCounters() {
        return playback.counters();
    }

    /** This node's cluster membership, or null when it stands alone. */
    public ClusterMembership cluster() {
        return cluster;
    }

    public ResourceStore store() {
        return store;
    }

    /** The addresses this node serves, for the start-up banner. */
    public List<String> listening() {
        List<String> out = new ArrayList<>();
        String http = config.httpScheme();
        out.add("control API  " + http + "://" + config.bind() + ":" + api.port() + "  (transport " + loops.transport()
                + ")");
        out.add("playback     " + http + "://" + config.bind() + ":" + playback.port() + "/api/video/v1/");
        out.add("RTMP ingest  rtmp://" + config.bind() + ":" + rtmp.port() + "/app/{streamKey}");
        out.add("RTMPS ingest rtmps://" + config.bind() + ":" + rtmps.port() + "/app/{streamKey}");
        out.add("SRT ingest   srt://" + config.bind() + ":" + srtPort()
                + "?streamid={streamKey}&passphrase={srt.passphrase}");
        if (recordings.destination() instanceof FolderDestination folders) {
            out.add("recordings   " + http + "://" + config.bind() + ":" + playback.port()
                    + RecordingFilesHandler.PREFIX + "{bucket}/{key}  (stored in " + folders.root() + ")");
        } else {
            out.add("recordings   to the " + recordings.destination().describe());
        }
        return out;
    }

    /** How long {@link #close()} gives live streams to end cleanly. */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    /** Longest a stream's last playlist (with EXT-X-ENDLIST) is served to viewers still connected. */
    static final Duration ENDLIST_HOLD = Duration.ofSeconds(6);

    @Override
    public void close() {
        close(DEFAULT_SHUTDOWN_GRACE);
    }

    /**
     * Stops the node; live streams end cleanly within {@code grace}: their playlists list EXT-X-ENDLIST
     * (served while viewers are connected, up to {@link #ENDLIST_HOLD} and half the grace, three reloads of
     * a 2 s playlist), then publishers are disconnected and each session's end and last events are written
     * before the listeners close; recordings are finished and their events sent after that.
     */
    public void close(Duration grace) {
        up.set(false);
        long start = System.nanoTime();
        long deadline = start + grace.toNanos();
        try {
            int streams = live.finishAll(deadline);
            if (streams > 0) {
                long holdUntil = start + Math.min(ENDLIST_HOLD.toNanos(), grace.toNanos() / 2);
                int viewers = playback.openConnections();
                log.info(
                        "shutting down: {} live stream(s) ended, their playlists end with EXT-X-ENDLIST{}",
                        streams,
                        viewers > 0 ? " (served a few seconds more to " + viewers + " viewer connection(s))" : "");
                while (playback.openConnections() > 0 && System.nanoTime() < holdUntil) {
                    Thread.sleep(100);
                }
                int left = live.stopAll(deadline);
                if (left > 0) {
                    log.warn(
                            "shutting down: {} stream session(s) not ended within {} s; the next start ends them",
                            left,
                            grace.toSeconds());
                } else {
                    log.info("shutting down: publishers disconnected, stream sessions ended");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (cluster != null) {
            cluster.close();
        }
        metrics.close();
        // Publishers first, so their sessions end while workers and the store still run.
        stopQuietly(rtmp, rtmps, playback);
        srt.close();
        api.close();
        // Ends open recordings and lets queued objects reach the store while events can still go out.
        recordings.close();
        closeAccess(access, countries);
        housekeeping.shutdownNow();
        workers.shutdown();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loops.close();
        store.close();
        events.close();
    }
}
