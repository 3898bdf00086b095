package io.openivs.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkGlobalTime;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.IvsException;

/** The real IVS SDK client over real HTTP to a Netty server that verifies on its event loop. */
class SigV4SdkRoundTripTest {
    static final String AKID = SigV4VerifierTest.AKID;
    static final String SECRET = SigV4VerifierTest.SECRET;
    static final String ARN = SigV4VerifierTest.ARN;
    static final ObjectMapper JSON = new ObjectMapper();

    record Seen(Principal principal, String method, String uri) {}

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final CredentialStore store =
            id -> AKID.equals(id) ? new CredentialStore.Credential(AKID, SECRET, SigV4VerifierTest.ACCOUNT) : null;
    EventLoopGroup group;
    Channel server;

    @BeforeEach
    @AfterEach
    void resetSdkClockOffset() {
        // The SDK keeps its clock-skew correction JVM-wide; leave none behind for other tests.
        SdkGlobalTime.setGlobalTimeOffset(0);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void sdkCallsAreAccepted() throws Exception {
        URI endpoint = start(Clock.systemUTC());
        try (IvsClient ivs = client(endpoint, SECRET, false)) {
            ivs.createChannel(r -> r.name("my-channel"));
            ivs.listTagsForResource(r -> r.resourceArn(ARN));
            ivs.untagResource(r -> r.resourceArn(ARN).tagKeys("a", "b"));
        }

        Principal caller = new Principal(AKID, SigV4VerifierTest.ACCOUNT);
        assertThat(seen)
                .containsExactly(
                        new Seen(caller, "POST", "/CreateChannel"),
                        new Seen(
                                caller,
                                "GET",
                                "/tags/arn%3Aaws%3Aivs%3Aus-west-2%3A123456789012%3Achannel%2FAbCdEf123456"),
                        new Seen(
                                caller,
                                "DELETE",
                                "/tags/arn%3Aaws%3Aivs%3Aus-west-2%3A123456789012%3Achannel%2FAbCdEf123456?tagKeys=a&tagKeys=b"));
    }

    @Test
    void sdkReportsWrongSecretAsInvalidSignature() throws Exception {
        URI endpoint = start(Clock.systemUTC());
        IvsException e;
        try (IvsClient ivs = client(endpoint, "not-the-secret", false)) {
            e = catchThrowableOfType(() -> ivs.listTagsForResource(r -> r.resourceArn(ARN)), IvsException.class);
        }

        assertThat(e).isNotNull();
        assertThat(e.statusCode()).isEqualTo(403);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidSignatureException");
        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo(SigV4Verifier.SIGNATURE_MISMATCH);
        assertThat(seen).isEmpty();
    }

    @Test
    void sdkReportsUnknownKeyAsUnrecognizedClient() throws Exception {
        URI endpoint = start(Clock.systemUTC());
        IvsException e;
        try (IvsClient ivs = IvsClient.builder()
                .region(Region.US_WEST_2)
                .endpointOverride(endpoint)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAUNKNOWN000000000", SECRET)))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.retryStrategy(DefaultRetryStrategy.doNotRetry()))
                .build()) {
            e = catchThrowableOfType(() -> ivs.createChannel(r -> r.name("x")), IvsException.class);
        }

        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnrecognizedClientException");
        assertThat(e.statusCode()).isEqualTo(403);
    }

    @Test
    void sdkCorrectsItsClockFromTheSkewRefusalAndRetries() throws Exception {
        // The server's clock is 20 minutes ahead of the client's: the first attempt is refused as expired, the SDK
        // recognises the refusal, takes the offset from the response's Date header and signs the retry with it.
        URI endpoint = start(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(20)));
        try (IvsClient ivs = client(endpoint, SECRET, true)) {
            ivs.listTagsForResource(r -> r.resourceArn(ARN));
        }

        assertThat(seen).hasSize(1);
        assertThat(SdkGlobalTime.getGlobalTimeOffset())
                .as("SDK clock correction, seconds")
                .isBetween(-1210, -1190);
    }

    private IvsClient client(URI endpoint, String secret, boolean retries) {
        return IvsClient.builder()
                .region(Region.US_WEST_2)
                .endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(AKID, secret)))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> {
                    if (!retries) {
                        c.retryStrategy(DefaultRetryStrategy.doNotRetry());
                    }
                })
                .build();
    }

    /** Starts a server answering as the API layer would: {} on success, AWS's error shape on refusal. */
    private URI start(Clock serverClock) throws InterruptedException {
        SigV4Verifier verifier = new SigV4Verifier(store, "us-west-2", "ivs", serverClock);
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(
                                        new HttpServerCodec(),
                                        new HttpObjectAggregator(1 << 20),
                                        new SimpleChannelInboundHandler<FullHttpRequest>() {
                                            @Override
                                            protected void channelRead0(
                                                    ChannelHandlerContext ctx, FullHttpRequest request)
                                                    throws Exception {
                                                FullHttpResponse response;
                                                try {
                                                    Principal principal = verifier.verify(
                                                            request.method().name(),
                                                            request.uri(),
                                                            request.headers(),
                                                            request.content());
                                                    seen.add(new Seen(
                                                            principal,
                                                            request.method().name(),
                                                            request.uri()));
                                                    String body =
                                                            request.uri().startsWith("/tags/") ? "{\"tags\":{}}" : "{}";
                                                    response = response(HttpResponseStatus.OK, body);
                                                } catch (AuthException e) {
                                                    response = response(
                                                            HttpResponseStatus.valueOf(e.status()),
                                                            JSON.writeValueAsString(Map.of("message", e.getMessage())));
                                                    response.headers().set("x-amzn-ErrorType", e.errorCode());
                                                }
                                                response.headers()
                                                        .set(
                                                                HttpHeaderNames.DATE,
                                                                DateFormatter.format(new Date(serverClock.millis())));
                                                boolean keepAlive = HttpUtil.isKeepAlive(request);
                                                HttpUtil.setKeepAlive(response, keepAlive);
                                                var written = ctx.writeAndFlush(response);
                                                if (!keepAlive) {
                                                    written.addListener(ChannelFutureListener.CLOSE);
                                                }
                                            }
                                        });
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
        return URI.create("http://127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort());
    }

    private static FullHttpResponse response(HttpResponseStatus status, String json) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }
}
