package io.openivs.server.net;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of TLS between cluster nodes (an edge asking the owner of a stream over HTTPS). Every
 * node serves the operator's certificate for the one public host, so a peer must present a certificate
 * that names the public host (checked as a browser checks a server: RFC 2818 / RFC 6125 rules) and that
 * chains to an authority the JVM trusts or to one in the operator's own chain file (a private CA, or a
 * self-signed certificate copied to every node). A peer that cannot show both gets no request, so the
 * cluster secret the request carries never goes to an impostor on the path.
 *
 * <p>The chain file's authorities follow the file as the served certificate does ({@link
 * ReloadingSslContext}): {@link #reloadIfChanged()} runs on the same check, off the event loops, and the next
 * handshake trusts the new authorities; a file that fails to load keeps the previous ones. While nodes are
 * rotated to a new private CA one by one, a chain that lists the old CA after the new one keeps both trusted.
 */
public final class PeerTls {
    private static final Logger log = LoggerFactory.getLogger(PeerTls.class);

    private final Path operatorChain;
    private final SslContext context;
    private volatile Own own;

    /** The operator chain's authorities as last loaded, and the file's time when read. */
    private record Own(X509ExtendedTrustManager manager, FileTime time) {}

    private PeerTls(Path operatorChain, X509ExtendedTrustManager jvm, Own first) throws IOException {
        this.operatorChain = operatorChain;
        this.own = first;
        this.context = SslContextBuilder.forClient()
                .endpointIdentificationAlgorithm("HTTPS")
                .trustManager(new Either(jvm, this))
                .build();
    }

    /**
     * @param operatorChain the PEM chain this node serves (--tls-cert); its CA certificates (the leaf too when
     *                      it is the only one) are trusted besides the JVM's authorities
     */
    public static PeerTls load(Path operatorChain) throws IOException {
        try {
            return new PeerTls(operatorChain, manager(null), read(operatorChain));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make the TLS client for other nodes: " + e.getMessage(), e);
        }
    }

    /** The client context: one for the node's life, its trust follows {@link #reloadIfChanged()}. */
    public SslContext context() {
        return context;
    }

    /**
     * Reads the chain's authorities again when the file's modification time changed since the last good load.
     *
     * @return whether new authorities are now trusted
     */
    public boolean reloadIfChanged() {
        Own now = own;
        try {
            if (Files.getLastModifiedTime(operatorChain).equals(now.time)) {
                return false;
            }
            own = read(operatorChain);
            log.info("TLS between nodes: authorities reloaded from {}", operatorChain);
            return true;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            log.warn(
                    "TLS between nodes: authorities not reloaded from {} (the previous ones stay): {}",
                    operatorChain,
                    LogSafe.escape(e.getMessage()));
            return false;
        }
    }

    private static Own read(Path chain) throws IOException, GeneralSecurityException {
        // The time first: a change landing while we read is seen again at the next check.
        FileTime time = Files.getLastModifiedTime(chain);
        return new Own(manager(ownAuthorities(chain)), time);
    }

    private static KeyStore ownAuthorities(Path chain) throws IOException, GeneralSecurityException {
        X509Certificate[] certs = PemFiles.certificates(Files.readString(chain));
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        // The leaf is an anchor only when alone (self-signed); else the issuers after it are.
        for (int i = certs.length == 1 ? 0 : 1; i < certs.length; i++) {
            store.setCertificateEntry("operator-" + i, certs[i]);
        }
        return store;
    }

    /** @param anchors null for the JVM's default authorities */
    private static X509ExtendedTrustManager manager(KeyStore anchors) throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(anchors);
        for (TrustManager m : f.getTrustManagers()) {
            if (m instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509ExtendedTrustManager in " + f.getAlgorithm());
    }

    /**
     * Trusts a server either manager trusts. Both check the host name against the engine's peer host (endpoint
     * identification is on), so neither accepts a certificate for another name.
     */
    private static final class Either extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager first;
        private final PeerTls owner;

        Either(X509ExtendedTrustManager first, PeerTls owner) {
            this.first = first;
            this.owner = owner;
        }

        /** One manager's check of the server's chain. */
        private interface Check {
            void run(X509ExtendedTrustManager m) throws CertificateException;
        }

        private void either(Check check) throws CertificateException {
            try {
                check.run(first);
            } catch (CertificateException e) {
                check.run(owner.own.manager);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            either(m -> m.checkServerTrusted(chain, authType, engine));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            either(m -> m.checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            // No engine, so no host name to check against: refused, never trusted by the chain alone.
            throw new CertificateException("a peer node is checked with its host name");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not a server's manager");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("not a server's manager");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("not a server's manager");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] a = first.getAcceptedIssuers();
            X509Certificate[] b = owner.own.manager.getAcceptedIssuers();
            X509Certificate[] all = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }
}
