package io.openivs.server.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.nio.ByteBuffer;
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
    /** Where the bytes start in the file: the room before them takes a response head. */
    private final int offset;
    /** The head written into the room, or null while none is. */
    private volatile byte[] head;

    /**
     * {@code mapped}: {@code channel}'s bytes from {@code offset} on, already written; {@code closed} runs once
     * both are let go.
     */
    FileBackedBuf(FileChannel channel, int offset, MappedByteBuffer mapped, Runnable closed) {
        super(UnpooledByteBufAllocator.DEFAULT, mapped, mapped.capacity());
        this.channel = channel;
        this.offset = offset;
        this.mapped = mapped;
        this.closed = closed;
        writerIndex(mapped.capacity());
    }

    /** The file holding the bytes; valid while a reference to this buffer is held. */
    FileChannel channel() {
        return channel;
    }

    /** The bytes' position in {@link #channel()}. */
    int offset() {
        return offset;
    }

    /**
     * Whether {@code h} is in the file right before the bytes, written now if the room is still empty
     * and large enough. One head per segment: every viewer that gets a shared answer gets the same one
     * (a later, different head is refused rather than written under a sendfile in progress).
     */
    boolean headed(ByteBuf h) {
        byte[] written = head;
        if (written == null) {
            synchronized (this) {
                written = head;
                if (written == null) {
                    if (h.readableBytes() > offset) {
                        return false;
                    }
                    written = new byte[h.readableBytes()];
                    h.getBytes(h.readerIndex(), written);
                    try {
                        ByteBuffer src = ByteBuffer.wrap(written);
                        long at = offset - written.length;
                        while (src.hasRemaining()) {
                            at += channel.write(src, at);
                        }
                    } catch (IOException e) {
                        return false;
                    }
                    head = written;
                }
            }
        }
        if (written.length != h.readableBytes()) {
            return false;
        }
        int from = h.readerIndex();
        for (int i = 0; i < written.length; i++) {
            if (written[i] != h.getByte(from + i)) {
                return false;
            }
        }
        return true;
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
