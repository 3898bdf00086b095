package io.openivs.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A certificate authority made in the test with the system's openssl: its certificates are what a real CA
 * (or certbot) would hand out, a PEM chain and a private key in one of the formats openssl writes.
 */
public final class TestCa {
    /** The private key formats an operator may have. */
    public enum KeyFormat {
        RSA_PKCS8,
        RSA_PKCS1,
        EC_PKCS8,
        EC_SEC1
    }

    /** An issued pair: {@code chain} is leaf then CA, as certbot's fullchain.pem. */
    public record Issued(Path chain, Path key, long serial) {}

    private final Path dir;
    private final Path caCert;
    private final Path caKey;

    private TestCa(Path dir) {
        this.dir = dir;
        this.caCert = dir.resolve("ca.crt");
        this.caKey = dir.resolve("ca.key");
    }

    public static TestCa create(Path dir) throws IOException {
        TestCa ca = new TestCa(dir);
        Files.createDirectories(dir);
        openssl(
                dir,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-subj",
                "/CN=openivs test CA",
                "-days",
                "2");
        return ca;
    }

    public Path certificate() {
        return caCert;
    }

    /** A server certificate for localhost and 127.0.0.1 with this serial, written under {@code name}. */
    public Issued issue(String name, long serial, KeyFormat format) throws IOException {
        return issue(name, serial, format, "DNS:localhost,IP:127.0.0.1");
    }

    /** A server certificate naming {@code subjectAltNames} (openssl's syntax: {@code DNS:a,IP:1.2.3.4}). */
    public Issued issue(String name, long serial, KeyFormat format, String subjectAltNames) throws IOException {
        String key = name + ".key";
        boolean rsa = format == KeyFormat.RSA_PKCS8 || format == KeyFormat.RSA_PKCS1;
        openssl(
                dir,
                "genpkey",
                "-algorithm",
                rsa ? "RSA" : "EC",
                "-pkeyopt",
                rsa ? "rsa_keygen_bits:2048" : "ec_paramgen_curve:P-256",
                "-out",
                key);
        if (format == KeyFormat.RSA_PKCS1) {
            openssl(dir, "rsa", "-in", key, "-traditional", "-out", key);
        } else if (format == KeyFormat.EC_SEC1) {
            openssl(dir, "ec", "-in", key, "-out", key);
        }
        Files.writeString(
                dir.resolve(name + ".ext"),
                "subjectAltName=" + subjectAltNames + "\n"
                        + "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        openssl(dir, "req", "-new", "-key", key, "-subj", "/CN=localhost", "-out", name + ".csr");
        openssl(
                dir,
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-set_serial",
                Long.toString(serial),
                "-days",
                "2",
                "-extfile",
                name + ".ext",
                "-out",
                name + ".crt");
        Path chain = dir.resolve(name + ".fullchain.pem");
        Files.writeString(chain, Files.readString(dir.resolve(name + ".crt")) + Files.readString(caCert));
        return new Issued(chain, dir.resolve(key), serial);
    }

    /** Trusts this CA only. */
    public X509TrustManager trustManager() throws IOException {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(caCert)) {
                trust.setCertificateEntry(
                        "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            return (X509TrustManager) tmf.getTrustManagers()[0];
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** A client context that trusts this CA only. */
    public SSLContext clientContext() throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[] {trustManager()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /**
     * The certificate a new TLS connection to localhost:{@code port} is given, verified against this CA
     * with the host name checked as an HTTPS client does.
     */
    public X509Certificate peerCertificate(int port) throws IOException {
        try (var socket =
                (javax.net.ssl.SSLSocket) clientContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            javax.net.ssl.SSLParameters params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            params.setServerNames(List.of()); // an IP address: no SNI, the IP SAN is checked
            socket.setSSLParameters(params);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
