package io.openivs.server.recording;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Lets a plain HTTP player (ffprobe) read private S3 objects: each {@code GET /<bucket>/<key>}
 * is answered by fetching a URL presigned with the SDK's S3Presigner. Relative URIs in
 * playlists keep working because the relay keeps S3's path layout.
 */
final class PresigningRelay implements AutoCloseable {
    private final HttpServer server;
    private final S3Presigner presigner;
    private final HttpClient http = HttpClient.newHttpClient();

    PresigningRelay(URI s3Endpoint, String accessKey, String secretKey) throws Exception {
        presigner = S3Presigner.builder()
                .endpointOverride(s3Endpoint)
                .region(Region.US_EAST_1)
                .serviceConfiguration(
                        S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath().substring(1);
                int slash = path.indexOf('/');
                URI signed = presigner
                        .presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                                .getObjectRequest(
                                        g -> g.bucket(path.substring(0, slash)).key(path.substring(slash + 1))))
                        .url()
                        .toURI();
                HttpResponse<byte[]> r =
                        http.send(HttpRequest.newBuilder(signed).build(), HttpResponse.BodyHandlers.ofByteArray());
                exchange.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(r.body());
                }
            } catch (Exception e) {
                exchange.sendResponseHeaders(502, -1);
            }
        });
        server.start();
    }

    /** The relay's URL of an object. */
    String url(String bucket, String key) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + bucket + "/" + key;
    }

    @Override
    public void close() {
        server.stop(0);
        presigner.close();
    }
}
