package io.openivs.server.recording;

import java.net.URI;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 API in the test JVM: S3Proxy over jclouds' in-memory blob store, path-style,
 * SigV4-authenticated (players read through {@link PresigningRelay}).
 * It can be stopped and started again on the same port with its objects intact.
 */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS_KEY = "s3-test-access";
    static final String SECRET_KEY = "s3-test-secret-0000000000000000000000";

    private final BlobStoreContext context;
    private final BlobStore blobs;
    private S3Proxy proxy;
    private int port;

    S3ProxyServer() throws Exception {
        context = ContextBuilder.newBuilder("transient")
                .credentials("identity", "credential")
                .build(BlobStoreContext.class);
        blobs = context.getBlobStore();
        start();
    }

    BlobStore blobs() {
        return blobs;
    }

    void createBucket(String name) {
        blobs.createContainerInLocation(null, name);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    synchronized void start() throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(blobs)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }
        port = proxy.getPort();
    }

    synchronized void stop() throws Exception {
        proxy.stop();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
