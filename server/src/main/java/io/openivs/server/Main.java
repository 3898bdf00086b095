package io.openivs.server;

import io.openivs.server.config.Credentials;
import io.openivs.server.config.Logging;
import io.openivs.server.config.ServerConfig;
import io.openivs.server.config.StartupFailure;
import io.openivs.server.net.AccessLog;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code openivs} command line. */
@Command(
        name = "openivs",
        mixinStandardHelpOptions = true,
        version = "openivs 0.1.0",
        description = "Self-hosted live video, wire-compatible with Amazon IVS.",
        subcommands = {
            Main.Serve.class,
            io.openivs.server.cli.KeysCommand.class,
            io.openivs.server.cli.TokenCommand.class
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args.length == 0 ? new String[] {"serve"} : args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(
            name = "serve",
            mixinStandardHelpOptions = true,
            description =
                    "Run the server. Every option also reads an OPENIVS_* environment variable (shown in brackets).")
    static final class Serve implements Callable<Integer> {
        @Option(
                names = "--bind",
                defaultValue = "${env:OPENIVS_BIND:-127.0.0.1}",
                description = "Address every listener binds to [OPENIVS_BIND] (default: ${DEFAULT-VALUE}).")
        String bind;

        @Option(
                names = "--public-host",
                defaultValue = "${env:OPENIVS_PUBLIC_HOST:-localhost}",
                description =
                        "Host name put in ingestEndpoint and playbackUrl [OPENIVS_PUBLIC_HOST] (default: ${DEFAULT-VALUE}).")
        String publicHost;

        @Option(
                names = "--api-port",
                defaultValue = "${env:OPENIVS_API_PORT:-8080}",
                description = "Control API port [OPENIVS_API_PORT] (default: ${DEFAULT-VALUE}).")
        int apiPort;

        @Option(
                names = "--playback-port",
                defaultValue = "${env:OPENIVS_PLAYBACK_PORT:-8081}",
                description = "HLS playback port [OPENIVS_PLAYBACK_PORT] (default: ${DEFAULT-VALUE}).")
        int playbackPort;

        @Option(
                names = "--rtmp-port",
                defaultValue = "${env:OPENIVS_RTMP_PORT:-1935}",
                description =
                        "Plain RTMP ingest port, for channels with insecureIngest [OPENIVS_RTMP_PORT] (default: ${DEFAULT-VALUE}).")
        int rtmpPort;

        @Option(
                names = "--rtmps-port",
                defaultValue = "${env:OPENIVS_RTMPS_PORT:-1936}",
                description = "RTMPS ingest port [OPENIVS_RTMPS_PORT] (default: ${DEFAULT-VALUE}).")
        int rtmpsPort;

        @Option(
                names = "--srt-port",
                defaultValue = "${env:OPENIVS_SRT_PORT:-9000}",
                description =
                        "SRT ingest port (UDP; MPEG-TS, the stream key as stream id, encrypted with the channel's"
                                + " srt.passphrase unless it has insecureIngest) [OPENIVS_SRT_PORT] (default: ${DEFAULT-VALUE}).")
        int srtPort;

        @Option(
                names = "--data-dir",
                defaultValue = "${env:OPENIVS_DATA_DIR:-./data}",
                description =
                        "Where the database, credentials and certificates live [OPENIVS_DATA_DIR] (default: ${DEFAULT-VALUE}).")
        Path dataDir;

        @Option(
                names = "--db-url",
                defaultValue = "${env:OPENIVS_DB_URL}",
                description =
                        "JDBC URL of the store; default SQLite in the data dir; jdbc:postgresql://... to share one database between nodes [OPENIVS_DB_URL].")
        String dbUrl;

        @Option(
                names = "--region",
                defaultValue = "${env:OPENIVS_REGION:-us-west-2}",
                description = "The AWS region this server answers as [OPENIVS_REGION] (default: ${DEFAULT-VALUE}).")
        String region;

        @Option(
                names = "--access-key",
                defaultValue = "${env:OPENIVS_ACCESS_KEY}",
                description = "API access key id [OPENIVS_ACCESS_KEY]; more keys in <data-dir>/credentials.")
        String accessKey;

        @Option(
                names = "--secret-key",
                defaultValue = "${env:OPENIVS_SECRET_KEY}",
                description = "API secret access key [OPENIVS_SECRET_KEY].")
        String secretKey;

        @Option(
                names = "--account-id",
                defaultValue = "${env:OPENIVS_ACCOUNT_ID:-123456789012}",
                description =
                        "Account of the key given by flags or generated [OPENIVS_ACCOUNT_ID] (default: ${DEFAULT-VALUE}).")
        String accountId;

        @Option(
                names = "--webhook",
                split = ",",
                defaultValue = "${env:OPENIVS_WEBHOOKS}",
                description =
                        "URL that receives every event as a JSON POST, at least once (owed deliveries kept in <data-dir>/webhook-outbox across restarts, retried for 24 h); repeatable [OPENIVS_WEBHOOKS, comma-separated].")
        java.util.List<java.net.URI> webhooks;

        @Option(
                names = "--webhook-secret",
                defaultValue = "${env:OPENIVS_WEBHOOK_SECRET}",
                description =
                        "Secret for the X-Openivs-Signature header (sha256=HMAC-SHA256 of the body) [OPENIVS_WEBHOOK_SECRET].")
        String webhookSecret;

        @Option(
                names = "--s3-endpoint",
                defaultValue = "${env:OPENIVS_S3_ENDPOINT}",
                description =
                        "S3 API that receives recordings (path-style addressing) [OPENIVS_S3_ENDPOINT]; without it "
                                + "each bucket is a folder under <data-dir>/recordings, served at the playback port under /recordings/.")
        java.net.URI s3Endpoint;

        @Option(
                names = "--s3-region",
                defaultValue = "${env:OPENIVS_S3_REGION:-us-east-1}",
                description = "Signing region of the S3 API [OPENIVS_S3_REGION] (default: ${DEFAULT-VALUE}).")
        String s3Region;

        @Option(
                names = "--s3-access-key",
                defaultValue = "${env:OPENIVS_S3_ACCESS_KEY}",
                description =
                        "S3 access key id [OPENIVS_S3_ACCESS_KEY]; default: AWS_ACCESS_KEY_ID and the usual AWS chain.")
        String s3AccessKey;

        @Option(
                names = "--s3-secret-key",
                defaultValue = "${env:OPENIVS_S3_SECRET_KEY}",
                description =
                        "S3 secret access key [OPENIVS_S3_SECRET_KEY]; default: AWS_SECRET_ACCESS_KEY and the usual AWS chain.")
        String s3SecretKey;

        @Option(
                names = "--geoip-db",
                defaultValue = "${env:OPENIVS_GEOIP_DB}",
                description =
                        "MaxMind GeoLite2/GeoIP2 Country or City database (.mmdb) for restriction policies' allowedCountries;"
                                + " without it only policies allowing every country let viewers in [OPENIVS_GEOIP_DB].")
        Path geoipDb;

        @Option(
                names = "--trust-forwarded-for",
                defaultValue = "${env:OPENIVS_TRUST_FORWARDED_FOR:-false}",
                description =
                        "Playback takes the viewer's address from X-Forwarded-For (first entry); enable only behind"
                                + " a proxy that sets it [OPENIVS_TRUST_FORWARDED_FOR] (default: ${DEFAULT-VALUE}).")
        boolean trustForwardedFor;

        @Option(
                names = "--transcode",
                negatable = true,
                defaultValue = "${env:OPENIVS_TRANSCODE:-true}",
                fallbackValue = "true",
                description =
                        "Transcode STANDARD and ADVANCED channels into IVS's renditions with the bundled ffmpeg;"
                                + " --no-transcode plays every channel's source only [OPENIVS_TRANSCODE] (default: ${DEFAULT-VALUE}).")
        boolean transcode;

        @Option(
                names = "--max-transcodes",
                defaultValue = "${env:OPENIVS_MAX_TRANSCODES:-2}",
                description =
                        "Streams transcoded at once; more play their source only [OPENIVS_MAX_TRANSCODES]"
                                + " (default: ${DEFAULT-VALUE}; each is an ffmpeg process decoding its source and encoding every rung).")
        int maxTranscodes;

        @Option(
                names = "--tls-cert",
                defaultValue = "${env:OPENIVS_TLS_CERT}",
                description = "PEM certificate chain, leaf first (e.g. certbot's fullchain.pem): RTMPS uses it, and"
                        + " playback and the API serve HTTPS with it. Checked every 10 s: a renewed file serves new"
                        + " connections without a restart [OPENIVS_TLS_CERT] (default: RTMPS self-signed, HTTP).")
        Path tlsCert;

        @Option(
                names = "--tls-key",
                defaultValue = "${env:OPENIVS_TLS_KEY}",
                description = "Its unencrypted PEM private key, PKCS#8, PKCS#1 or SEC1 (e.g. certbot's privkey.pem)"
                        + " [OPENIVS_TLS_KEY].")
        Path tlsKey;

        @Option(
                names = "--store-key",
                defaultValue = "${env:OPENIVS_STORE_KEY}",
                description = "Key sealing stream keys and other secrets in the database: 32 bytes in base64"
                        + " (openssl rand -base64 32). Every node on one database needs the same; prefer the"
                        + " environment over the flag, which others can see in the process list [OPENIVS_STORE_KEY]"
                        + " (default: <data-dir>/keys, made at first start).")
        String storeKey;

        @Option(
                names = "--metrics",
                negatable = true,
                defaultValue = "${env:OPENIVS_METRICS:-true}",
                fallbackValue = "true",
                description = "Serve Prometheus metrics at /metrics on the API port, without authentication"
                        + " (--no-metrics to turn off) [OPENIVS_METRICS] (default: ${DEFAULT-VALUE}).")
        boolean metrics;

        @Option(
                names = "--cluster-address",
                defaultValue = "${env:OPENIVS_CLUSTER_ADDRESS}",
                description = "host:port where the other nodes sharing --db-url reach this node's playback port for"
                        + " edge playback [OPENIVS_CLUSTER_ADDRESS] (default: --bind and --playback-port; this"
                        + " host's address when --bind is a wildcard).")
        String clusterAddress;

        @Option(
                names = "--cluster-secret",
                defaultValue = "${env:OPENIVS_CLUSTER_SECRET}",
                description = "Secret the nodes of a cluster present to each other's internal endpoint"
                        + " [OPENIVS_CLUSTER_SECRET] (default: one generated and kept in the shared database).")
        String clusterSecret;

        @Option(
                names = "--shutdown-grace",
                defaultValue = "${env:OPENIVS_SHUTDOWN_GRACE:-10}",
                description = "Seconds a stop (SIGTERM) gives live streams to end cleanly: playlists end with"
                        + " EXT-X-ENDLIST for connected viewers, sessions and recordings are ended with their events"
                        + " [OPENIVS_SHUTDOWN_GRACE] (default: ${DEFAULT-VALUE}).")
        int shutdownGrace;

        @Option(
                names = "--quota",
                split = ",",
                defaultValue = "${env:OPENIVS_QUOTAS}",
                paramLabel = "NAME=N",
                description = "Raise or lower a service quota, per account and region; repeatable [OPENIVS_QUOTAS,"
                        + " comma-separated]. Names and IVS's defaults: channels=5000, playback-key-pairs=3,"
                        + " recording-configurations=20, playback-restriction-policies=20, ad-configurations=100,"
                        + " put-metadata-per-channel=5, put-metadata-per-account=155 (requests per second).")
        java.util.Map<String, Integer> quota;

        @Option(
                names = "--log-level",
                defaultValue = "${env:OPENIVS_LOG_LEVEL:-info}",
                description = "error, warn, info, debug or trace [OPENIVS_LOG_LEVEL] (default: ${DEFAULT-VALUE}).")
        String logLevel;

        @Option(
                names = "--log-format",
                defaultValue = "${env:OPENIVS_LOG_FORMAT:-text}",
                description = "text (ISO-8601 UTC time, level, logger, message) or json (one object per line, the"
                        + " start-up banner included) [OPENIVS_LOG_FORMAT] (default: ${DEFAULT-VALUE}).")
        String logFormat;

        @Option(
                names = "--access-log",
                negatable = true,
                defaultValue = "${env:OPENIVS_ACCESS_LOG:-false}",
                fallbackValue = "true",
                description =
                        "Log each playback and API request: method, path without its query (tokens and"
                                + " signatures stay out), status, body bytes, duration [OPENIVS_ACCESS_LOG] (default: ${DEFAULT-VALUE}).")
        boolean accessLog;

        /** JSON lines: the banner goes through the log too, so every line of output is an object. */
        private boolean jsonLines;

        /** A line of the start-up banner: stdout as text, or a log event when the log is JSON lines. */
        private void say(String line) {
            if (jsonLines) {
                org.slf4j.LoggerFactory.getLogger("openivs").info(line);
            } else {
                System.out.println(line);
            }
        }

        @Override
        public Integer call() throws Exception {
            Logging.Format format;
            try {
                format = Logging.Format.valueOf(logFormat.toUpperCase(java.util.Locale.ROOT));
                Logging.configure(Logging.level(logLevel), format, AccessLog.LOGGER, accessLog);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this),
                        e.getMessage() != null && e.getMessage().startsWith("--")
                                ? e.getMessage()
                                : "--log-format " + logFormat + ": give text or json");
            }
            jsonLines = format == Logging.Format.JSON;
            if (shutdownGrace < 0) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--shutdown-grace must be 0 or more seconds");
            }
            if (!accountId.matches("[0-9]{12}")) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--account-id must be 12 digits");
            }
            checkDistinctPorts();
            Path data = dataDir.toAbsolutePath().normalize();
            ServerConfig.Quotas quotas;
            try {
                quotas = ServerConfig.Quotas.defaults().with(quota == null ? java.util.Map.of() : quota);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
            }
            String db = dbUrl == null || dbUrl.isBlank() ? "jdbc:sqlite:" + data.resolve("openivs.db") : dbUrl;
            ServerConfig cfg = new ServerConfig(
                    bind,
                    publicHost,
                    apiPort,
                    playbackPort,
                    rtmpPort,
                    rtmpsPort,
                    srtPort,
                    data,
                    db,
                    region,
                    quotas,
                    new ServerConfig.RecordingStorage(s3Endpoint, s3Region, s3AccessKey, s3SecretKey),
                    new ServerConfig.PlaybackAccess(geoipDb, trustForwardedFor),
                    new ServerConfig.Tls(tlsCert, tlsKey),
                    metrics,
                    new ServerConfig.Transcoding(transcode, maxTranscodes),
                    new ServerConfig.Cluster(
                            clusterAddress == null || clusterAddress.isBlank() ? null : clusterAddress.strip(),
                            clusterSecret == null || clusterSecret.isEmpty() ? null : clusterSecret),
                    storeKey == null || storeKey.isBlank() ? null : storeKey);
            if ((tlsCert == null) != (tlsKey == null)) {
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--tls-cert and --tls-key go together: give both, or neither");
            }
            Credentials creds;
            try {
                creds = Credentials.load(data, accessKey, secretKey, accountId);
            } catch (java.io.IOException e) {
                return failed(StartupFailure.dataDir(data, e));
            }
            java.util.List<io.openivs.server.events.EventSink> sinks = new java.util.ArrayList<>();
            if (webhooks != null) {
                for (java.net.URI url : webhooks) {
                    sinks.add(io.openivs.server.events.WebhookSink.inDataDir(url, webhookSecret, data));
                }
            }
            OpenIvsServer server;
            try {
                server = OpenIvsServer.start(cfg, creds, sinks);
            } catch (StartupFailure e) {
                return failed(e);
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                say("openivs: shutting down (live streams get up to " + shutdownGrace + " s to end)");
                                System.out.flush();
                                server.close(java.time.Duration.ofSeconds(shutdownGrace));
                                say("openivs: stopped");
                                System.out.flush();
                                stopped.countDown();
                            },
                            "openivs-shutdown"));
            say("openivs: store " + server.store().describe() + ", region " + region);
            if (!quotas.equals(ServerConfig.Quotas.defaults())) {
                java.util.List<String> changed = new java.util.ArrayList<>();
                java.util.Map<String, Integer> ivs =
                        ServerConfig.Quotas.defaults().asMap();
                quotas.asMap().forEach((name, value) -> {
                    if (!value.equals(ivs.get(name))) {
                        changed.add(name + "=" + value + " (IVS: " + ivs.get(name) + ")");
                    }
                });
                say("openivs: quotas " + String.join(", ", changed));
            }
            say(
                    geoipDb == null
                            ? "openivs: no GeoIP database (--geoip-db): restriction policies listing countries refuse every viewer"
                            : "openivs: viewer countries from " + geoipDb
                                    + (trustForwardedFor ? " (client address from X-Forwarded-For)" : ""));
            say(
                    transcode
                            ? "openivs: transcoding STANDARD/ADVANCED channels, " + maxTranscodes + " stream(s) at once"
                            : "openivs: WARNING: transcoding off (--no-transcode): STANDARD and ADVANCED channels play their source only");
            say("openivs: events to " + data.resolve(OpenIvsServer.EVENTS_FILE)
                    + (sinks.isEmpty() ? "" : " and " + sinks.size() + " webhook(s)"));
            for (String l : server.listening()) {
                say("openivs: listening: " + l);
            }
            if (creds.generated() != null && jsonLines) {
                // Log lines end up in collectors that many people read: the secret stays in its 0600 file.
                var g = creds.generated();
                say("openivs: generated an API key: access key ID " + g.accessKeyId() + ", its secret in "
                        + data.resolve(Credentials.FILE) + " (AWS_SECRET_ACCESS_KEY; not printed with --log-format"
                        + " json); the web console at " + cfg.httpScheme() + "://" + publicHost + ":"
                        + server.apiPort() + "/console/ signs in with it");
                creds.shown();
            } else if (creds.generated() != null) {
                var g = creds.generated();
                say("openivs: generated an API key (stored in " + data.resolve(Credentials.FILE) + "); use it with:");
                say("  export AWS_ACCESS_KEY_ID=" + g.accessKeyId());
                say("  export AWS_SECRET_ACCESS_KEY=" + g.secretKey());
                say("  export AWS_REGION=" + region);
                say("  export AWS_DEFAULT_REGION=" + region);
                say("  aws ivs list-channels --endpoint-url " + cfg.httpScheme() + "://" + publicHost + ":"
                        + server.apiPort());
                creds.shown();
            } else {
                say("openivs: " + creds.all().size() + " API key(s) configured");
            }
            say("openivs: web console " + cfg.httpScheme() + "://" + publicHost + ":" + server.apiPort()
                    + "/console/ (sign in with an API key)");
            say("openivs: ready");
            System.out.flush();
            stopped.await();
            return 0;
        }

        /** Each listener needs a port of its own (0 picks a free one); said before anything binds. */
        private void checkDistinctPorts() {
            java.util.Map<Integer, String> seen = new java.util.LinkedHashMap<>();
            String[][] ports = {
                {"--api-port", "" + apiPort},
                {"--playback-port", "" + playbackPort},
                {"--rtmp-port", "" + rtmpPort},
                {"--rtmps-port", "" + rtmpsPort}
            };
            // SRT listens on UDP: the same number as a TCP listener's does not collide.
            for (String[] p : ports) {
                int port = Integer.parseInt(p[1]);
                String other = port == 0 ? null : seen.putIfAbsent(port, p[0]);
                if (other != null) {
                    throw new CommandLine.ParameterException(
                            new CommandLine(this),
                            other + " and " + p[0] + " are both " + port + ": each listener needs a port of its own");
                }
            }
        }

        /** One line naming the option, the value and what to do; the stack trace at DEBUG. */
        private static int failed(StartupFailure e) {
            org.slf4j.LoggerFactory.getLogger(Main.class).debug("start-up failure", e);
            System.err.println("openivs: cannot start: " + e.getMessage());
            return 2;
        }
    }
}
