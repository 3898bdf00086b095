package io.openivs.server.cluster;

import io.openivs.server.config.ServerConfig;
import io.openivs.server.playback.EdgeOwners;
import io.openivs.server.playback.EdgeViewers;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.StreamSessions;
import io.openivs.server.store.LiveOwnerRow;
import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StoredSecrets;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node as a member of a cluster (nodes sharing one PostgreSQL database): it registers its internal
 * address with a heartbeat, reports the viewers it relays as an edge, and keeps in memory which other
 * live node owns each live stream, so that playback can relay those without touching the store on an
 * event loop. A node is alive while its heartbeat is fresher than {@link StreamSessions#STALE_MS}, the
 * timeout after which housekeeping ends a silent node's sessions; a stream is relayed only while both
 * its session and its owner are fresh.
 */
public final class ClusterMembership implements EdgeOwners, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterMembership.class);
    /** Heartbeat period: three beats fit in the staleness timeout. */
    static final long BEAT_MS = StreamSessions.STALE_MS / 3;
    /** How often the owners of live streams are read: a new stream plays through edges within this. */
    static final long OWNERS_MS = 1_000;

    private static final String SECRET_ID = "cluster-secret";

    private final ResourceStore store;
    private final String node;
    private volatile String address;
    private final Clock clock;
    private final EdgeViewers viewers = new EdgeViewers();
    /** Channel playback name to its owner, replaced whole on each read. */
    private volatile Map<String, Owner> owners = Map.of();
    /** Resolved internal addresses by text, read and written on the housekeeping thread only. */
    private final Map<String, InetSocketAddress> resolved = new HashMap<>();

    private final AtomicBoolean storeFailing = new AtomicBoolean();
    /**
     * When the last store outage began and ended (epoch ms; 0: none yet). No node can beat while the store is
     * down, so for one staleness timeout after it answers again a heartbeat from before the outage still counts.
     */
    private volatile long outageBegan;

    private volatile long outageEnded;

    private ScheduledFuture<?> beats;
    private ScheduledFuture<?> reads;

    public ClusterMembership(ResourceStore store, String node, Clock clock) {
        this.store = store;
        this.node = node;
        this.clock = clock;
    }

    /**
     * Registers at {@code address} now (blocking: a node that cannot register fails to start), then beats on
     * {@code timer}.
     */
    public void start(ScheduledExecutorService timer, String address) {
        this.address = address;
        beat();
        readOwners();
        beats = timer.scheduleWithFixedDelay(this::beatQuietly, BEAT_MS, BEAT_MS, TimeUnit.MILLISECONDS);
        reads = timer.scheduleWithFixedDelay(this::readQuietly, OWNERS_MS, OWNERS_MS, TimeUnit.MILLISECONDS);
        log.info("cluster: node {} reachable by the others at {}", node, address);
    }

    @Override
    public Owner owner(String channelName) {
        return owners.get(channelName);
    }

    public EdgeViewers viewers() {
        return viewers;
    }

    public String node() {
        return node;
    }

    public String address() {
        return address;
    }

    /**
     * The internal address: {@code --cluster-address} when given, else the bind address and playback port,
     * with this host's address in place of a wildcard bind (which no other node can dial).
     */
    public static String address(ServerConfig config, int playbackPort) {
        if (config.cluster().address() != null) {
            return config.cluster().address();
        }
        String host = config.bind();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.isEmpty()) {
            host = hostAddress();
        }
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + playbackPort;
    }

    /**
     * The first IPv4 address of an interface that is up and not loopback (the host name may resolve to
     * 127.0.1.1, which no other node can dial); the host name's address when there is none.
     */
    private static String hostAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback() || nic.isVirtual()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
            return InetAddress.getLocalHost().getHostAddress();
        } catch (SocketException | UnknownHostException e) {
            throw new IllegalStateException(
                    "--bind is a wildcard and this host's address is unknown: give --cluster-address", e);
        }
    }

    /**
     * The cluster secret: {@code --cluster-secret} when given, else the one every node reads from the shared
     * store, made by the first node that needs it. Blocks on the store.
     */
    public static String secret(ResourceStore store, ServerConfig config, Clock clock) {
        if (config.cluster().secret() != null) {
            return config.cluster().secret();
        }
        return StoredSecrets.readOrCreate(store, SECRET_ID, clock.millis());
    }

    private void beatQuietly() {
        try {
            beat();
            storeAnswers();
        } catch (RuntimeException e) {
            // The viewer counts of this beat are lost; the next beat after the outage writes fresh ones.
            storeFails("cluster heartbeat", e);
        }
    }

    private void readQuietly() {
        try {
            readOwners();
            storeAnswers();
        } catch (RuntimeException e) {
            // Keep the last owners: a store outage should not stop edges relaying streams that still play.
            storeFails("reading the cluster's live streams", e);
        }
    }

    /** Logs once per outage, not once a second. */
    private void storeFails(String what, RuntimeException e) {
        if (storeFailing.compareAndSet(false, true)) {
            outageBegan = clock.millis();
            log.warn("{} failed, keeping the owners last read until the store answers: {}", what, e.toString());
        }
    }

    private void storeAnswers() {
        if (storeFailing.compareAndSet(true, false)) {
            outageEnded = clock.millis();
            log.info("cluster: the store answers again");
        }
    }

    private void beat() {
        long now = clock.millis();
        Map<String, Integer> counts = viewers.counts(now);
        store.write(tx -> {
            tx.nodeHeartbeat(node, address, now);
            tx.replaceEdgeViewers(node, counts, now, now - StreamSessions.STALE_MS);
            return null;
        });
    }

    private void readOwners() {
        long now = clock.millis();
        boolean afterOutage = storeFailing.get() || now - outageEnded < StreamSessions.STALE_MS;
        // Just after an outage (this read may be the one that ends it): owners silent only because the store
        // was down are not dead; those still silent a timeout after it answers are.
        long freshSince =
                afterOutage ? Math.min(now, outageBegan) - StreamSessions.STALE_MS : now - StreamSessions.STALE_MS;
        Map<String, Owner> next = new HashMap<>();
        for (LiveOwnerRow row : store.read(tx -> tx.liveOwners(freshSince))) {
            if (row.node().equals(node)) {
                continue;
            }
            InetSocketAddress to = resolve(row.address());
            if (to == null) {
                continue;
            }
            Arn arn = Arn.parse(row.channelArn());
            next.put(arn.region() + "." + arn.account() + ".channel." + arn.id(), new Owner(row.streamId(), to));
        }
        owners = Map.copyOf(next);
    }

    /** host:port (IPv6 in brackets) resolved here, off the event loops; null when it cannot be. */
    private InetSocketAddress resolve(String hostPort) {
        InetSocketAddress known = resolved.get(hostPort);
        if (known != null) {
            return known;
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            InetSocketAddress a =
                    new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(hostPort.substring(colon + 1)));
            if (resolved.size() > 1000) {
                resolved.clear();
            }
            resolved.put(hostPort, a);
            return a;
        } catch (UnknownHostException | NumberFormatException e) {
            log.warn(
                    "cluster: cannot resolve a node's address {}: {}",
                    hostPort.replaceAll("[^\\x20-\\x7e]", "?"),
                    e.toString());
            return null;
        }
    }

    @Override
    public void close() {
        if (beats != null) {
            beats.cancel(false);
            reads.cancel(false);
        }
    }
}
