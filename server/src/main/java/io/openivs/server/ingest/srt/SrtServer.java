package io.openivs.server.ingest.srt;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.openivs.server.net.LogSafe;
import io.openivs.server.net.LogThrottle;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SRT listener on one UDP port: answers handshakes, asks {@link SrtIngest} whether a caller's
 * stream id may publish (asynchronously; the key derivation runs off the event loop too), and
 * runs an {@link SrtConnection} per accepted caller, which hands the caller's payloads in order to
 * its {@link SrtIngest.Session}. Everything for the port runs on the channel's one event loop;
 * nothing there waits. Datagrams that are too short, unknown, or from the wrong address are
 * counted and dropped without a reply.
 *
 * <p>An unauthenticated caller holds bounded state: an induction costs none (the SYN cookie), each source
 * address may send {@link #HANDSHAKES_PER_SECOND} handshake packets a second (more are dropped unanswered,
 * {@link HandshakeGuard}), a conclusion with a valid cookie holds one entry while it is authorised (at most
 * {@link Config#maxPending} in all and {@link #MAX_PENDING_PER_ADDRESS} per address, else refused without
 * an entry; when all are taken, a caller from an address holding fewer than the most takes the oldest slot of the
 * address holding the most, so an attacker with many addresses cannot keep a real caller out), and at most {@link #MAX_REMEMBERED_REFUSALS} refusals are remembered for 5 s to repeat to a
 * caller's retransmissions.
 *
 * <p>Past 500 lines: the handshake bookkeeping and the connections share the one event loop's tables and timer.
 */
public final class SrtServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SrtServer.class);
    /**
     * The soonest the timer is set after it is armed, so that work a tick could not do (a batch-capped read still
     * to come) makes it fire at most this often rather than spin.
     */
    static final long MIN_TIMER_US = 1_000;

    /**
     * The grid the connections' work is done on, SRT's ACK interval: the timer fires only on its points, and only
     * when some connection has work due, so the port's connections fall due together, share one wake and have
     * their ACKs answered together. Done after each read burst at each connection's own time instead, ten
     * streams cost more than the old fixed 10 ms timer (bench/srt: more wakes, each doing less).
     */
    static final long GRID_US = SrtConnection.ACK_INTERVAL_US;

    /** How often handshake state (authorisations that never answered, remembered refusals) is swept while held. */
    static final long PENDING_SWEEP_US = 100_000;

    /**
     * Datagrams read before the loop runs its tasks: with Netty's 16, a backlog (a loaded host's stalled loop)
     * was read across several passes with the timer between them, which reported as lost the packets still
     * waiting in the socket, and they were sent twice.
     */
    static final int READ_BATCH = 256;

    /**
     * The largest datagram read whole: SRT's packets fit a 1500-byte MTU (its maximum segment size is at most
     * 1500 bytes, IP and UDP headers included), so a longer one is not SRT.
     */
    static final int MAX_DATAGRAM = 1500;

    /** Datagrams one recvmmsg call may read (epoll only): a 64 KB buffer. */
    static final int DATAGRAMS_PER_CALL = 43;

    private static final long PENDING_TIMEOUT_MS = 10_000;
    private static final long REJECTION_MEMORY_MS = 5_000;
    static final int HANDSHAKES_PER_SECOND = 20;
    static final int MAX_PENDING_PER_ADDRESS = 8;
    static final int MAX_REMEMBERED_REFUSALS = 1024;

    /**
     * @param latencyMs the receiver latency (TSBPD) we ask for; the caller's, if larger, wins
     * @param maxConnections accepted callers at once; more are refused with {@link SrtReject#RESOURCE}
     * @param maxPending handshakes awaiting authorisation at once; more are refused with {@link SrtReject#BACKLOG}
     * @param windowPackets receive buffer per connection in packets (a power of two)
     */
    public record Config(int latencyMs, int maxConnections, int maxPending, int windowPackets) {
        public static Config defaults() {
            return new Config(120, 1000, 256, 8192);
        }
    }

    private final SrtIngest ingest;
    private final Config config;
    private final Executor cryptoExecutor;
    private final ListenerHandshake handshake;
    private final long startNanos = System.nanoTime();
    private final int listenerSocketId = newSocketId();
    private final LogThrottle refusalLog = new LogThrottle(10, TimeUnit.SECONDS);
    private final HandshakeGuard guard =
            new HandshakeGuard(HANDSHAKES_PER_SECOND, 2 * HANDSHAKES_PER_SECOND, MAX_PENDING_PER_ADDRESS);

    private Channel channel;
    // Owned by the event loop.
    /**
     * The timer, set for the soonest work any connection has due ({@link SrtConnection#dueUs()}) or the next
     * sweep of handshake state, on the {@link #GRID_US} grid, and at {@link #timerAtUs}; null when nothing is
     * due. A fixed 100 Hz timer was, at one stream, the port's main cost (bench/srt): a 1 Mbps stream's datagrams
     * come in a few bursts a second, and between them the port had nothing to do.
     */
    private ScheduledFuture<?> timer;

    private long timerAtUs = Long.MAX_VALUE;
    private long pendingSweepUs;
    /** By our socket id: looked up for every datagram, without boxing the id. */
    private final IntObjectHashMap<Accepted> connections = new IntObjectHashMap<>();
    /** The values of {@link #connections}, walked by index on each tick without an iterator. */
    private final ArrayList<Accepted> live = new ArrayList<>();

    private final Map<CallerKey, Pending> pending = new HashMap<>();
    private volatile int connectionCount;
    /** Entries of {@link #pending} being authorised (the rest are remembered refusals). */
    private int authorising;
    /**
     * Stream-key lookups started and not yet back, evicted callers' included (eviction frees a slot, not the
     * lookup). Event loop only.
     */
    private int lookupsRunning;

    /**
     * Datagrams read in the current read burst, when a burst last ended with the socket empty, and whether the
     * last one did (then, until the next read event, no datagram waits unread). Event loop.
     */
    private int burstReads;

    /**
     * The connections data came for in the current read burst, in order of arrival (one entry per run of a
     * connection's datagrams, so at most the burst's length): each delivers and acknowledges at the burst's end.
     */
    private final ArrayList<Accepted> burstData = new ArrayList<>();

    private long drainedUs;
    private boolean drained = true;

    /**
     * Whether reading is off until the timer's next grid point (it always is set while this holds). Event loop.
     * Read as datagrams came, ten 1 Mbps streams woke the loop ~450 times a second (each encoder sends a frame's
     * packets at once, and each ACK brings an ACKACK back), and the wakes were most of the port's cost (bench/srt).
     */
    private boolean paused;

    private final Runnable workTask = this::work;

    private volatile int pendingCount;
    private volatile int authorisingCount;
    private volatile long throttled;
    private volatile long garbage;
    private volatile long rejected;
    private volatile long evicted;

    public SrtServer(SrtIngest ingest, Config config) {
        this(ingest, config, ForkJoinPool.commonPool());
    }

    /** @param cryptoExecutor runs the passphrase key derivation (PBKDF2), kept off the event loop */
    public SrtServer(SrtIngest ingest, Config config, Executor cryptoExecutor) {
        this.ingest = ingest;
        this.config = config;
        this.cryptoExecutor = cryptoExecutor;
        this.handshake = new ListenerHandshake(config.latencyMs());
        // The first key derivation in a JVM loads the JCE providers, which can take longer than a
        // caller's 3 s connect timeout on a busy host: pay that now, off the event loop.
        cryptoExecutor.execute(() -> SrtCrypto.wrap("warm-up passphrase", new byte[16], 1, new byte[16]));
    }

    /** The datagram channel type for a group made with {@code EventLoops}: epoll where available. */
    public static Class<? extends DatagramChannel> channelType(boolean epoll) {
        return epoll
                ? io.netty.channel.epoll.EpollDatagramChannel.class
                : io.netty.channel.socket.nio.NioDatagramChannel.class;
    }

    /** Binds the port on one loop of {@code group}. */
    public SrtServer bind(EventLoopGroup group, Class<? extends DatagramChannel> channelType, InetSocketAddress address)
            throws InterruptedException {
        boolean epoll = io.netty.channel.epoll.EpollDatagramChannel.class.isAssignableFrom(channelType);
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 1 << 20)
                .option(
                        ChannelOption.RCVBUF_ALLOCATOR,
                        epoll
                                ? new BatchReads(MAX_DATAGRAM, DATAGRAMS_PER_CALL, READ_BATCH)
                                : new FixedRecvByteBufAllocator(2048).maxMessagesPerRead(READ_BATCH))
                .handler(new Handler());
        if (epoll) {
            // recvmmsg: one call reads up to DATAGRAMS_PER_CALL datagrams into one buffer (SrtConnection copies
            // what it keeps out of it).
            b.option(io.netty.channel.epoll.EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM);
        }
        channel = b.bind(address).sync().channel();
        return this;
    }

    /** Event loop: runs the connections' and the handshakes' due work soon (a connection or a handshake came or went). */
    private void ensureTicking() {
        arm(nowUs(), nowUs());
    }

    /**
     * Event loop: sets the timer for {@code dueUs} ({@link Long#MAX_VALUE}: none), moving it when it is set more
     * than the slack away (a timer left early fires for nothing: as costly as the work it stood for).
     */
    private void arm(long dueUs, long nowUs) {
        if (dueUs == Long.MAX_VALUE) {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
                timerAtUs = Long.MAX_VALUE;
            }
            return;
        }
        long at = Math.max(dueUs, nowUs + MIN_TIMER_US);
        if (timer != null) {
            if (Math.abs(timerAtUs - at) <= SrtConnection.TIMER_SLACK_US) {
                return;
            }
            timer.cancel(false);
        }
        timerAtUs = at;
        timer = channel.eventLoop().schedule(this::timerFired, at - nowUs, TimeUnit.MICROSECONDS);
    }

    private void timerFired() {
        timer = null;
        timerAtUs = Long.MAX_VALUE;
        if (paused) {
            // Read what waited first, then do the work (a task scheduled now runs after the loop's next read of
            // its ready sockets): the ACKs then cover it, and the socket is known empty as of now.
            paused = false;
            channel.config().setAutoRead(true);
            channel.eventLoop().schedule(workTask, 0, TimeUnit.NANOSECONDS);
            return;
        }
        work();
    }

    private void work() {
        long now = nowUs();
        // The loop reads ready sockets before it runs tasks: unless reading is paused, if the last burst emptied
        // the socket, none waits.
        service(now, drained && !paused ? now : drainedUs);
        channel.flush();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Accepted callers now connected. */
    public int connectionCount() {
        return connectionCount;
    }

    /** Datagrams dropped as not SRT, not for a known connection, or malformed. */
    public long garbageCount() {
        return garbage;
    }

    /** Callers refused. */
    public long rejectedCount() {
        return rejected;
    }

    /**
     * Handshake state held for callers not yet accepted: authorisations in flight and remembered refusals; at
     * most {@link Config#maxPending} plus {@link #MAX_REMEMBERED_REFUSALS}.
     */
    public int pendingHandshakes() {
        return pendingCount;
    }

    /** Handshakes being authorised now; at most {@link Config#maxPending}. */
    public int authorisingHandshakes() {
        return authorisingCount;
    }

    /** Authorisations given up to make room for a caller from an address holding fewer. */
    public long evictedCount() {
        return evicted;
    }

    /** Handshake packets dropped unanswered because their source address sent more than its rate. */
    public long throttledCount() {
        return throttled;
    }

    /** Closes every connection (telling its caller and its session) and the port. Not from the event loop. */
    @Override
    public void close() {
        if (channel == null) {
            return;
        }
        channel.eventLoop()
                .submit(() -> {
                    arm(Long.MAX_VALUE, 0);
                    for (Accepted a : connections.values()) {
                        a.connection.close("server stopped", true);
                    }
                    connections.clear();
                    live.clear();
                    connectionCount = 0;
                    channel.flush();
                })
                .syncUninterruptibly();
        channel.close().syncUninterruptibly();
    }

    private long nowUs() {
        return (System.nanoTime() - startNanos) / 1000;
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket datagram = (DatagramPacket) msg;
            burstReads++;
            try {
                datagram(datagram.content(), datagram.sender());
            } catch (RuntimeException e) {
                garbage++;
                log.debug("SRT datagram from {} failed: {}", datagram.sender(), LogSafe.escape(e.toString()));
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            long now = nowUs();
            drained = burstReads < READ_BATCH; // the burst ended for want of datagrams, not at the batch's end
            if (drained) {
                drainedUs = now;
            }
            burstReads = 0;
            if (!burstData.isEmpty()) {
                long readUntil = drained && !paused ? now : drainedUs;
                for (int i = 0; i < burstData.size(); i++) {
                    burstEnded(burstData.get(i), now, readUntil);
                }
                burstData.clear();
                if (drained && !paused) {
                    // Until the next grid point, what comes waits in the socket: one wake then reads every
                    // connection's datagrams (and the ACKACKs of the ACKs just sent) instead of a wake per burst
                    // and one per ACKACK. Not when the burst ended at the batch's end: a port with more than
                    // READ_BATCH datagrams per grid interval (~270 Mbps of SRT) must read on, not wait with a full
                    // socket.
                    paused = true;
                    ctx.channel().config().setAutoRead(false);
                }
                long at = onGrid(now + 1);
                if (timer == null || timerAtUs > at) {
                    arm(at, now); // reading resumes then, and what a burst-end ACK left owed is done
                }
            }
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("SRT port error: {}", cause.toString());
        }
    }

    private void datagram(ByteBuf p, InetSocketAddress sender) {
        if (p.readableBytes() < SrtPacket.HEADER_SIZE) {
            garbage++;
            return;
        }
        int destination = SrtPacket.destinationSocket(p);
        if (destination != 0 && destination != listenerSocketId) {
            Accepted a = connections.get(destination);
            if (a == null || !a.peer.equals(sender)) {
                garbage++;
                return;
            }
            a.connection.onPacket(p, nowUs());
            if (!SrtPacket.isControl(p)) {
                if (burstData.isEmpty() || burstData.get(burstData.size() - 1) != a) {
                    burstData.add(a);
                }
            }
            return;
        }
        if (!SrtPacket.isControl(p) || SrtPacket.controlType(p) != SrtPacket.CTRL_HANDSHAKE) {
            garbage++;
            return;
        }
        if (!guard.allow(sender.getAddress(), System.nanoTime())) {
            throttled++;
            return;
        }
        Handshake req;
        try {
            req = Handshake.parse(
                    p.slice(p.readerIndex() + SrtPacket.HEADER_SIZE, p.readableBytes() - SrtPacket.HEADER_SIZE));
        } catch (IllegalArgumentException e) {
            garbage++;
            return;
        }
        long nowMs = System.currentTimeMillis();
        if (req.type() == Handshake.TYPE_INDUCTION) {
            send(
                    handshake.inductionResponse(channel.alloc(), req, sender, listenerSocketId, nowMs, (int) nowUs()),
                    sender);
        } else if (req.type() == Handshake.TYPE_CONCLUSION && handshake.cookieValid(req.cookie(), sender, nowMs)) {
            conclusion(req, sender, SrtPacket.timestamp(p), nowMs);
        } else {
            garbage++;
        }
    }

    private void conclusion(Handshake req, InetSocketAddress sender, long timestampUs, long nowMs) {
        CallerKey key = new CallerKey(sender, req.socketId());
        Pending known = pending.get(key);
        if (known != null) {
            if (known.answer != null) {
                send(known.answer.retainedDuplicate(), sender); // our answer was lost: repeat it
            }
            return;
        }
        for (Accepted a : connections.values()) {
            if (a.key.equals(key)) {
                a.connection.onPacket(handshakeMarker(), nowUs()); // resends the acceptance
                return;
            }
        }
        int code = ListenerHandshake.check(req);
        if (code != 0) {
            reject(key, req, code, nowMs, "malformed or unsupported handshake");
            return;
        }
        if (!guard.mayAcquire(sender.getAddress())) {
            // Not remembered: the caller's retry is answered again once there is room.
            refuse(key, req, SrtReject.BACKLOG, "too many handshakes in flight from its address");
            return;
        }
        if (lookupsRunning >= 2 * config.maxPending()) {
            // Evicted callers' lookups still run on the shared workers: their number stays bounded too.
            refuse(key, req, SrtReject.BACKLOG, "too many handshakes in flight");
            return;
        }
        if (authorising >= config.maxPending()) {
            CallerKey victim = (CallerKey) guard.evictFor(sender.getAddress());
            if (victim == null) {
                refuse(key, req, SrtReject.BACKLOG, "too many handshakes in flight");
                return;
            }
            // The victim's authorisation finds no entry when it ends (finish() drops it); its caller's next
            // conclusion starts afresh.
            settle(victim, pending.remove(victim));
            evicted++;
        }
        Pending entry = new Pending(nowMs);
        entry.authorising = true;
        authorising++;
        guard.acquire(sender.getAddress(), key);
        pending.put(key, entry);
        counts();
        ensureTicking();
        String streamId = req.streamId();
        long arrivalUs = nowUs();
        CompletableFuture<Optional<SrtAccess>> lookup;
        try {
            lookup = ingest.authorize(streamId, sender);
        } catch (RuntimeException e) {
            lookup = CompletableFuture.failedFuture(e);
        }
        lookupsRunning++;
        lookup.thenApplyAsync(access -> decide(req, access), cryptoExecutor)
                .exceptionally(e -> Decision.refuse(SrtReject.SYSTEM, "authorisation failed: " + e))
                .thenAccept(decision -> channel.eventLoop().execute(() -> {
                    lookupsRunning--;
                    finish(key, entry, req, decision, timestampUs, arrivalUs);
                }));
    }

    /**
     * Off the event loop: checks the caller's encryption against the access and unwraps its keys; then, and only
     * then (whether a channel is live is not told to a caller without its passphrase), refuses a second publisher.
     */
    private static Decision decide(Handshake req, Optional<SrtAccess> access) {
        if (access.isEmpty()) {
            return Decision.refuse(SrtReject.FORBIDDEN, "unknown stream id");
        }
        Decision d = decideEncryption(req, access.get());
        if (d.code == 0 && access.get().published()) {
            return Decision.refuse(SrtReject.CONFLICT, "the channel already has a publisher");
        }
        return d;
    }

    private static Decision decideEncryption(Handshake req, SrtAccess access) {
        if (access instanceof SrtAccess.Encrypted encrypted) {
            if (req.km() == null) {
                return Decision.refuse(SrtReject.UNSECURE, "the caller does not encrypt");
            }
            try {
                return new Decision(
                        0, null, SrtCrypto.unwrap(req.km(), encrypted.passphrase()), encrypted.passphrase());
            } catch (SrtCrypto.BadSecretException e) {
                return Decision.refuse(SrtReject.BAD_SECRET, "wrong passphrase");
            } catch (IllegalArgumentException e) {
                return Decision.refuse(SrtReject.UNSECURE, "unsupported cipher");
            }
        }
        if (req.km() != null) {
            return Decision.refuse(SrtReject.UNSECURE, "the caller encrypts but the stream takes no passphrase");
        }
        return new Decision(0, null, null, null);
    }

    private void finish(
            CallerKey key, Pending entry, Handshake req, Decision decision, long timestampUs, long arrivalUs) {
        if (!channel.isActive() || pending.get(key) != entry) {
            return;
        }
        long nowMs = System.currentTimeMillis();
        if (decision.code != 0) {
            reject(key, req, decision.code, nowMs, decision.why);
            return;
        }
        if (connections.size() >= config.maxConnections()) {
            reject(key, req, SrtReject.RESOURCE, nowMs, "too many connections");
            return;
        }
        int socketId = newSocketId();
        while (connections.containsKey(socketId)) {
            socketId = newSocketId();
        }
        int latencyMs = handshake.latencyMs(req);
        SrtIngest.SrtCaller caller = new SrtIngest.SrtCaller(
                req.streamId(),
                key.peer,
                socketId,
                latencyMs,
                decision.crypto == null ? 0 : decision.crypto.keyLength(),
                version(req.hs().srtVersion()));
        SrtIngest.Session session;
        int linkedSocket = socketId;
        SrtIngest.Link link = new SrtIngest.Link() {
            @Override
            public io.netty.util.concurrent.EventExecutor executor() {
                return channel.eventLoop();
            }

            @Override
            public void close(String reason) {
                channel.eventLoop().execute(() -> {
                    Accepted a = connections.get(linkedSocket);
                    if (a != null) {
                        a.connection.close(reason, true); // removed from the table at the next tick
                        ensureTicking();
                    }
                });
            }
        };
        try {
            session = ingest.open(caller, link);
        } catch (SrtReject.Refusal r) {
            reject(key, req, r.code(), nowMs, r.getMessage());
            return;
        } catch (RuntimeException e) {
            log.warn("SRT session could not open: {}", LogSafe.escape(e.toString()));
            reject(key, req, SrtReject.SYSTEM, nowMs, "session failed to open");
            return;
        }
        settle(key, pending.remove(key));
        counts();
        ByteBuf answer = handshake.acceptResponse(channel.alloc(), req, key.peer, socketId, latencyMs, (int) nowUs());
        InetSocketAddress peer = key.peer;
        SrtConnection.Output output = new SrtConnection.Output() {
            @Override
            public ByteBufAllocator alloc() {
                return channel.alloc();
            }

            @Override
            public void send(ByteBuf packet) {
                SrtServer.this.send(packet, peer);
            }
        };
        SrtConnection connection = new SrtConnection(
                socketId,
                req.socketId(),
                req.initialSequence(),
                config.windowPackets(),
                latencyMs * 1000L,
                decision.crypto,
                decision.passphrase,
                timestampUs,
                arrivalUs,
                answer.retainedDuplicate(),
                SrtConnection.INITIAL_REORDER_TOLERANCE_US,
                output,
                session);
        Accepted accepted = new Accepted(key, peer, connection);
        connections.put(socketId, accepted);
        live.add(accepted);
        ensureTicking();
        connectionCount = connections.size();
        send(answer, peer);
        channel.flush();
        log.info(
                "SRT caller {} accepted in {} ms: latency {} ms, {}",
                peer,
                (nowUs() - arrivalUs) / 1000,
                latencyMs,
                decision.crypto == null ? "unencrypted" : "AES-" + decision.crypto.keyLength() * 8);
    }

    /** Refuses the caller and remembers the answer for its retransmissions, while fewer than the cap are. */
    private void reject(CallerKey key, Handshake req, int code, long nowMs, String why) {
        Pending entry = pending.get(key);
        settle(key, entry);
        int othersRemembered = pending.size() - authorising - (entry != null ? 1 : 0);
        if (othersRemembered >= MAX_REMEMBERED_REFUSALS) {
            if (entry != null) {
                pending.remove(key);
                if (entry.answer != null) {
                    entry.answer.release();
                }
                counts();
            }
            refuse(key, req, code, why);
            return;
        }
        if (entry == null) {
            entry = new Pending(nowMs);
            pending.put(key, entry);
        }
        ensureTicking();
        entry.since = nowMs;
        if (entry.answer != null) {
            entry.answer.release();
        }
        ByteBuf answer = handshake.rejectResponse(channel.alloc(), req, key.peer, code, (int) nowUs());
        entry.answer = answer.retainedDuplicate();
        counts();
        sendRefusal(answer, key, code, why);
    }

    /** Refuses the caller without keeping anything. */
    private void refuse(CallerKey key, Handshake req, int code, String why) {
        sendRefusal(handshake.rejectResponse(channel.alloc(), req, key.peer, code, (int) nowUs()), key, code, why);
    }

    private void sendRefusal(ByteBuf answer, CallerKey key, int code, String why) {
        rejected++;
        send(answer, key.peer);
        channel.flush();
        refusalLog.occurred(held -> log.info(
                "SRT caller {} refused ({}): {}{}",
                key.peer,
                code,
                why,
                held > 0 ? " (and " + held + " more refusals in the last 10 s)" : ""));
    }

    /** The entry's authorisation, if one was in flight, is over. */
    private void settle(CallerKey key, Pending entry) {
        if (entry != null && entry.authorising) {
            entry.authorising = false;
            authorising--;
            guard.release(key.peer.getAddress(), key);
        }
    }

    private void counts() {
        pendingCount = pending.size();
        authorisingCount = authorising;
    }

    /**
     * Event loop, when the timer fires: runs the work due (within the slack) of every
     * connection, drops the closed ones, sweeps handshake state when due, and sets the timer for what is next.
     *
     * @param readUntilUs when the socket was last known empty (see {@link SrtConnection#tick(long, long)})
     */
    private void service(long now, long readUntilUs) {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < live.size(); ) {
            Accepted a = live.get(i);
            long due = onGrid(a.connection.dueUs());
            if (due <= now + SrtConnection.TIMER_SLACK_US) {
                if (!tick(a, now, readUntilUs)) {
                    Accepted last = live.remove(live.size() - 1);
                    if (last != a) {
                        live.set(i, last);
                    }
                    connections.remove(a.connection.socketId());
                    connectionCount = connections.size();
                    log.info("SRT caller {} gone: {}", a.peer, a.connection.stats());
                    continue;
                }
                due = onGrid(a.connection.dueUs());
            }
            next = Math.min(next, due);
            i++;
        }
        if (!pending.isEmpty()) {
            if (now >= pendingSweepUs) {
                sweepPending();
                pendingSweepUs = now + PENDING_SWEEP_US;
            }
            if (!pending.isEmpty()) {
                next = Math.min(next, pendingSweepUs);
            }
        }
        if (paused) {
            next = Math.min(next, onGrid(now + 1)); // reading resumes at the next grid point
        }
        arm(next, now);
    }

    /** {@code dueUs} put off to the next point of the {@link #GRID_US} grid; none and closed stay as they are. */
    static long onGrid(long dueUs) {
        if (dueUs == Long.MAX_VALUE || dueUs == Long.MIN_VALUE) {
            return dueUs;
        }
        return Math.floorDiv(dueUs + GRID_US - 1, GRID_US) * GRID_US;
    }

    /** A connection that fails or closes here is reaped by the next tick (its {@code dueUs} is then overdue). */
    private void burstEnded(Accepted a, long now, long readUntilUs) {
        try {
            a.connection.burstEnded(now, readUntilUs);
        } catch (RuntimeException e) {
            log.warn("SRT connection from {} failed: {}", a.peer, LogSafe.escape(e.toString()));
            a.connection.close("internal error", true);
        }
    }

    private boolean tick(Accepted a, long now, long readUntilUs) {
        try {
            return a.connection.tick(now, readUntilUs);
        } catch (RuntimeException e) {
            log.warn("SRT connection from {} failed: {}", a.peer, LogSafe.escape(e.toString()));
            a.connection.close("internal error", true);
            return false;
        }
    }

    private void sweepPending() {
        long nowMs = System.currentTimeMillis();
        for (Iterator<Map.Entry<CallerKey, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<CallerKey, Pending> e = it.next();
            Pending p = e.getValue();
            long age = nowMs - p.since;
            if ((p.answer != null && age > REJECTION_MEMORY_MS) || age > PENDING_TIMEOUT_MS) {
                if (p.answer != null) {
                    p.answer.release();
                }
                settle(e.getKey(), p); // an authorisation that never answered: finish() will find no entry
                it.remove();
            }
        }
        counts();
    }

    private void send(ByteBuf packet, InetSocketAddress to) {
        if (!channel.isWritable()) {
            packet.release(); // the socket is backed up: a lost control packet is repeated by the protocol
            return;
        }
        channel.write(new DatagramPacket(packet, to), channel.voidPromise());
    }

    /** A handshake packet header that makes a connection repeat its acceptance. */
    private static ByteBuf handshakeMarker() {
        ByteBuf b = Unpooled.buffer(SrtPacket.HEADER_SIZE);
        SrtPacket.writeControlHeader(b, SrtPacket.CTRL_HANDSHAKE, 0, 0, 0, 0);
        return b;
    }

    private static String version(int v) {
        return (v >> 16) + "." + ((v >> 8) & 0xFF) + "." + (v & 0xFF);
    }

    private static int newSocketId() {
        return ThreadLocalRandom.current().nextInt(1, 0x3FFF_FFFF);
    }

    private record CallerKey(InetSocketAddress peer, int callerSocketId) {}

    private record Accepted(CallerKey key, InetSocketAddress peer, SrtConnection connection) {}

    /** A handshake awaiting authorisation, or a refusal remembered to repeat to retransmitted requests. */
    private static final class Pending {
        long since;
        boolean authorising;
        ByteBuf answer;

        Pending(long since) {
            this.since = since;
        }
    }

    private record Decision(int code, String why, SrtCrypto crypto, String passphrase) {
        static Decision refuse(int code, String why) {
            return new Decision(code, why, null, null);
        }
    }
}
