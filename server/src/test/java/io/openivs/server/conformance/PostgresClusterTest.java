package io.openivs.server.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.testing.TestServer;
import io.openivs.server.testing.TwoNodes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;
import software.amazon.awssdk.services.ivs.model.ServiceQuotaExceededException;

/** Two openivs nodes sharing one PostgreSQL database behave as one service. */
class PostgresClusterTest {
    @TempDir
    Path dir;

    TwoNodes nodes;
    TestServer a;
    TestServer b;

    @BeforeEach
    void start() throws Exception {
        nodes = new TwoNodes(dir);
        a = nodes.a;
        b = nodes.b;
    }

    @AfterEach
    void stop() {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void whatOneNodeWritesTheOtherServesAndUniquenessHoldsAcrossNodes() throws Exception {
        try (IvsClient onA = a.client(TestServer.ALICE);
                IvsClient onB = b.client(TestServer.ALICE)) {
            var created = onA.createChannel(r -> r.name("shared"));
            assertThat(onB.getChannel(r -> r.arn(created.channel().arn()))
                            .channel()
                            .name())
                    .isEqualTo("shared");
            onB.updateChannel(r -> r.arn(created.channel().arn()).name("renamed"));
            assertThat(onA.getChannel(r -> r.arn(created.channel().arn()))
                            .channel()
                            .name())
                    .isEqualTo("renamed");

            // Both nodes race to give key-less channels a second key: the database lets exactly one win each time.
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (int round = 0; round < 5; round++) {
                    String ch = onA.createChannel(r -> r.name("race")).channel().arn();
                    String key = onA.listStreamKeys(r -> r.channelArn(ch))
                            .streamKeys()
                            .get(0)
                            .arn();
                    onA.deleteStreamKey(r -> r.arn(key));
                    List<Callable<Boolean>> racers = new ArrayList<>();
                    for (IvsClient c : List.of(onA, onB, onA, onB)) {
                        racers.add(() -> {
                            try {
                                c.createStreamKey(r -> r.channelArn(ch));
                                return true;
                            } catch (ServiceQuotaExceededException e) {
                                return false;
                            }
                        });
                    }
                    int wins = 0;
                    for (Future<Boolean> f : pool.invokeAll(racers)) {
                        wins += f.get() ? 1 : 0;
                    }
                    assertThat(wins).isEqualTo(1);
                    assertThat(onB.listStreamKeys(r -> r.channelArn(ch)).streamKeys())
                            .hasSize(1);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
