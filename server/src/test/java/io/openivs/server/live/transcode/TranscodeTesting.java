package io.openivs.server.live.transcode;

import java.util.List;

/** What the transcode tests share: the server's ffmpeg children. */
final class TranscodeTesting {
    private TranscodeTesting() {}

    /** The ffmpeg children transcoding for this server (their outputs are the server's Unix sockets). */
    static List<ProcessHandle> children() {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info()
                        .arguments()
                        .map(a -> String.join(" ", a).contains("openivs-tc"))
                        .orElse(false))
                .toList();
    }
}
