package io.openivs.server.ingest.rtmp;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A publish session that records what it is told, for assertions from the test thread. */
final class RecordingSession implements PublishSession {
    /** One audio or video tag body: its timestamp, its first two bytes (codec and packet type) and its size. */
    record Tag(long timestamp, int byte0, int byte1, int size) {}

    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<Map<String, Object>> metadata = new ArrayList<>();
    private final List<Tag> audio = new ArrayList<>();
    private final List<Tag> video = new ArrayList<>();
    private final List<String> closedReasons = new ArrayList<>();
    private volatile PublisherControl control;

    @Override
    public void started(PublisherControl control) {
        this.control = control;
        started.countDown();
    }

    @Override
    public synchronized void onMetadata(Map<String, Object> m) {
        metadata.add(m);
    }

    @Override
    public synchronized void onAudio(long timestampMs, ByteBuf body) {
        audio.add(tag(timestampMs, body));
    }

    @Override
    public synchronized void onVideo(long timestampMs, ByteBuf body) {
        video.add(tag(timestampMs, body));
    }

    @Override
    public synchronized void closed(String reason) {
        closedReasons.add(reason);
        closed.countDown();
    }

    private static Tag tag(long ts, ByteBuf body) {
        int i = body.readerIndex();
        return new Tag(
                ts,
                body.getUnsignedByte(i),
                body.readableBytes() > 1 ? body.getUnsignedByte(i + 1) : -1,
                body.readableBytes());
    }

    boolean awaitStarted(long millis) throws InterruptedException {
        return started.await(millis, TimeUnit.MILLISECONDS);
    }

    boolean awaitClosed(long millis) throws InterruptedException {
        return closed.await(millis, TimeUnit.MILLISECONDS);
    }

    boolean wasStarted() {
        return started.getCount() == 0;
    }

    PublisherControl control() {
        return control;
    }

    synchronized List<Map<String, Object>> metadata() {
        return new ArrayList<>(metadata);
    }

    synchronized List<Tag> audio() {
        return new ArrayList<>(audio);
    }

    synchronized List<Tag> video() {
        return new ArrayList<>(video);
    }

    synchronized List<String> closedReasons() {
        return new ArrayList<>(closedReasons);
    }
}
