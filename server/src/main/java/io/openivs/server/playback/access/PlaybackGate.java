package io.openivs.server.playback.access;

import io.openivs.server.resource.Arn;
import io.openivs.server.resource.Lookups;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may play a channel: private channels need a valid playback token (User Guide, "Setting Up IVS Private
 * Channels"), public ones obey their playback restriction policy (API Reference: PlaybackRestrictionPolicy). {@link #decide} answers from memory
 * on the event loop; when it cannot (snapshot not loaded yet, a single-use token to record),
 * {@link #settle} finishes the work off the loop.
 *
 * <p>On a private channel the token is checked only where playback starts, the multivariant
 * playlist, which then lists its child URLs with a {@link SessionTickets session ticket} instead of
 * the token. Media playlists, segments and parts accept only a ticket: valid for this channel,
 * unexpired, its key pair still imported and its viewer session not revoked (origins and maximum
 * resolution carried over from the token). A media playlist lists its segments and parts with a
 * fresh ticket of {@link #SEGMENT_TICKET_SECONDS}, so a viewer who keeps reloading keeps playing.
 */
public final class PlaybackGate implements AccessGate {
    /**
     * IVS checks {@code exp} only when playback starts (the multivariant playlist); later media
     * playlist and segment requests of a started session are admitted this long after exp
     * (our bound; IVS states none).
     */
    static final long CHILD_GRACE_SECONDS = 6 * 3600;
    /**
     * Life of the tickets a media playlist writes into its segment and part URLs: players fetch
     * those within seconds; the margin covers clock skew between nodes and paused players. The
     * media playlist's own URL, which a player reloads unchanged, carries the master's ticket,
     * valid until the token's exp plus {@link #CHILD_GRACE_SECONDS}.
     */
    static final long SEGMENT_TICKET_SECONDS = 300;
    /** Tokens with aws:viewer-id or aws:single-use-uuid may live at most 10 minutes; one minute of clock skew. */
    static final long SHORT_TOKEN_SECONDS = 600 + 60;

    private final AccessDirectory directory;
    private final CountryResolver countries;
    private final Clock clock;
    /** About 1 KB per entry (mostly the token text); beyond this many live viewers per node tokens are re-verified. */
    private final TokenCache cache = new TokenCache(50_000);

    public PlaybackGate(AccessDirectory directory, CountryResolver countries, Clock clock) {
        this.directory = directory;
        this.countries = countries;
        this.clock = clock;
    }

    /**
     * The verdict from the in-memory snapshots, or null when {@link #settle} must finish it.
     * Never blocks.
     */
    @Override
    public Verdict decide(AccessRequest r) {
        ChannelKey key = key(r.channelName());
        String arnText = key.arnText();
        AccessDirectory.Channel ch = directory.channel(arnText);
        if (ch == null) {
            return null;
        }
        if (!ch.isPrivate()) {
            return ch.policy() == null ? Verdict.PUBLIC : byPolicy(r, ch.policy());
        }
        try {
            if (!ch.exists()) {
                throw noSuchChannel(r, arnText);
            }
            AccessDirectory.Account account = directory.account(key.accountKey());
            SessionTickets tickets = directory.tickets();
            if (account == null || tickets == null) {
                return null;
            }
            if (!r.master()) {
                return byTicket(r, arnText, account, tickets);
            }
            TokenCache.Verified v = byToken(r, arnText, account);
            if (v.token().singleUse() != null) {
                return null;
            }
            return admitted(r, v, tickets);
        } catch (AccessDenied d) {
            return Verdict.deny(d);
        }
    }

    /** Completes what {@link #decide} could not: loads snapshots, records single-use tokens. Off the event loop. */
    @Override
    public CompletionStage<Verdict> settle(AccessRequest r) {
        Arn arn = key(r.channelName()).arn();
        return directory
                .load(arn)
                .thenCompose(loaded -> {
                    Verdict v = decide(r);
                    if (v != null) {
                        return CompletableFuture.completedFuture(v);
                    }
                    AccessDirectory.Account account = directory.account(arn.account(), arn.region());
                    SessionTickets tickets = directory.tickets();
                    if (!r.master() || account == null || tickets == null) {
                        // Loaded, then forgotten again at once (a flood of names): let the viewer retry.
                        throw new AccessDenied(AccessDenied.TOKEN, "playback authorization is unavailable");
                    }
                    // Only a first-use claim is left: the token passed every other check.
                    TokenCache.Verified t = byToken(r, arn.toString(), account);
                    return directory
                            .claimSingleUse(
                                    arn, t.token().singleUse(), t.token().expSeconds())
                            .thenApply(first -> first
                                    ? admitted(r, t, tickets)
                                    : Verdict.deny(AccessDenied.token("single-use token was already used")));
                })
                .exceptionally(e -> Verdict.deny(
                        e.getCause() instanceof AccessDenied d
                                ? d
                                : new AccessDenied(AccessDenied.TOKEN, "playback authorization is unavailable")));
    }

    /** A token that passes every check but single use, with the key pair that signed it, or AccessDenied. */
    private TokenCache.Verified byToken(AccessRequest r, String channelArn, AccessDirectory.Account account) {
        if (r.token() == null || r.token().isEmpty()) {
            throw AccessDenied.token("token contains an invalid number of segments");
        }
        long now = clock.millis() / 1000;
        TokenCache.Verified v = cache.get(r.token());
        if (v == null || !account.keyArns().contains(v.keyArn())) {
            v = verify(r.token(), account, now);
        }
        PlaybackToken t = v.token();
        if (!t.channelArn().equals(channelArn)) {
            throw AccessDenied.token("token is not valid for this channel");
        }
        if (t.expSeconds() <= now) {
            throw AccessDenied.token("token is expired");
        }
        if ((t.viewerId() != null || t.singleUse() != null) && t.expSeconds() > now + SHORT_TOKEN_SECONDS) {
            throw AccessDenied.token("token with aws:viewer-id or aws:single-use-uuid must expire within 10 minutes");
        }
        if (t.viewerId() != null) {
            Long revoked = account.revoked().get(Lookups.viewerRevocation(channelArn, t.viewerId()));
            if (revoked != null && t.sessionVersion() <= revoked) {
                throw AccessDenied.token("viewer session was revoked");
            }
        }
        if (t.origins() != null && !OriginPatterns.any(t.origins())) {
            checkOrigin(r, t.origins(), t.strictOrigin(), AccessDenied.TOKEN);
        }
        return v;
    }

    /**
     * A media playlist, segment or part: allowed only with a ticket the multivariant playlist (or
     * a media playlist) issued, whose limits hold now. One HMAC, no store access.
     */
    private Verdict byTicket(
            AccessRequest r, String channelArn, AccessDirectory.Account account, SessionTickets tickets) {
        if (r.ticket() == null || r.ticket().isEmpty()) {
            throw missingTicket(r);
        }
        SessionTickets.Claims c = tickets.verify(r.channelName(), r.ticket());
        long now = clock.millis() / 1000;
        if (c.expSeconds() <= now) {
            throw AccessDenied.token("playback ticket is expired: reload the multivariant playlist");
        }
        if (!account.hasKeyId(c.keyId())) {
            throw AccessDenied.token("token signature is invalid"); // its key pair was deleted
        }
        if (c.viewerId() != null) {
            Long revoked = account.revoked().get(Lookups.viewerRevocation(channelArn, c.viewerId()));
            if (revoked != null && c.sessionVersion() <= revoked) {
                throw AccessDenied.token("viewer session was revoked");
            }
        }
        if (c.origins() != null && !OriginPatterns.any(c.origins())) {
            checkOrigin(r, c.origins(), c.strictOrigin(), AccessDenied.TOKEN);
        }
        String own = "?ticket=" + r.ticket();
        String children = r.playlist()
                ? "?ticket="
                        + tickets.issue(
                                r.channelName(),
                                new SessionTickets.Claims(
                                        now + SEGMENT_TICKET_SECONDS,
                                        c.keyId(),
                                        c.viewerId(),
                                        c.sessionVersion(),
                                        c.origins(),
                                        c.strictOrigin(),
                                        c.maxResolution()))
                : own;
        return new Verdict(null, corsOrigin(r, c.origins()), children, c.maxResolution(), own);
    }

    /** Without a ticket, a child URL is refused as a master playlist without a token is. */
    private static AccessDenied missingTicket(AccessRequest r) {
        return r.token() == null || r.token().isEmpty()
                ? AccessDenied.token("token contains an invalid number of segments")
                : AccessDenied.token("a playback token is accepted only on the multivariant playlist");
    }

    /**
     * The refusal for a name that is no channel, from the request alone (no store, no account), and
     * worded as a private channel's would be, so that it does not tell which names exist.
     */
    private static AccessDenied noSuchChannel(AccessRequest r, String channelArn) {
        if (!r.master()) {
            return r.ticket() == null || r.ticket().isEmpty()
                    ? missingTicket(r)
                    : AccessDenied.token("playback ticket is invalid");
        }
        if (r.token() == null || r.token().isEmpty()) {
            return AccessDenied.token("token contains an invalid number of segments");
        }
        PlaybackToken t = PlaybackToken.parse(r.token()); // throws its shape refusals
        return AccessDenied.token(
                t.channelArn().equals(channelArn)
                        ? "token signature is invalid"
                        : "token is not valid for this channel");
    }

    /** The expensive part, done once per token text: ECDSA against each of the account's key pairs. */
    private TokenCache.Verified verify(String text, AccessDirectory.Account account, long now) {
        PlaybackToken t = PlaybackToken.parse(text);
        for (AccessDirectory.KeyPair k : account.keys()) {
            if (t.signedBy(k.verifier())) {
                TokenCache.Verified v = new TokenCache.Verified(t.withoutJws(), k.arn());
                cache.put(text, v, now);
                return v;
            }
        }
        throw AccessDenied.token("token signature is invalid");
    }

    /** The multivariant playlist of an admitted viewer: its child URLs carry a ticket instead of the token. */
    private Verdict admitted(AccessRequest r, TokenCache.Verified v, SessionTickets tickets) {
        PlaybackToken t = v.token();
        String keyId = v.keyArn().substring(v.keyArn().lastIndexOf('/') + 1);
        String ticket = tickets.issue(
                r.channelName(),
                new SessionTickets.Claims(
                        t.expSeconds() + CHILD_GRACE_SECONDS,
                        keyId,
                        t.viewerId(),
                        t.sessionVersion(),
                        t.origins(),
                        t.strictOrigin(),
                        t.maxResolution()));
        return new Verdict(null, corsOrigin(r, t.origins()), "?ticket=" + ticket, t.maxResolution());
    }

    private Verdict byPolicy(AccessRequest r, AccessDirectory.Policy p) {
        if (!OriginPatterns.any(p.countries())) {
            String country = r.client() == null ? null : countries.country(r.client());
            if (country == null || !p.countries().contains(country)) {
                return Verdict.deny(new AccessDenied(AccessDenied.POLICY, "playback is not allowed from this country"));
            }
        }
        if (!OriginPatterns.any(p.origins())) {
            try {
                checkOrigin(r, p.origins(), p.strict(), AccessDenied.POLICY);
            } catch (AccessDenied d) {
                return Verdict.deny(d);
            }
            return new Verdict(null, corsOrigin(r, p.origins()), "", null);
        }
        return Verdict.PUBLIC;
    }

    /**
     * Origins restrict browsers: a present Origin must match on the multivariant playlist (on every
     * request with strict enforcement), and strict enforcement also requires the header.
     */
    private static void checkOrigin(AccessRequest r, List<String> allowed, boolean strict, String code) {
        if (r.origin() == null) {
            if (strict) {
                throw new AccessDenied(code, "origin is required");
            }
        } else if ((r.master() || strict) && !OriginPatterns.matches(allowed, r.origin())) {
            throw new AccessDenied(code, "origin is not allowed");
        }
    }

    /** Echo the request's origin when allowed; otherwise name the first allowed one, which browsers will refuse. */
    private static String corsOrigin(AccessRequest r, List<String> allowed) {
        if (allowed == null || OriginPatterns.any(allowed)) {
            return "*";
        }
        if (r.origin() != null && OriginPatterns.matches(allowed, r.origin())) {
            return r.origin();
        }
        return allowed.get(0);
    }

    /** What the directory is asked about one channel name, derived once rather than per request. */
    private record ChannelKey(Arn arn, String arnText, String accountKey) {}

    /** Beyond this many names (anyone may ask for any well-formed name) the cache starts over. */
    private static final int MAX_KEYS = 16_384;

    private final ConcurrentHashMap<String, ChannelKey> keys = new ConcurrentHashMap<>();

    /** "{region}.{account}.channel.{id}" (already checked by the handler's parser) as what the directory knows it by. */
    private ChannelKey key(String name) {
        ChannelKey k = keys.get(name);
        if (k == null) {
            int a = name.indexOf('.');
            int c = name.indexOf('.', a + 1);
            Arn arn = new Arn(
                    name.substring(0, a),
                    name.substring(a + 1, c),
                    Arn.CHANNEL,
                    name.substring(name.indexOf('.', c + 1) + 1));
            k = new ChannelKey(arn, arn.toString(), AccessDirectory.accountKey(arn.account(), arn.region()));
            if (keys.size() >= MAX_KEYS) {
                keys.clear();
            }
            keys.put(name, k);
        }
        return k;
    }
}
