package io.openivs.server.live;

import io.openivs.server.events.EventBus;
import io.openivs.server.events.IvsEvent;
import io.openivs.server.resource.Arn;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * The EventBridge events of one stream session (Amazon IVS User Guide, "Using Amazon EventBridge
 * with IVS"), each also remembered for the session's truncatedEvents. Any thread.
 */
final class StreamEvents {
    private final EventBus bus;
    private final SessionEvents remembered;
    private final LongSupplier clock;
    private final String account;
    private final String region;
    private final String channelArn;
    private final String channelName;
    private final String streamId;

    StreamEvents(
            EventBus bus,
            SessionEvents remembered,
            LongSupplier clock,
            String channelArn,
            String channelName,
            String streamId) {
        Arn arn = Arn.parse(channelArn);
        this.bus = bus;
        this.remembered = remembered;
        this.clock = clock;
        this.account = arn.account();
        this.region = arn.region();
        this.channelArn = channelArn;
        this.channelName = channelName;
        this.streamId = streamId;
    }

    /** Publishes an "IVS Stream State Change" event; {@code reason} for Stream Failure. */
    void stateChange(String eventName, String reason) {
        bus.publish(stateChangeLater(eventName, reason));
    }

    /** The state change, remembered now and published by the caller later. */
    IvsEvent stateChangeLater(String eventName, String reason) {
        Instant time = Instant.ofEpochMilli(clock.getAsLong());
        IvsEvent e = IvsEvent.streamState(eventName, account, region, channelArn, channelName, streamId, time);
        if (reason != null) {
            e.detail().put("reason", reason);
        }
        remembered.add(eventName, IvsEvent.STREAM_STATE_CHANGE, time);
        return e;
    }

    void publish(IvsEvent event) {
        bus.publish(event);
    }

    /** An "IVS Limit Breach" event. truncatedEvents has no limit_name member: the limit's name is the event's name (unconfirmed). */
    void limitBreach(IngestPolicy.Breach b) {
        Instant time = Instant.ofEpochMilli(clock.getAsLong());
        remembered.add(b.limit(), IvsEvent.LIMIT_BREACH, time);
        bus.publish(IvsEvent.limitBreach(
                b.limit(),
                b.limitValue(),
                b.exceededBy(),
                b.unit(),
                account,
                region,
                channelArn,
                channelName,
                streamId,
                time));
    }

    /** "Ad Break Inserted" for a break starting at the live edge ({@code atMs}: about now). */
    void adBreakInserted(String adBreakId, int durationSeconds, long atMs) {
        Instant at = Instant.ofEpochMilli(atMs);
        bus.publish(IvsEvent.adBreakInserted(
                account, region, channelArn, channelName, streamId, adBreakId, durationSeconds, at, at));
    }
}
