package io.openivs.server.net;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server TLS context read from PEM files that follows them when they change (a certbot renewal): each new
 * connection's engine comes from the newest good pair, connections already open keep theirs. Listeners take it
 * as any {@link SslContext}. {@link #reloadIfChanged()} runs off the event loops (it reads files); a pair that
 * fails to load (say, the certificate already renewed, the key not yet) is logged and retried next time while
 * the previous one keeps serving.
 */
public final class ReloadingSslContext extends SslContext {
    private static final Logger log = LoggerFactory.getLogger(ReloadingSslContext.class);

    private final Path certificateChain;
    private final Path privateKey;
    private volatile Loaded current;

    private record Loaded(SslContext context, X509Certificate leaf, FileTime certTime, FileTime keyTime) {}

    private ReloadingSslContext(Path certificateChain, Path privateKey, Loaded first) {
        this.certificateChain = certificateChain;
        this.privateKey = privateKey;
        this.current = first;
    }

    /** Loads the pair now; a bad pair is an IOException naming the files. Blocking. */
    public static ReloadingSslContext load(Path certificateChain, Path privateKey) throws IOException {
        return new ReloadingSslContext(certificateChain, privateKey, read(certificateChain, privateKey));
    }

    private static Loaded read(Path cert, Path key) throws IOException {
        try {
            // Times first: a change landing while we read is seen again at the next check.
            FileTime certTime = Files.getLastModifiedTime(cert);
            FileTime keyTime = Files.getLastModifiedTime(key);
            PemFiles.KeyPair pair = PemFiles.read(cert, key);
            SslContext context =
                    SslContextBuilder.forServer(pair.key(), pair.chain()).build();
            return new Loaded(context, pair.leaf(), certTime, keyTime);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(
                    "cannot load TLS certificate " + cert + " / key " + key + ": no such file " + e.getFile(), e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException(
                    "cannot load TLS certificate " + cert + " / key " + key + ": not readable by this" + " user: "
                            + e.getFile(),
                    e);
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("cannot load TLS certificate " + cert + " / key " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reloads when either file's modification time changed since the last good load.
     *
     * @return whether a new pair is now served
     */
    public boolean reloadIfChanged() {
        Loaded now = current;
        try {
            if (Files.getLastModifiedTime(certificateChain).equals(now.certTime)
                    && Files.getLastModifiedTime(privateKey).equals(now.keyTime)) {
                return false;
            }
            Loaded next = read(certificateChain, privateKey);
            current = next;
            log.info(
                    "TLS certificate reloaded from {}: serial {}, valid until {}",
                    certificateChain,
                    next.leaf.getSerialNumber().toString(16),
                    next.leaf.getNotAfter().toInstant());
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn(
                    "TLS certificate not reloaded (still serving serial {}): {}",
                    now.leaf.getSerialNumber().toString(16),
                    LogSafe.escape(e.getMessage()));
            return false;
        }
    }

    /** The certificate new connections are given. */
    public X509Certificate certificate() {
        return current.leaf;
    }

    @Override
    public boolean isClient() {
        return false;
    }

    @Override
    public List<String> cipherSuites() {
        return current.context.cipherSuites();
    }

    @Override
    @SuppressWarnings("deprecation")
    public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
        return current.context.applicationProtocolNegotiator();
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc) {
        return current.context.newEngine(alloc);
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
        return current.context.newEngine(alloc, peerHost, peerPort);
    }

    @Override
    public SSLSessionContext sessionContext() {
        return current.context.sessionContext();
    }
}
