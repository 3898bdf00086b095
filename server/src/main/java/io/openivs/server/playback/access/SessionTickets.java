package io.openivs.server.playback.access;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Session tickets: what binds a private channel's media playlists, segments and parts to an
 * admission the cluster made at the multivariant playlist. The master playlist checks the token
 * (signature, exp, single use, ...) and writes a ticket into the child URLs it lists
 * ({@code ?ticket=}); children accept only a ticket, so a token never shown to the master, an
 * expired one or a spent single-use one plays nothing. A ticket is the token's lasting claims
 * (key pair, viewer id and session version, origins, maximum resolution) plus its own expiry and
 * the channel, signed with HMAC-SHA256 under a secret every node shares through the store:
 * checking one is one HMAC over a few dozen bytes, with no store access.
 *
 * <p>Layout (then base64url): version, exp (u32 seconds), flags (strict origin, resolution class,
 * viewer id present, origins present), [session version i64], key pair id (u8 length + UTF-8),
 * [viewer id (u8 + UTF-8)], [origins claim (u16 + UTF-8)], then the first 16 bytes of
 * HMAC-SHA256(secret, channel name || 0 || all of the above).
 */
final class SessionTickets {
    private static final byte VERSION = 1;
    private static final int MAC_BYTES = 16;
    private static final int STRICT = 1;
    private static final int VIEWER = 1 << 3;
    private static final int ORIGINS = 1 << 4;
    private static final int RESOLUTION_SHIFT = 1; // two bits: 0 none, else ordinal + 1
    /** Longest ticket text accepted; an origins claim near a token's whole length is the only way to get close. */
    static final int MAX_LENGTH = 12_000;

    /**
     * What a ticket carries.
     *
     * @param keyId the playback key pair's resource id (it must still exist)
     * @param origins the token's {@code aws:access-control-allow-origin} as listed, or null
     */
    record Claims(
            long expSeconds,
            String keyId,
            String viewerId,
            long sessionVersion,
            List<String> origins,
            boolean strictOrigin,
            ResolutionClass maxResolution) {}

    private final ThreadLocal<Mac> macs;

    SessionTickets(byte[] secret) {
        SecretKeySpec key = new SecretKeySpec(secret, "HmacSHA256");
        macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is unavailable", e);
            }
        });
    }

    /** A ticket for {@code channelName} ("{region}.{account}.channel.{id}") with these claims. */
    String issue(String channelName, Claims c) {
        byte[] key = utf8(c.keyId());
        byte[] viewer = c.viewerId() == null ? null : utf8(c.viewerId());
        byte[] origins = c.origins() == null ? null : utf8(String.join(",", c.origins()));
        if (key.length > 255 || viewer != null && viewer.length > 255 || origins != null && origins.length > 0xffff) {
            throw AccessDenied.token("token claims are too long");
        }
        ByteBuffer b = ByteBuffer.allocate(1
                + 4
                + 1
                + 1
                + key.length
                + (viewer == null ? 0 : 8 + 1 + viewer.length)
                + (origins == null ? 0 : 2 + origins.length)
                + MAC_BYTES);
        int flags = (c.strictOrigin() ? STRICT : 0)
                | (viewer != null ? VIEWER : 0)
                | (origins != null ? ORIGINS : 0)
                | (c.maxResolution() == null ? 0 : c.maxResolution().ordinal() + 1) << RESOLUTION_SHIFT;
        b.put(VERSION).putInt((int) Math.min(c.expSeconds(), 0xffffffffL)).put((byte) flags);
        if (viewer != null) {
            b.putLong(c.sessionVersion());
        }
        b.put((byte) key.length).put(key);
        if (viewer != null) {
            b.put((byte) viewer.length).put(viewer);
        }
        if (origins != null) {
            b.putShort((short) origins.length).put(origins);
        }
        int payload = b.position();
        b.put(mac(channelName, b.array(), payload), 0, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /**
     * The claims of a ticket issued for this channel by a node of this cluster, whatever its expiry
     * (the caller compares {@link Claims#expSeconds}).
     *
     * @throws AccessDenied when it is malformed, altered or for another channel
     */
    Claims verify(String channelName, String ticket) {
        byte[] bytes;
        try {
            if (ticket.length() > MAX_LENGTH) {
                throw new IllegalArgumentException();
            }
            bytes = Base64.getUrlDecoder().decode(ticket);
        } catch (IllegalArgumentException e) {
            throw AccessDenied.token("playback ticket is malformed");
        }
        int payload = bytes.length - MAC_BYTES;
        if (payload < 1 + 4 + 1 + 1 || bytes[0] != VERSION) {
            throw AccessDenied.token("playback ticket is malformed");
        }
        byte[] expected = mac(channelName, bytes, payload);
        int diff = 0; // constant time, as MessageDigest.isEqual, without copying both halves out
        for (int i = 0; i < MAC_BYTES; i++) {
            diff |= expected[i] ^ bytes[payload + i];
        }
        if (diff != 0) {
            throw AccessDenied.token("playback ticket is invalid");
        }
        // Signed by us: the layout is ours, so a short read can only mean a bug, reported as malformed.
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes, 0, payload);
            b.get();
            long exp = Integer.toUnsignedLong(b.getInt());
            int flags = b.get();
            boolean hasViewer = (flags & VIEWER) != 0;
            long version = hasViewer ? b.getLong() : 0;
            String keyId = string(b, b.get() & 0xff);
            String viewer = hasViewer ? string(b, b.get() & 0xff) : null;
            List<String> origins =
                    (flags & ORIGINS) != 0 ? OriginPatterns.split(string(b, b.getShort() & 0xffff)) : null;
            int res = flags >> RESOLUTION_SHIFT & 3;
            return new Claims(
                    exp,
                    keyId,
                    viewer,
                    version,
                    origins,
                    (flags & STRICT) != 0,
                    res == 0 ? null : ResolutionClass.values()[res - 1]);
        } catch (RuntimeException e) {
            throw AccessDenied.token("playback ticket is malformed");
        }
    }

    private byte[] mac(String channelName, byte[] bytes, int length) {
        Mac mac = macs.get();
        mac.update(channelName.getBytes(StandardCharsets.ISO_8859_1)); // the URL's grammar allows ASCII only
        mac.update((byte) 0);
        mac.update(bytes, 0, length);
        return mac.doFinal();
    }

    private static String string(ByteBuffer b, int length) {
        String s = new String(b.array(), b.position(), length, StandardCharsets.UTF_8);
        b.position(b.position() + length);
        return s;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
