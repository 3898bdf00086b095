package io.openivs.server.media;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finished segments kept in tmpfs files, so that playback can hand a segment to a viewer's socket
 * with sendfile(2) instead of copying it from user memory into the socket (nginx's {@code sendfile
 * on}; on loopback that copy was the largest single cost of a segment request, bench/ingest). Each
 * segment is one file, created, unlinked at once (so nothing outlives the process, not even a
 * crash), written with one gathering write and mapped for readers that want bytes (TLS, the edge
 * relay, the recorder, LHLS followers). Its pages are the segment's memory: they count in the
 * process's RSS once mapped pages are touched and in the tmpfs's use in any case, and go when the
 * last reference to the buffer is released (munmap and close).
 *
 * <p>Each segment in a window costs a file descriptor for ~12 s (50 streams with an audio_only
 * rendition: ~700). At most {@link #maxFiles} are open at once (an eighth of the process's limit by
 * default); past that, or when the directory is not tmpfs or a write fails (tmpfs full), a segment
 * goes to {@code fallback} memory as before and is served by copying, which is only slower.
 */
public final class SegmentFiles implements SegmentMemory {
    private static final Logger log = LoggerFactory.getLogger(SegmentFiles.class);
    /** {@code -Dopenivs.segmentFiles=off}, or another tmpfs directory than {@code /dev/shm}. */
    private static final String DIRECTORY_PROPERTY = "openivs.segmentFiles";

    /**
     * Bytes left free in front of a segment for the HTTP response head every public viewer gets
     * (~130 bytes): head and segment then go out in one sendfile, one system call and no separate
     * packet for the head.
     */
    static final int HEAD_ROOM = 512;

    private static final AtomicLong NAMES = new AtomicLong();
    private static volatile SegmentFiles shared;

    private final Path dir;
    private final int maxFiles;
    private final SegmentMemory fallback;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong fallbacks = new AtomicLong();
    private final String prefix = "openivs-" + ProcessHandle.current().pid() + "-";

    /** @param dir a tmpfs directory, or null to keep every segment in {@code fallback} memory */
    public SegmentFiles(Path dir, int maxFiles, SegmentMemory fallback) {
        this.dir = dir;
        this.maxFiles = maxFiles;
        this.fallback = fallback;
    }

    /**
     * The process's segment files in {@code /dev/shm} (or the directory the system property names)
     * when it is tmpfs, with {@code fallback} past the descriptor budget; made once.
     */
    public static SegmentFiles shared(SegmentMemory fallback) {
        SegmentFiles s = shared;
        if (s == null) {
            synchronized (SegmentFiles.class) {
                s = shared;
                if (s == null) {
                    s = new SegmentFiles(tmpfs(System.getProperty(DIRECTORY_PROPERTY, "/dev/shm")), budget(), fallback);
                    shared = s;
                }
            }
        }
        return s;
    }

    /** The directory if it is a writable tmpfs (Linux), else null: elsewhere files would mean disk writes. */
    public static Path tmpfs(String dir) {
        if ("off".equals(dir)) {
            return null;
        }
        try {
            Path p = Path.of(dir);
            if (Files.isDirectory(p)
                    && Files.isWritable(p)
                    && "tmpfs".equals(Files.getFileStore(p).type())) {
                return p;
            }
        } catch (IOException | RuntimeException e) {
            log.debug("segment files: {} unusable", dir, e);
        }
        return null;
    }

    private static int budget() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return (int) Math.min(65_536, unix.getMaxFileDescriptorCount() / 8);
        }
        return 0;
    }

    @Override
    public ByteBuf copyOf(List<ByteBuf> blocks, int size) {
        if (dir == null || size == 0 || !reserve()) {
            fallbacks.incrementAndGet();
            return fallback.copyOf(blocks, size);
        }
        FileChannel ch = null;
        try {
            Path path = dir.resolve(prefix + NAMES.incrementAndGet());
            ch = FileChannel.open(
                    path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Files.delete(path); // unlinked: the open descriptor and the mapping hold the pages
            ch.position(HEAD_ROOM);
            write(ch, blocks, size);
            MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_WRITE, HEAD_ROOM, size);
            return LeakTracking.track(new FileBackedBuf(ch, HEAD_ROOM, mapped, open::decrementAndGet));
        } catch (IOException | RuntimeException e) {
            open.decrementAndGet();
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing left to do for a file that failed to be made
                }
            }
            if (fallbacks.getAndIncrement() == 0) {
                log.warn("segment files: {}; segments go to memory and are sent by copying", e.toString());
            }
            return fallback.copyOf(blocks, size);
        }
    }

    private boolean reserve() {
        int n;
        do {
            n = open.get();
            if (n >= maxFiles) {
                return false;
            }
        } while (!open.compareAndSet(n, n + 1));
        return true;
    }

    private static void write(FileChannel ch, List<ByteBuf> blocks, int size) throws IOException {
        ByteBuffer[] parts = new ByteBuffer[blocks.size()];
        for (int i = 0; i < parts.length; i++) {
            ByteBuf b = blocks.get(i);
            parts[i] = b.nioBuffer(b.readerIndex(), b.readableBytes());
        }
        long written = 0;
        while (written < size) {
            long n = ch.write(parts);
            if (n <= 0) {
                throw new IOException("segment file write made no progress");
            }
            written += n;
        }
    }

    /** Segment files open now (each one descriptor). */
    public int openFiles() {
        return open.get();
    }

    /** Segments that went to the fallback memory: no tmpfs, the budget spent, or a failed write. */
    public long fallbacks() {
        return fallbacks.get();
    }

    /** Whether {@code buf}'s bytes are in a segment file (it or what it is a view of). */
    public static boolean inFile(ByteBuf buf) {
        return FileBackedBuf.of(buf) != null;
    }

    /**
     * {@code head} followed by {@code buf}'s bytes as one region of the file behind {@code buf}, for
     * sendfile, holding a reference to {@code buf} until the region is released; null (and nothing
     * retained) when its bytes are not in a segment file or that file has another head. {@code buf}
     * must be a whole segment (a view of all its bytes); {@code head} the same for every caller.
     */
    public static FileRegion retainedRegion(ByteBuf buf, ByteBuf head) {
        FileBackedBuf file = FileBackedBuf.of(buf);
        if (file == null || buf.readableBytes() != file.capacity() || !file.headed(head)) {
            return null;
        }
        buf.retain();
        int headLength = head.readableBytes();
        return new HeldRegion(file.channel(), file.offset() - headLength, headLength + buf.readableBytes(), buf);
    }

    /**
     * A region whose file is shared by every viewer of the segment: releasing it lets go of the
     * segment's reference instead of closing the file (what {@link DefaultFileRegion} would do). It
     * stays a DefaultFileRegion because that is the type Netty's epoll transport sends with sendfile.
     */
    private static final class HeldRegion extends DefaultFileRegion {
        private final ByteBuf held;

        HeldRegion(FileChannel file, long position, long count, ByteBuf held) {
            super(file, position, count);
            this.held = held;
        }

        @Override
        protected void deallocate() {
            held.release();
        }
    }

    /**
     * Netty's leak detector over segment files as over pooled segments (a buffer made here is not the
     * allocator's, so it would not be watched): a segment never released is reported, not just an fd.
     */
    private static final class LeakTracking extends AbstractByteBufAllocator {
        private LeakTracking() {}

        static ByteBuf track(ByteBuf buf) {
            return toLeakAwareBuffer(buf);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            throw new UnsupportedOperationException("only tracks buffers made elsewhere");
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            throw new UnsupportedOperationException("only tracks buffers made elsewhere");
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
