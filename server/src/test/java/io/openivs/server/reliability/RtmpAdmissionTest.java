package io.openivs.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, items 1 and 4 (RTMP side): an address may hold only a few connections that are not publishing, none
 * of them for long, and wrong stream keys are answered ever more slowly. Default limits: 16 such connections
 * per address, 20 s to an authorised publish, 250 ms more delay per recent refusal.
 */
@Tag("reliability")
class RtmpAdmissionTest {
    private static final int PER_ADDRESS = 16;

    @Test
    void anAddressHoldsABoundedNumberOfConnectionsNotPublishing() throws Exception {
        try (RefusingRtmpServer server = new RefusingRtmpServer()) {
            List<RawRtmpClient> held = new ArrayList<>();
            try {
                for (int i = 0; i < PER_ADDRESS; i++) {
                    held.add(new RawRtmpClient(server.port).handshake());
                }
                try (RawRtmpClient extra = new RawRtmpClient(server.port)) {
                    assertThat(extra.closedByServerWithin(2000))
                            .as("connection beyond the per-address cap closed")
                            .isTrue();
                }
                assertThat(held.get(0).closedByServerWithin(300))
                        .as("connections within the cap stay")
                        .isFalse();
            } finally {
                for (RawRtmpClient c : held) {
                    c.close();
                }
            }
            // Their slots are free again once the server has seen them go.
            for (int i = 0; i < 50 && server.openConnections() > 0; i++) {
                Thread.sleep(100);
            }
            try (RawRtmpClient again = new RawRtmpClient(server.port)) {
                again.handshake();
                assertThat(again.closedByServerWithin(300)).isFalse();
            }
        }
    }

    @Test
    void aConnectionThatNeverPublishesIsClosed() throws Exception {
        try (RefusingRtmpServer server = new RefusingRtmpServer();
                RawRtmpClient idle = new RawRtmpClient(server.port).handshake()) {
            // Connected, then an Acknowledgement now and then (so no read timeout fires) and never a publish.
            idle.send(RawRtmpClient.message(
                    3,
                    RawRtmpClient.COMMAND_AMF0,
                    0,
                    RawRtmpClient.command("connect", 1, java.util.Map.of("app", "app"))));
            long start = System.nanoTime();
            boolean closed = false;
            while (!closed && System.nanoTime() - start < 28_000_000_000L) {
                idle.send(RawRtmpClient.message(2, 3, 0, new byte[4]));
                closed = idle.closedByServerWithin(5000);
            }
            assertThat(closed).as("closed within 28 s without publishing").isTrue();
        }
    }

    @Test
    void wrongKeysAreAnsweredEverMoreSlowly() throws Exception {
        try (RefusingRtmpServer server = new RefusingRtmpServer()) {
            long start = System.nanoTime();
            for (int i = 0; i < 4; i++) {
                try (RawRtmpClient c = new RawRtmpClient(server.port).handshake()) {
                    c.connectAndPublish("app", "guess-" + i);
                    assertThat(c.closedByServerWithin(5000))
                            .as("refused publish closes")
                            .isTrue();
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            // 250 + 500 + 750 + 1000 ms of delay; on main the four guesses take a few milliseconds.
            assertThat(millis).as("time for four wrong keys").isGreaterThanOrEqualTo(2400);
        }
    }
}
