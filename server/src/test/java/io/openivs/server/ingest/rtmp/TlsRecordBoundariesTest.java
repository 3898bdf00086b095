package io.openivs.server.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class TlsRecordBoundariesTest {

    private static byte[] record(int bodyLength) {
        byte[] r = new byte[5 + bodyLength];
        r[0] = 23; // application data
        r[1] = 3;
        r[2] = 3;
        r[3] = (byte) (bodyLength >> 8);
        r[4] = (byte) bodyLength;
        return r;
    }

    @Test
    void countsTheBytesToTheEndOfTheRecordInProgressWhereverReadsSplitIt() throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.write(record(300));
        stream.write(record(0));
        stream.write(record(16_401));
        byte[] bytes = stream.toByteArray();
        int[] recordEnds = {305, 310, bytes.length};

        TlsRecordBoundaries records = new TlsRecordBoundaries();
        EmbeddedChannel channel = new EmbeddedChannel(records);
        int fed = 0;
        for (int piece : new int[] {1, 2, 1, 250, 52, 3, 2, 4, 1, 9000, 7400}) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, fed, piece));
            fed += piece;
            int at = fed;
            int nextEnd = java.util.Arrays.stream(recordEnds)
                    .filter(e -> e >= at)
                    .findFirst()
                    .orElseThrow();
            if (nextEnd == fed) {
                assertThat(records.bytesToRecordEnd())
                        .as("after %d bytes: at a boundary", fed)
                        .isZero();
            } else {
                assertThat(records.bytesToRecordEnd())
                        .as("after %d bytes", fed)
                        .isPositive()
                        .isLessThanOrEqualTo(nextEnd - fed);
            }
            ByteBuf passed = channel.readInbound();
            assertThat(passed.readableBytes()).as("passed on untouched").isEqualTo(piece);
            passed.release();
        }
        assertThat(fed).isEqualTo(bytes.length);
        // Inside a body the count is exact.
        channel.writeInbound(Unpooled.wrappedBuffer(record(100), 0, 40));
        assertThat(records.bytesToRecordEnd()).isEqualTo(65);
        channel.finishAndReleaseAll();
    }
}
