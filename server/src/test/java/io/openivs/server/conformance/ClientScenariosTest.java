package io.openivs.server.conformance;

import io.openivs.client.IvsClient;
import io.openivs.client.scenarios.Scenarios;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * openivs's own Java client against a real in-process openivs: the client
 * module's scenarios (every operation family, typed errors, every paginator
 * form over 250 channels at 7 per page), not a copy of them.
 */
class ClientScenariosTest {
    @TempDir
    static Path dir;

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer(dir, TestDatabases.sqlite(dir));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @TestFactory
    Stream<DynamicTest> scenarios() {
        IvsClient client = IvsClient.builder()
                .region(TestServer.REGION)
                .endpoint(server.endpoint())
                .credentials(TestServer.ALICE.accessKeyId(), TestServer.ALICE.secretKey())
                .build();
        return Scenarios.all().stream()
                .map(s -> DynamicTest.dynamicTest(s.name(), () -> s.run().accept(client)));
    }
}
