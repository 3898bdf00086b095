package io.openivs.server.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;

/**
 * Where a finished segment's bytes go: one buffer of exactly their size, written once and then only
 * read for the segment's time in the live window (~12 s) while playback sends it to every viewer.
 * {@link SegmentFiles} keeps them in tmpfs files so playback can send them with sendfile; this
 * interface's {@link #pooled} form in an allocator's memory.
 */
public interface SegmentMemory {

    /**
     * The readable bytes of {@code blocks}, in order, in one new buffer of exactly {@code size} bytes that
     * the caller owns and releases. The blocks are left as they are (the caller still releases them).
     */
    ByteBuf copyOf(List<ByteBuf> blocks, int size);

    /** Finished segments in {@code alloc}'s memory: one copy into a buffer of their exact size. */
    static SegmentMemory pooled(ByteBufAllocator alloc) {
        return (blocks, size) -> {
            ByteBuf done = alloc.buffer(size, size);
            for (ByteBuf b : blocks) {
                done.writeBytes(b, b.readerIndex(), b.readableBytes());
            }
            return done;
        };
    }
}
