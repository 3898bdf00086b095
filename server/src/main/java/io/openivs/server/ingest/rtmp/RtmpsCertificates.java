package io.openivs.server.ingest.rtmp;

import io.openivs.server.net.ReloadingSslContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * TLS material for RTMPS: a PEM certificate chain and private key given by the operator, or a self-signed pair
 * generated into a data directory and reused on later starts while it names the public host.
 *
 * <p>Generation runs the JDK's own {@code keytool}: Netty's {@code SelfSignedCertificate} needs Bouncy Castle or
 * JDK-internal classes that Java 17 no longer exports, and keytool needs no new dependency. The keystore it
 * writes is converted to PEM and deleted, so both cases load the same way. Blocking: call at startup, never on
 * an event loop.
 */
public final class RtmpsCertificates {
    static final String CERT_FILE = "rtmps-self-signed.crt.pem";
    static final String KEY_FILE = "rtmps-self-signed.key.pem";
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9.:-]{1,253}");
    private static final Pattern IP_ADDRESS = Pattern.compile("[0-9.]+|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*");

    private RtmpsCertificates() {}

    /**
     * A server context from a PEM certificate chain and an unencrypted PKCS#8, PKCS#1 or SEC1 PEM private key,
     * following the files when they change (see {@link ReloadingSslContext#reloadIfChanged()}).
     */
    public static ReloadingSslContext fromPem(Path certificateChainPem, Path privateKeyPem) throws IOException {
        try {
            return ReloadingSslContext.load(certificateChainPem, privateKeyPem);
        } catch (IOException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException(
                    "cannot load RTMPS certificate " + certificateChainPem + " / key " + privateKeyPem + ": "
                            + cause.getMessage(),
                    e);
        }
    }

    /**
     * A server context from the self-signed pair in {@code dataDir}, generating it first if absent or if it
     * does not name {@code hostname} (the {@code --public-host} changed: encoders that verify would refuse it).
     * The certificate names {@code hostname}, localhost and 127.0.0.1.
     */
    public static ReloadingSslContext selfSigned(Path dataDir, String hostname) throws IOException {
        Path cert = dataDir.resolve(CERT_FILE);
        Path key = dataDir.resolve(KEY_FILE);
        if (!Files.isRegularFile(cert) || !Files.isRegularFile(key) || !names(cert, hostname)) {
            generateSelfSigned(dataDir, hostname);
        }
        return fromPem(cert, key);
    }

    /** Whether the certificate in {@code pem} carries {@code hostname} among its subject alternative names. */
    static boolean names(Path pem, String hostname) {
        try (InputStream in = Files.newInputStream(pem)) {
            X509Certificate x509 =
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            Collection<List<?>> sans = x509.getSubjectAlternativeNames();
            if (sans == null) {
                return false;
            }
            for (List<?> san : sans) {
                if (san.size() > 1 && hostname.equalsIgnoreCase(String.valueOf(san.get(1)))) {
                    return true;
                }
            }
            return false;
        } catch (IOException | GeneralSecurityException e) {
            return false; // unreadable: generate a new pair
        }
    }

    static void generateSelfSigned(Path dataDir, String hostname) throws IOException {
        if (!HOSTNAME.matcher(hostname).matches()) {
            throw new IllegalArgumentException("not a host name or address: " + hostname);
        }
        Files.createDirectories(dataDir);
        Path keystore = Files.createTempFile(dataDir, "rtmps-", ".p12");
        Files.delete(keystore); // keytool refuses to add to an empty, non-keystore file
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        try {
            runKeytool(keystore, password, hostname);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                ks.load(in, password.toCharArray());
            }
            Key privateKey = ks.getKey("rtmps", password.toCharArray());
            Certificate certificate = ks.getCertificate("rtmps");
            writeAtomically(dataDir.resolve(KEY_FILE), pem("PRIVATE KEY", privateKey.getEncoded()), true);
            writeAtomically(dataDir.resolve(CERT_FILE), pem("CERTIFICATE", certificate.getEncoded()), false);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the keystore keytool generated", e);
        } finally {
            Files.deleteIfExists(keystore);
        }
    }

    private static void runKeytool(Path keystore, String password, String hostname) throws IOException {
        String san = "dns:localhost,ip:127.0.0.1";
        if (!hostname.equals("localhost") && !hostname.equals("127.0.0.1")) {
            san += (IP_ADDRESS.matcher(hostname).matches() ? ",ip:" : ",dns:") + hostname;
        }
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        ProcessBuilder pb = new ProcessBuilder(
                        keytool.toString(),
                        "-genkeypair",
                        "-noprompt",
                        "-alias",
                        "rtmps",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-validity",
                        "3650",
                        "-dname",
                        "CN=" + hostname,
                        "-ext",
                        "SAN=" + san,
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        keystore.toString(),
                        "-storepass:env",
                        "RTMPS_KEYSTORE_PASSWORD",
                        "-keypass:env",
                        "RTMPS_KEYSTORE_PASSWORD")
                .redirectErrorStream(true);
        pb.environment().put("RTMPS_KEYSTORE_PASSWORD", password); // not on the command line, where ps shows it
        Process process = pb.start();
        try {
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8).trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while generating the RTMPS certificate", e);
        } finally {
            process.destroy();
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            if (secret) {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: leave the platform's defaults
                }
            }
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
