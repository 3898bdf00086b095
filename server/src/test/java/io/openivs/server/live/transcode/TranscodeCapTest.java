package io.openivs.server.live.transcode;

import io.openivs.server.config.ServerConfig;
import io.openivs.server.testing.ServerFixture;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node whose transcoding slots are all taken (a cap of 0 here, so no ffmpeg child runs): a
 * STANDARD stream plays its source alone and its session says why in a Stream Failure event.
 */
class TranscodeCapTest {
    @RegisterExtension
    static final ServerFixture node = new ServerFixture(
            dir -> new TestServer(dir, TestDatabases.sqlite(dir), new ServerConfig.Transcoding(true, 0)));

    @Test
    void overTheCapAStandardStreamPlaysItsSourceOnlyAndSaysSo() throws Exception {
        SourceOnlyStreams.publishAndCheck(node, "capped");
    }
}
