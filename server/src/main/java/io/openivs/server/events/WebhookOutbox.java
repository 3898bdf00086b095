package io.openivs.server.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.stream.Stream;

/**
 * The deliveries one webhook is still owed, one file each in a folder of the data dir, so a restart (or a
 * SIGTERM while the receiver is down) loses none. A file is written whole and fsynced under a temporary
 * name, then renamed, so a crash leaves either the whole event or none of it; it is deleted once the
 * receiver answered 2xx. Names are a zero-padded sequence, so the folder's order is the events' order.
 * Thread-safe: the event bus appends, the webhook's delivery thread reads and removes.
 */
final class WebhookOutbox {
    private static final String SUFFIX = ".json";
    /** The id of the last event stored here, kept after its delivery: where a restart's catch-up starts. */
    private static final String LAST = "last-appended";

    private final Path dir;
    /** Files not yet delivered, oldest first. */
    private final Deque<Path> pending = new ArrayDeque<>();

    private long nextSequence;

    WebhookOutbox(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                files.forEach(f -> {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".tmp")) {
                        deleteQuietly(f); // a write a crash interrupted: never acknowledged to anyone
                    }
                });
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(SUFFIX))
                        .sorted()
                        .forEach(pending::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("webhook outbox " + dir + ": " + e.getMessage(), e);
        }
        Path last = pending.peekLast();
        nextSequence = last == null ? 0 : sequenceOf(last) + 1;
    }

    /** Stores one delivery durably; returns once it is on disk. */
    synchronized void append(byte[] body, String eventId) throws IOException {
        Path file = dir.resolve(String.format("%019d", nextSequence) + SUFFIX);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(body);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        nextSequence++;
        // Written after the delivery: a crash in between only repeats one delivery at the next catch-up.
        Path lastTmp = dir.resolve(LAST + ".tmp");
        Files.writeString(lastTmp, eventId);
        Files.move(lastTmp, dir.resolve(LAST), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        pending.addLast(file);
        notifyAll();
    }

    /** The id of the last event stored here (delivered or not), or null if none ever was. */
    synchronized String lastAppended() {
        try {
            return Files.readString(dir.resolve(LAST)).trim();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("webhook outbox " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The oldest delivery still owed, waiting up to {@code millis} for one; null when none came. */
    synchronized Path oldest(long millis) throws InterruptedException {
        if (pending.isEmpty() && millis > 0) {
            wait(millis);
        }
        return pending.peekFirst();
    }

    static byte[] read(Path file) throws IOException {
        return Files.readAllBytes(file);
    }

    /** The delivery was made (or given up): it is owed no more. */
    synchronized void remove(Path file) {
        pending.remove(file);
        deleteQuietly(file);
    }

    synchronized int size() {
        return pending.size();
    }

    private static long sequenceOf(Path file) {
        String name = file.getFileName().toString();
        try {
            return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (NoSuchFileException ignored) {
            // already gone
        } catch (IOException e) {
            throw new UncheckedIOException("webhook outbox: cannot delete " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
