package io.openivs.server.cli;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.openivs.server.resource.Arn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code openivs token}: a viewer token for a private channel, signed with a playback private key,
 * printed as the playback URL to open. The URL is {@code --playback-url} when given (the channel's
 * playbackUrl from GetChannel), else built from the ARN and {@code --public-host}/{@code --playback-port}
 * exactly as {@code openivs serve} builds playback URLs.
 */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "Mint a playback token (ES384 JWT) for a private channel and print the playback URL with it.")
public final class TokenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private static final Duration MAX_BOUND_TTL = Duration.ofMinutes(10);

    @Option(names = "--channel-arn", required = true, description = "The channel the token is for.")
    String channelArn;

    @Option(
            names = "--key",
            required = true,
            description = "Playback private key PEM (PKCS#8 from 'openivs keys generate', or SEC1 from openssl).")
    Path key;

    @Option(
            names = "--ttl",
            description = "Lifetime: 90s, 10m, 1h, 2d or ISO-8601 (PT1H) (default: 1h; 10m with --viewer-id or"
                    + " --single-use, whose tokens must expire within 10 minutes).")
    String ttl;

    @Option(names = "--viewer-id", description = "aws:viewer-id, for StartViewerSessionRevocation (max 40 chars).")
    String viewerId;

    @Option(names = "--viewer-session-version", description = "aws:viewer-session-version (default 0).")
    Long sessionVersion;

    @Option(
            names = "--allowed-origin",
            split = ",",
            description = "aws:access-control-allow-origin entries, e.g. https://*.example.com; repeatable.")
    List<String> origins;

    @Option(names = "--strict-origin", description = "aws:strict-origin-enforcement: Origin checked on every request.")
    boolean strictOrigin;

    @Option(names = "--single-use", description = "Add an aws:single-use-uuid: the URL starts playback once.")
    boolean singleUse;

    @Option(names = "--max-resolution", description = "aws:maximum-resolution: SD, HD or FULL_HD.")
    String maxResolution;

    @Option(
            names = "--playback-url",
            description = "The channel's playbackUrl; overrides --public-host/--playback-port.")
    String playbackUrl;

    @Option(
            names = "--public-host",
            defaultValue = "${env:OPENIVS_PUBLIC_HOST:-localhost}",
            description = "Server's public host, as given to serve [OPENIVS_PUBLIC_HOST] (default: ${DEFAULT-VALUE}).")
    String publicHost;

    @Option(
            names = "--playback-port",
            defaultValue = "${env:OPENIVS_PLAYBACK_PORT:-8081}",
            description = "Server's playback port [OPENIVS_PLAYBACK_PORT] (default: ${DEFAULT-VALUE}).")
    int playbackPort;

    @Option(names = "--token-only", description = "Print only the token.")
    boolean tokenOnly;

    @Override
    public Integer call() throws Exception {
        Arn arn = Arn.parse(channelArn);
        if (arn == null || !Arn.CHANNEL.equals(arn.type())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--channel-arn must be an IVS channel ARN");
        }
        // Tokens that name a viewer or are single-use must expire within 10 minutes (Amazon IVS User Guide,
        // "Distribute Playback Tokens"); the server refuses longer ones, so refuse to mint them.
        boolean shortLived = viewerId != null || singleUse;
        Duration life = ttl == null ? (shortLived ? MAX_BOUND_TTL : Duration.ofHours(1)) : duration(ttl);
        if (shortLived && life.compareTo(MAX_BOUND_TTL) > 0) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "--ttl " + ttl + ": a token with"
                            + " --viewer-id or --single-use must expire within 10 minutes (the server refuses it otherwise);"
                            + " use --ttl 10m or less");
        }
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .claim("aws:channel-arn", channelArn)
                // exp in seconds (JWT NumericDate); nimbus writes Dates as whole seconds.
                .expirationTime(new Date((System.currentTimeMillis() / 1000 + life.toSeconds()) * 1000));
        if (viewerId != null) {
            claims.claim("aws:viewer-id", viewerId);
        }
        if (sessionVersion != null) {
            claims.claim("aws:viewer-session-version", sessionVersion);
        }
        if (origins != null && !origins.isEmpty()) {
            claims.claim("aws:access-control-allow-origin", String.join(",", origins));
        }
        if (strictOrigin) {
            claims.claim("aws:strict-origin-enforcement", true);
        }
        if (singleUse) {
            claims.claim("aws:single-use-uuid", UUID.randomUUID().toString());
        }
        if (maxResolution != null) {
            claims.claim("aws:maximum-resolution", maxResolution);
        }
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES384)
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims.build());
        jwt.sign(new ECDSASigner(PemKeys.readPrivate(key)));
        String token = jwt.serialize();
        String base = playbackUrl != null
                ? playbackUrl
                : "http://" + publicHost + ":" + playbackPort + "/api/video/v1/" + arn.region() + "." + arn.account()
                        + ".channel." + arn.id() + ".m3u8";
        spec.commandLine()
                .getOut()
                .println(tokenOnly ? token : base + (base.contains("?") ? "&" : "?") + "token=" + token);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private Duration duration(String s) {
        try {
            if (s.startsWith("P") || s.startsWith("p")) {
                return Duration.parse(s);
            }
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            switch (Character.toLowerCase(s.charAt(s.length() - 1))) {
                case 's':
                    return Duration.ofSeconds(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 'h':
                    return Duration.ofHours(n);
                case 'd':
                    return Duration.ofDays(n);
                default:
                    break;
            }
        } catch (RuntimeException e) {
            // falls through to the usage error
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "--ttl must look like 90s, 10m, 1h, 2d or PT1H");
    }
}
