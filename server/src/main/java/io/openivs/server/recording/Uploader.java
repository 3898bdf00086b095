package io.openivs.server.recording;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes objects to the destination on its own thread, in the order they were submitted (so a
 * playlist never lands before its segments and recording-ended.json comes last), retrying each
 * until it succeeds. Queued bodies are held in memory up to a budget; past it, and whenever the
 * store is failing, they are spooled to disk and read back when their turn comes. Submitting
 * never waits for the store; it may write a spool file, so it is not for event loops.
 *
 * <p>A spool file holds the object's bucket, key and content type before its body, so objects
 * still queued when the process stops (those in memory are spooled at close) are picked up
 * again, in order, by the next start.
 */
public final class Uploader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Uploader.class);
    private static final long FIRST_BACKOFF_MS = 250;
    private static final long MAX_BACKOFF_MS = 2_000;

    /** What becomes of one object. */
    public interface Outcome {
        Outcome NONE = new Outcome() {};

        default void stored() {}

        /** The object could not even be queued (spool disk failing): it will never be written. */
        default void lost(Exception cause) {}
    }

    private static final class Job {
        final String bucket;
        final String key;
        final String contentType;
        final Outcome outcome;
        final int size;
        byte[] body;
        Path spooled;

        Job(String bucket, String key, String contentType, byte[] body, Outcome outcome) {
            this.bucket = bucket;
            this.key = key;
            this.contentType = contentType;
            this.body = body;
            this.size = body.length;
            this.outcome = outcome;
        }

        /** Spool file layout: a 4-byte length, then "bucket\nkey\ncontentType" in UTF-8, then the body. */
        byte[] header() {
            byte[] h = (bucket + "\n" + key + "\n" + contentType).getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(4 + h.length).putInt(h.length).put(h).array();
        }

        static Job read(Path file) throws IOException {
            byte[] all = Files.readAllBytes(file);
            ByteBuffer b = ByteBuffer.wrap(all);
            int n = b.getInt();
            String[] h = new String(all, 4, n, StandardCharsets.UTF_8).split("\n", 3);
            Job job = new Job(h[0], h[1], h[2], new byte[0], Outcome.NONE);
            job.spooled = file;
            job.body = null;
            return job;
        }

        byte[] load() throws IOException {
            if (body != null) {
                return body;
            }
            byte[] all = Files.readAllBytes(spooled);
            int n = ByteBuffer.wrap(all).getInt();
            return Arrays.copyOfRange(all, 4 + n, all.length);
        }
    }

    /** Queues what an earlier run spooled and did not store, oldest first. */
    private void recover() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(spoolDir)) {
            files = listing.filter(f -> f.getFileName().toString().matches("[0-9]+\\.spool"))
                    .sorted(Comparator.comparingLong(
                            f -> Long.parseLong(f.getFileName().toString().replace(".spool", ""))))
                    .toList();
        }
        for (Path f : files) {
            try {
                queue.addLast(Job.read(f));
            } catch (IOException | RuntimeException e) {
                log.warn("unreadable spool file {} skipped: {}", f, e.toString());
            }
        }
        if (!files.isEmpty()) {
            spoolCounter = Long.parseLong(
                            files.get(files.size() - 1).getFileName().toString().replace(".spool", ""))
                    + 1;
            log.info("{} recording object(s) left by an earlier run queued for upload", queue.size());
        }
    }

    private final Destination destination;
    private final Path spoolDir;
    private final long memoryBudget;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    /** Written by the upload thread only; read by metrics. */
    private volatile long stored;

    private volatile long failedAttempts;
    private final Thread thread;
    private long memoryBytes;
    private volatile boolean failing;
    private boolean closed;
    private long spoolCounter;

    /**
     * @param spoolDir where bodies wait on disk; what an earlier run left there is uploaded first
     * @param memoryBudget bytes of queued bodies held in memory before spooling
     */
    public Uploader(Destination destination, Path spoolDir, long memoryBudget) throws IOException {
        this.destination = destination;
        this.spoolDir = spoolDir;
        this.memoryBudget = memoryBudget;
        Files.createDirectories(spoolDir);
        recover();
        this.thread = new Thread(this::run, "openivs-recording-upload");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues one object. Any thread but an event loop. */
    public void submit(String bucket, String key, String contentType, byte[] body, Outcome outcome) {
        Job job = new Job(bucket, key, contentType, body, outcome);
        boolean spool;
        lock.lock();
        try {
            spool = failing || memoryBytes + job.size > memoryBudget;
            if (!spool) {
                memoryBytes += job.size;
            }
        } finally {
            lock.unlock();
        }
        if (spool) {
            try {
                spool(job);
            } catch (IOException e) {
                log.error("recording object {} lost: cannot spool it: {}", key, e.toString());
                outcome.lost(e);
                return;
            }
        }
        lock.lock();
        try {
            queue.addLast(job);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Objects stored since start. */
    public long stored() {
        return stored;
    }

    /** Upload attempts that failed (each is retried). */
    public long failedAttempts() {
        return failedAttempts;
    }

    /** Objects queued and not yet stored. */
    public int pending() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the last attempt failed (the store is unreachable or refusing). */
    public boolean failing() {
        return failing;
    }

    private void spool(Job job) throws IOException {
        long n;
        synchronized (this) {
            n = spoolCounter++;
        }
        Path tmp = spoolDir.resolve(n + ".part");
        Path file = spoolDir.resolve(n + ".spool");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            out.write(job.header());
            out.write(job.body);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        job.spooled = file;
        job.body = null;
    }

    private void run() {
        long backoff = FIRST_BACKOFF_MS;
        while (true) {
            Job job;
            lock.lock();
            try {
                while (queue.isEmpty() && !closed) {
                    changed.await();
                }
                if (closed) {
                    return; // close() spools what is left
                }
                job = queue.peekFirst();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                byte[] body = job.load();
                destination.put(job.bucket, job.key, body, job.contentType);
            } catch (IOException | RuntimeException e) {
                failedAttempts++;
                if (!failing) {
                    log.warn(
                            "recording upload of {} failed, retrying until the store answers: {}",
                            job.key,
                            e.toString());
                }
                failing = true;
                if (!sleep(backoff)) {
                    return;
                }
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
                continue;
            }
            if (failing) {
                log.info("recording store answers again; {} object(s) to catch up", pending());
            }
            failing = false;
            stored++;
            backoff = FIRST_BACKOFF_MS;
            lock.lock();
            try {
                queue.removeFirst();
                if (job.body != null) {
                    memoryBytes -= job.size;
                }
            } finally {
                lock.unlock();
            }
            if (job.spooled != null) {
                try {
                    Files.deleteIfExists(job.spooled);
                } catch (IOException e) {
                    log.debug("spool file {} left behind: {}", job.spooled, e.toString());
                }
            }
            try {
                job.outcome.stored();
            } catch (RuntimeException e) {
                log.warn("after storing {}: {}", job.key, e.toString());
            }
        }
    }

    private boolean sleep(long ms) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            changed.await(ms, TimeUnit.MILLISECONDS);
            return !closed;
        } catch (InterruptedException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code graceMillis} for the queue to drain, then stops. What is left is logged:
     * its spool files stay on disk.
     */
    @Override
    public void close() {
        close(10_000);
    }

    public void close(long graceMillis) {
        long deadline = System.currentTimeMillis() + graceMillis;
        while (pending() > 0 && !failing && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // What is still queued waits on disk for the next start.
        lock.lock();
        try {
            int kept = 0;
            for (Job job : queue) {
                if (job.body != null) {
                    try {
                        spool(job);
                    } catch (IOException e) {
                        log.error("recording object {} lost at shutdown: {}", job.key, e.toString());
                        continue;
                    }
                }
                kept++;
            }
            if (kept > 0) {
                log.warn("{} recording object(s) not stored yet; spooled in {} for the next start", kept, spoolDir);
            }
        } finally {
            lock.unlock();
        }
    }
}
