package io.openivs.client.scenarios;

import io.openivs.client.IvsClient;
import io.openivs.client.IvsClientBuilder;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs {@link Scenarios} against a running openivs (or AWS). Off unless an endpoint is given:
 * <pre>
 * ./mvnw -q -pl client -am test -Dtest=LiveScenariosTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dopenivs.endpoint=http://localhost:8080 [-Dopenivs.region=us-west-2] \
 *     [-Dopenivs.accessKeyId=... -Dopenivs.secretAccessKey=...]
 * </pre>
 * Without keys the usual environment variables and profile files apply.
 */
@EnabledIfSystemProperty(named = "openivs.endpoint", matches = ".+")
class LiveScenariosTest {

    @TestFactory
    Stream<DynamicTest> scenarios() {
        IvsClientBuilder builder = IvsClient.builder()
                .endpoint(System.getProperty("openivs.endpoint"))
                .region(System.getProperty("openivs.region", "us-west-2"));
        String key = System.getProperty("openivs.accessKeyId");
        if (key != null) {
            builder.credentials(key, System.getProperty("openivs.secretAccessKey"));
        }
        IvsClient client = builder.build();
        return Scenarios.all().stream()
                .map(s -> DynamicTest.dynamicTest(s.name(), () -> s.run().accept(client)));
    }
}
