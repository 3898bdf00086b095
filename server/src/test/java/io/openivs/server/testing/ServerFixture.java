package io.openivs.server.testing;

import io.openivs.server.auth.CredentialStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.CreateChannelResponse;

/**
 * One {@link TestServer} shared by the tests of a class, on a fresh SQLite database in its own temporary
 * folder, with an AWS SDK client signed as {@link TestServer#ALICE} and an executor for background
 * publishers; all of it is closed and deleted after the class. Register it on a static field:
 * <pre>{@code @RegisterExtension static final ServerFixture node = new ServerFixture();}</pre>
 * Static registration runs it before the class's own {@code @BeforeAll} and after its {@code @AfterAll}.
 */
public final class ServerFixture implements BeforeAllCallback, AfterAllCallback {
    /** Starts the node in {@code dir}, for classes that need other server options. */
    @FunctionalInterface
    public interface Starter {
        TestServer start(Path dir) throws Exception;
    }

    private final Starter starter;
    // Made with the fixture, not in beforeAll: helpers of one class may publish from another's tests.
    private final ExecutorService background = Executors.newCachedThreadPool();
    private final List<IvsClient> clients = new ArrayList<>();
    private Consumer<ClientOverrideConfiguration.Builder> ivsOverride = o -> {};
    private Path dir;
    private TestServer server;
    private IvsClient ivs;

    /** A node with default options on SQLite. */
    public ServerFixture() {
        this(dir -> new TestServer(dir, TestDatabases.sqlite(dir)));
    }

    public ServerFixture(Starter starter) {
        this.starter = starter;
    }

    /** Overrides the configuration of the {@link #ivs()} client, e.g. its retry policy. */
    public ServerFixture ivsOverride(Consumer<ClientOverrideConfiguration.Builder> override) {
        this.ivsOverride = override;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("openivs-test-");
        server = starter.start(dir);
        ivs = client(TestServer.ALICE, ivsOverride);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        background.shutdownNow();
        clients.forEach(IvsClient::close);
        clients.clear();
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The node's data folder, also free for a test's own files. */
    public Path dir() {
        return dir;
    }

    public TestServer server() {
        return server;
    }

    /** An AWS SDK v2 client of the node, as {@link TestServer#ALICE}. */
    /** Where a publisher sends the stream of {@code channel} over RTMP. */
    public String rtmpUrl(CreateChannelResponse channel) {
        return "rtmp://127.0.0.1:" + server().server().rtmpPort() + "/app/"
                + channel.streamKey().value();
    }

    public IvsClient ivs() {
        return ivs;
    }

    /** Another client of the node, closed with it. */
    public IvsClient client(CredentialStore.Credential who) {
        return client(who, o -> {});
    }

    private IvsClient client(CredentialStore.Credential who, Consumer<ClientOverrideConfiguration.Builder> override) {
        IvsClient c = server.client(who, override);
        clients.add(c);
        return c;
    }

    /** Runs background work (ffmpeg publishers) of the class; stopped after the class. */
    public ExecutorService background() {
        return background;
    }
}
