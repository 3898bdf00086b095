package io.openivs.client;

import io.openivs.client.config.AwsEnvironment;
import io.openivs.client.config.SharedConfig;
import io.openivs.client.credentials.AwsCredentials;
import io.openivs.client.credentials.CredentialsProvider;
import io.openivs.client.credentials.DefaultCredentialsProvider;
import io.openivs.client.credentials.ProfileCredentialsProvider;
import io.openivs.client.transport.HttpTransport;
import io.openivs.client.transport.RetryPolicy;
import io.openivs.model.ServiceModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of an {@link IvsClient} or {@link IvsAsyncClient}. Everything has a default:
 * <ul>
 *   <li>region: {@link #region}, else AWS_REGION, AWS_DEFAULT_REGION, the profile's {@code region};</li>
 *   <li>endpoint: {@link #endpoint}, else AWS_ENDPOINT_URL_IVS, AWS_ENDPOINT_URL,
 *       {@code https://ivs.{region}.amazonaws.com};</li>
 *   <li>credentials: {@link #credentials}, else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else
 *       the profile (AWS_PROFILE or "default", or {@link #profile}) in AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE
 *       or {@code ~/.aws/credentials} / {@code ~/.aws/config}; read when the first request is signed;</li>
 *   <li>timeouts: 10 s to connect, 30 s per attempt; retries: {@link RetryPolicy#defaults()}.</li>
 * </ul>
 */
public final class IvsClientBuilder {

    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final String USER_AGENT =
            "openivs-client java/" + Runtime.version().feature();

    private String region;
    private URI endpoint;
    private CredentialsProvider credentials;
    private String profile;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private HttpClient httpClient;
    private Clock clock = Clock.systemUTC();
    private AwsEnvironment environment;

    IvsClientBuilder() {}

    /** The AWS region, e.g. "us-west-2": the signing region, and the default endpoint's. */
    public IvsClientBuilder region(String region) {
        this.region = region == null ? null : checkRegion(region);
        return this;
    }

    /** Where to send requests instead of AWS, e.g. {@code http://localhost:8080} for a local openivs. */
    public IvsClientBuilder endpoint(URI endpoint) {
        this.endpoint = endpoint;
        return this;
    }

    public IvsClientBuilder endpoint(String endpoint) {
        return endpoint(endpoint == null ? null : URI.create(endpoint));
    }

    public IvsClientBuilder credentials(String accessKeyId, String secretAccessKey) {
        return credentials(AwsCredentials.of(accessKeyId, secretAccessKey));
    }

    public IvsClientBuilder credentials(AwsCredentials credentials) {
        return credentialsProvider(CredentialsProvider.of(credentials));
    }

    public IvsClientBuilder credentialsProvider(CredentialsProvider credentials) {
        this.credentials = credentials;
        return this;
    }

    /** A profile of the shared files to take credentials and region from, instead of AWS_PROFILE's. */
    public IvsClientBuilder profile(String profile) {
        this.profile = profile;
        return this;
    }

    /** The limit on opening a connection (ignored with {@link #httpClient}, which brings its own). */
    public IvsClientBuilder connectTimeout(Duration connectTimeout) {
        this.connectTimeout = positive(connectTimeout, "connectTimeout");
        return this;
    }

    /** The limit on one attempt, from sending the request to the end of the response. */
    public IvsClientBuilder requestTimeout(Duration requestTimeout) {
        this.requestTimeout = positive(requestTimeout, "requestTimeout");
        return this;
    }

    public IvsClientBuilder retryPolicy(RetryPolicy retryPolicy) {
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        return this;
    }

    /** Attempts in all (1 = no retries), keeping the policy's delays. */
    public IvsClientBuilder maxAttempts(int maxAttempts) {
        this.retryPolicy = RetryPolicy.of(maxAttempts, retryPolicy.baseDelay(), retryPolicy.maxBackoff());
        return this;
    }

    /** An HTTP client to share (proxy, TLS or executor settings); by default each client makes its own. */
    public IvsClientBuilder httpClient(HttpClient httpClient) {
        this.httpClient = httpClient;
        return this;
    }

    /** The clock that dates signatures; tests fix it, everyone else keeps the system clock. */
    public IvsClientBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** Where environment variables and profile files are looked up; the process's by default. */
    public IvsClientBuilder environment(AwsEnvironment environment) {
        this.environment = environment;
        return this;
    }

    /**
     * @throws IllegalStateException if no region is configured anywhere
     */
    public IvsClient build() {
        return new IvsClient(invoker());
    }

    /** As {@link #build()}, for the CompletableFuture flavour. */
    public IvsAsyncClient buildAsync() {
        return new IvsAsyncClient(invoker());
    }

    private Invoker invoker() {
        AwsEnvironment env = environment != null ? environment : AwsEnvironment.system();
        String resolvedRegion = region;
        if (resolvedRegion == null) {
            resolvedRegion = (profile != null ? SharedConfig.load(env, profile) : SharedConfig.load(env)).region();
        }
        if (resolvedRegion == null) {
            throw new IllegalStateException("No AWS region: call region(...), set AWS_REGION, or set region in the "
                    + "profile of " + env.configFile());
        }
        checkRegion(resolvedRegion);

        URI resolvedEndpoint = endpoint;
        if (resolvedEndpoint == null) {
            String fromEnv = env.get("AWS_ENDPOINT_URL_IVS");
            if (fromEnv == null) {
                fromEnv = env.get("AWS_ENDPOINT_URL");
            }
            resolvedEndpoint =
                    URI.create(fromEnv != null ? fromEnv : "https://ivs." + resolvedRegion + ".amazonaws.com");
        }

        CredentialsProvider resolvedCredentials = credentials;
        if (resolvedCredentials == null) {
            resolvedCredentials = profile != null
                    ? new ProfileCredentialsProvider(env, profile)
                    : new DefaultCredentialsProvider(env, null);
        }

        HttpClient http = httpClient != null
                ? httpClient
                : HttpClient.newBuilder()
                        .connectTimeout(connectTimeout)
                        // Plain HTTP/1.1: no h2c upgrade dance with local servers, and IVS needs nothing more.
                        .version(HttpClient.Version.HTTP_1_1)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();

        ServiceModel model = ServiceModel.ivs();
        return new Invoker(
                model,
                new HttpTransport(new HttpTransport.Settings(
                        resolvedEndpoint,
                        resolvedRegion,
                        model.signingName(),
                        resolvedCredentials,
                        retryPolicy,
                        requestTimeout,
                        http,
                        clock,
                        USER_AGENT)));
    }

    /** The region lands in the default endpoint's host name: nothing but a plain name may get there. */
    private static String checkRegion(String region) {
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("Not a region name: " + region);
        }
        return region;
    }

    private static Duration positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
        return d;
    }
}
