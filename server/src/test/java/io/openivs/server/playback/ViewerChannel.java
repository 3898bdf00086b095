package io.openivs.server.playback;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.openivs.server.playback.access.AccessGate;
import io.openivs.server.playback.access.AccessRequest;
import io.openivs.server.playback.access.Verdict;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** A viewer's connection to playback without sockets: the server's pipeline on an embedded channel. */
final class ViewerChannel {
    private ViewerChannel() {}

    /** @param verdict what the access gate decides for every request, read at each one (tests change it) */
    static EmbeddedChannel open(PlaybackSource source, Supplier<Verdict> verdict) {
        return new EmbeddedChannel(
                new HttpRequestDecoder(8192, 8192, 8192),
                new PlaybackResponseEncoder(),
                new BodilessRequests(),
                new PlaybackHandler(
                        source,
                        new AccessGate() {
                            @Override
                            public Verdict decide(AccessRequest r) {
                                return verdict.get();
                            }

                            @Override
                            public CompletionStage<Verdict> settle(AccessRequest r) {
                                throw new AssertionError();
                            }
                        },
                        false));
    }
}
