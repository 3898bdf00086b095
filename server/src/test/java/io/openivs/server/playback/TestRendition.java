package io.openivs.server.playback;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.openivs.server.media.hls.Segment;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A live rendition for playback tests: a TS stream with 2 s segments whose owner runs tasks at once,
 * with the window read through {@code window} each time (tests publish new ones).
 */
final class TestRendition implements LiveRendition {
    private final List<Segment> segments;
    private final Supplier<PlaybackWindow> window;
    private final Runnable ownerAsked;
    private final Consumer<InetAddress> viewers;

    TestRendition(
            List<Segment> segments,
            Supplier<PlaybackWindow> window,
            Runnable ownerAsked,
            Consumer<InetAddress> viewers) {
        this.segments = segments;
        this.window = window;
        this.ownerAsked = ownerAsked;
        this.viewers = viewers;
    }

    @Override
    public EventExecutor owner() {
        ownerAsked.run();
        return ImmediateEventExecutor.INSTANCE;
    }

    @Override
    public boolean ended() {
        return false;
    }

    @Override
    public List<Segment> segments() {
        return segments;
    }

    @Override
    public int targetDurationSeconds() {
        return 2;
    }

    @Override
    public PlaybackWindow window() {
        return window.get();
    }

    @Override
    public void viewer(InetAddress address) {
        viewers.accept(address);
    }
}
