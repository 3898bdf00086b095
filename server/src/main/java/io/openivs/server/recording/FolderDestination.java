package io.openivs.server.recording;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/**
 * The embedded store: each bucket is a folder under one root, created on first use, so any valid
 * bucket name works with no set-up. Objects are written to a temporary name and moved into place,
 * so a reader never sees half a file.
 */
public final class FolderDestination implements Destination {
    /** S3's bucket naming rules, less the rarely used dotted forms that look like IP addresses. */
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private static final Pattern KEY_PART = Pattern.compile("[A-Za-z0-9._-]+");

    private final Path root;

    public FolderDestination(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public void put(String bucket, String key, byte[] body, String contentType) throws IOException {
        Path target = resolve(bucket, key);
        if (target == null) {
            throw new IOException("invalid bucket or key: " + bucket + "/" + key);
        }
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + ".part");
        Files.write(tmp, body);
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public void checkWritable(String bucket) throws IOException {
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IOException("invalid bucket name " + bucket);
        }
        Path dir = root.resolve(bucket);
        Files.createDirectories(dir);
        Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
        Files.delete(probe);
    }

    /**
     * The file of an object, or null when the bucket or key is not one this store could have
     * written (which also keeps ".." and absolute paths out).
     */
    public Path resolve(String bucket, String key) {
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..") || key.isEmpty()) {
            return null;
        }
        Path p = root.resolve(bucket);
        for (String part : key.split("/", -1)) {
            if (!KEY_PART.matcher(part).matches() || part.startsWith(".")) {
                return null;
            }
            p = p.resolve(part);
        }
        return p;
    }

    @Override
    public String describe() {
        return "folders under " + root;
    }
}
