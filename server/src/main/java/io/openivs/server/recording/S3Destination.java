package io.openivs.server.recording;

import io.openivs.server.config.ServerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.UUID;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/** Any S3 API through the AWS SDK, path-style, with short time-outs: the uploader does the retrying. */
public final class S3Destination implements Destination {
    private final S3Client s3;
    private final String endpoint;

    public S3Destination(ServerConfig.RecordingStorage storage) {
        AwsCredentialsProvider credentials = storage.accessKey() != null && storage.secretKey() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(storage.accessKey(), storage.secretKey()))
                : DefaultCredentialsProvider.builder().build();
        this.endpoint = storage.s3Endpoint().toString();
        this.s3 = S3Client.builder()
                .endpointOverride(storage.s3Endpoint())
                .region(Region.of(storage.s3Region() == null ? "us-east-1" : storage.s3Region()))
                .forcePathStyle(true)
                // Plain signed bodies, checksums only where required: what every S3-compatible store accepts.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(
                        S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(20))
                        .build())
                .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD).apiCallTimeout(Duration.ofSeconds(60)))
                .build();
    }

    @Override
    public void put(String bucket, String key, byte[] body, String contentType) throws IOException {
        try {
            s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(body));
        } catch (SdkException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Writes and deletes a probe object: existence alone says nothing about permission to write. */
    @Override
    public void checkWritable(String bucket) throws IOException {
        String key = ".openivs-write-check-" + UUID.randomUUID();
        try {
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(new byte[0]));
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "S3 API at " + endpoint;
    }

    @Override
    public void close() {
        s3.close();
    }
}
