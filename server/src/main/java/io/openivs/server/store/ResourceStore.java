package io.openivs.server.store;

import java.util.List;
import java.util.Optional;

/**
 * The one repository of openivs: IVS resources and stream sessions. Two
 * implementations share {@link JdbcResourceStore}: embedded SQLite and
 * PostgreSQL (several nodes sharing one database). Every call blocks on the
 * database, so callers run it off the Netty event loops.
 */
public interface ResourceStore extends AutoCloseable {

    /** Runs read-only work (no transaction guarantees across statements). */
    <T> T read(Work<T> work);

    /** Runs work in one transaction; it commits when {@code work} returns and rolls back when it throws. */
    <T> T write(Work<T> work);

    /**
     * The resource with this ARN if it is in memory, else null, without touching the database: safe on an event
     * loop. Equal to what {@code read(tx -> tx.get(arn))} would return (committed state); stores that cannot
     * promise that (several nodes sharing a database) answer null.
     */
    default StoredResource cached(String arn) {
        return null;
    }

    /**
     * Whether this node alone can change the database (embedded SQLite, locked exclusively): then every
     * change is one of this node's own, and nothing needs polling for changes made elsewhere.
     */
    default boolean soleWriter() {
        return false;
    }

    /**
     * Wall-clock millis when a call last failed because the database could not be reached
     * ({@link StoreUnavailableException}); 0 if that never happened.
     */
    default long lastUnreachable() {
        return 0;
    }

    /** A short human description for start-up logs, without credentials. */
    String describe();

    @Override
    void close();

    @FunctionalInterface
    interface Work<T> {
        T run(Tx tx);
    }

    /** The statements available inside {@link #read} and {@link #write}. */
    interface Tx {
        Optional<StoredResource> get(String arn);

        Optional<StoredResource> byLookup(String type, String lookup);

        /** Up to {@code limit} resources of one owner and type, in (created, id) order, strictly after {@code after} (null = from the start). */
        List<StoredResource> list(String account, String region, String type, Cursor after, int limit);

        /** Up to {@code limit} resources of a type whatever their owner, oldest first (internal types only). */
        List<StoredResource> ofType(String type, int limit);

        List<StoredResource> children(String type, String parentArn);

        long count(String account, String region, String type);

        /** @throws DuplicateKeyException when the ARN, (type, parent) or (type, lookup) is taken */
        void insert(StoredResource resource);

        /** Replaces the document if the stored version still equals {@code resource.version()}; bumps the version. */
        boolean update(StoredResource resource);

        boolean delete(String arn);

        int deleteChildren(String type, String parentArn);

        // --- stream sessions

        void insertSession(StreamSessionRow row);

        Optional<StreamSessionRow> session(String channelArn, String streamId);

        /** The channel's session that is live and whose owner has shown a heartbeat since {@code freshSince}. */
        Optional<StreamSessionRow> liveSession(String channelArn, long freshSince);

        List<StreamSessionRow> liveSessions(String account, String region, long freshSince);

        /** Sessions of a channel, newest first, strictly before the (startTime, streamId) position when given. */
        List<StreamSessionRow> sessions(String channelArn, Long beforeStart, String beforeId, int limit);

        /** Updates heartbeat and document of a live session; false if it ended. */
        boolean touchSession(String streamId, long heartbeat, boolean hasError, String doc);

        boolean endSession(String streamId, long endTime, boolean hasError, String doc);

        boolean requestStop(String streamId);

        /**
         * Starts an ad break of a live session that lasts until {@code until}, unless the previous
         * one runs past {@code now}; false then, or when the session has ended.
         */
        boolean beginAdBreak(String streamId, long now, long until);

        /** Records a cue for the session's owner node. */
        void addCue(StreamCue cue);

        /** Removes and returns the session's cues, oldest first. */
        List<StreamCue> takeCues(String streamId);

        /** Ends sessions whose owner stopped sending heartbeats (a node that died). */
        int endStaleSessions(long staleBefore);

        /** Open sessions whose owner has shown no heartbeat since {@code staleBefore}, oldest first. */
        List<StreamSessionRow> staleSessions(long staleBefore);

        /** Sessions still open that {@code node} owns: at its start, those a previous run of it left behind. */
        List<StreamSessionRow> openSessionsOf(String node);

        // --- cluster membership

        /** Registers {@code node} at {@code address} or refreshes its heartbeat. */
        void nodeHeartbeat(String node, String address, long now);

        /** Nodes whose heartbeat is at least {@code freshSince}, by id. */
        List<ClusterNodeRow> nodes(long freshSince);

        /** Live sessions whose row and owner node are both fresh, with where the owner is reached. */
        List<LiveOwnerRow> liveOwners(long freshSince);

        /** Replaces what {@code node} reported of the viewers it relays, per stream id; forgets stale reports. */
        void replaceEdgeViewers(String node, java.util.Map<String, Integer> viewers, long now, long staleBefore);

        /** The viewers other nodes relay of a stream, summed over fresh reports. */
        long edgeViewers(String streamId, long freshSince);
    }
}
