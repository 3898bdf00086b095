package io.openivs.server.ingest.rtmp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.openivs.server.net.LogThrottle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an RTMP peer that is not (yet) publishing may hold: per address and in total a bounded number of such
 * connections, each closed if it has not been authorised to publish within a deadline; and refused publishes
 * (a wrong stream key) answered only after a delay that grows with the address's recent failures, so that
 * guessing keys is slow and a refused peer keeps its slot meanwhile. One per listener; thread-safe (accepts
 * and refusals are rare next to media, a lock is cheap enough).
 */
public final class PeerAdmission {
    private static final Logger log = LoggerFactory.getLogger(PeerAdmission.class);

    /**
     * @param perAddress connections not yet publishing allowed from one address
     * @param total connections not yet publishing allowed in all
     * @param publishDeadline how long a connection may stay without an authorised publish
     * @param refusalDelay delay before a refused publish is answered, per failure of the address in the window
     * @param maxRefusalDelay the delay's ceiling
     * @param failureWindow how long a refused publish counts against its address
     */
    public record Limits(
            int perAddress,
            int total,
            Duration publishDeadline,
            Duration refusalDelay,
            Duration maxRefusalDelay,
            Duration failureWindow) {
        public static final Limits DEFAULTS = new Limits(
                16, 512, Duration.ofSeconds(20), Duration.ofMillis(250), Duration.ofSeconds(5), Duration.ofMinutes(1));
    }

    /** One address's connections not yet publishing and its recent refused publishes. */
    private static final class Peer {
        int waiting;
        int failures;
        long failuresSince;
    }

    /** Map size at which a refusal first sweeps out stale addresses. */
    private static final int SWEEP_AT = 4096;

    private final Limits limits;
    private final Map<InetAddress, Peer> peers = new HashMap<>();
    private final LogThrottle refusals = new LogThrottle(10, TimeUnit.SECONDS);
    private int waiting;

    public PeerAdmission(Limits limits) {
        this.limits = limits;
    }

    /** A new connection from {@code address}: true if it may go on (and now holds a slot). */
    synchronized boolean admit(InetAddress address) {
        Peer p = peers.get(address);
        if (waiting >= limits.total() || (p != null && p.waiting >= limits.perAddress())) {
            return false;
        }
        if (p == null) {
            p = new Peer();
            peers.put(address, p);
        }
        p.waiting++;
        waiting++;
        return true;
    }

    /** The connection holding a slot for {@code address} published or closed. */
    synchronized void release(InetAddress address) {
        Peer p = peers.get(address);
        if (p == null || p.waiting == 0) {
            return;
        }
        p.waiting--;
        waiting--;
        forgetIfIdle(address, p, System.nanoTime());
    }

    /** Records a refused publish from {@code address} and returns how long to wait before answering it. */
    synchronized long refusedPublishDelayMillis(InetAddress address) {
        long now = System.nanoTime();
        if (peers.size() >= SWEEP_AT) {
            // Addresses whose failures have aged out and that hold nothing: many source addresses cannot grow the map.
            peers.entrySet()
                    .removeIf(e -> e.getValue().waiting == 0
                            && now - e.getValue().failuresSince
                                    > limits.failureWindow().toNanos());
        }
        Peer p = peers.computeIfAbsent(address, a -> new Peer());
        if (p.failures == 0 || now - p.failuresSince > limits.failureWindow().toNanos()) {
            p.failures = 0;
            p.failuresSince = now;
        }
        p.failures++;
        long delay = limits.refusalDelay().toMillis() * p.failures;
        return Math.min(delay, limits.maxRefusalDelay().toMillis());
    }

    /** Connections from all addresses not yet publishing. */
    public synchronized int waiting() {
        return waiting;
    }

    private void forgetIfIdle(InetAddress address, Peer p, long now) {
        if (p.waiting == 0
                && (p.failures == 0
                        || now - p.failuresSince > limits.failureWindow().toNanos())) {
            peers.remove(address);
        }
    }

    /** A per-connection gate at the head of the pipeline. */
    Gate gate() {
        return new Gate();
    }

    /**
     * Closes a connection at once when its address (or the listener) has no slot left, and later when it has not
     * been authorised to publish within the deadline; frees the slot once it publishes.
     */
    final class Gate extends ChannelInboundHandlerAdapter {
        private InetAddress address;
        private boolean holding;
        private ScheduledFuture<?> deadline;

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            address = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
            if (address != null) {
                if (!admit(address)) {
                    refusals.occurred(held -> log.warn(
                            "RTMP connection refused: too many connections not publishing from {}"
                                    + " or in all ({} more refused since the last such line)",
                            address.getHostAddress(),
                            held));
                    ctx.close();
                    return;
                }
                holding = true;
            }
            long millis = limits.publishDeadline().toMillis();
            deadline = ctx.executor()
                    .schedule(
                            () -> {
                                if (ctx.channel().isOpen()) {
                                    log.debug(
                                            "RTMP connection from {} closed: no authorised publish within {} ms",
                                            address,
                                            millis);
                                    ctx.close();
                                }
                            },
                            millis,
                            TimeUnit.MILLISECONDS);
            super.channelActive(ctx);
        }

        /** The connection's publish was authorised: it no longer counts as waiting. Event loop only. */
        void authorised() {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
            if (holding) {
                holding = false;
                release(address);
            }
        }

        /** Milliseconds to wait before answering this connection's refused publish. */
        long refusedPublishDelayMillis() {
            return address == null ? 0 : PeerAdmission.this.refusedPublishDelayMillis(address);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            authorised(); // frees the slot and the timer either way
            super.channelInactive(ctx);
        }
    }
}
