package io.openivs.server.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A finished segment's bytes held in an unlinked tmpfs file: readable as an ordinary direct buffer
 * (the file mapped into memory) and sendable from the file itself ({@link #channel()}, for sendfile).
 * Releasing the last reference unmaps the file and closes it, which frees its pages: the file has
 * no name, so nothing else keeps them.
 */
final class FileBackedBuf extends UnpooledDirectByteBuf {
    private final FileChannel channel;
    private final MappedByteBuffer mapped;
    private final Runnable closed;

    /** {@code mapped}: all of {@code channel}'s bytes, already written; {@code closed} runs once both are let go. */
    FileBackedBuf(FileChannel channel, MappedByteBuffer mapped, Runnable closed) {
        super(UnpooledByteBufAllocator.DEFAULT, mapped, mapped.capacity());
        this.channel = channel;
        this.mapped = mapped;
        this.closed = closed;
        writerIndex(mapped.capacity());
    }

    /** The file holding the bytes, from position 0; valid while a reference to this buffer is held. */
    FileChannel channel() {
        return channel;
    }

    @Override
    protected void deallocate() {
        // The superclass was given the mapping as memory it does not own: it frees nothing.
        super.deallocate();
        PlatformDependent.freeDirectBuffer(mapped); // munmap now rather than at some later GC
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a tmpfs file does not fail in practice; the descriptor is gone either way.
        } finally {
            closed.run();
        }
    }

    /** The file behind {@code buf} (or behind what it wraps, a read-only view or a duplicate), or null. */
    static FileBackedBuf of(ByteBuf buf) {
        for (ByteBuf b = buf; b != null; b = b.unwrap()) {
            if (b instanceof FileBackedBuf f) {
                return f;
            }
        }
        return null;
    }
}
