package io.openivs.server.ingest.rtmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RtmpsCertificatesTest {

    @Test
    void selfSignedPairIsGeneratedOnceAndReused(@TempDir Path dir) throws Exception {
        SslContext first = RtmpsCertificates.selfSigned(dir, "ingest.example.test");
        assertThat(first.isServer()).isTrue();
        Path cert = dir.resolve(RtmpsCertificates.CERT_FILE);
        Path key = dir.resolve(RtmpsCertificates.KEY_FILE);
        String certPem = Files.readString(cert);
        assertThat(Files.getPosixFilePermissions(key))
                .containsOnly(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");

        X509Certificate x509;
        try (InputStream in = Files.newInputStream(cert)) {
            x509 = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertThat(x509.getSubjectX500Principal().getName()).isEqualTo("CN=ingest.example.test");
        List<Object> names = x509.getSubjectAlternativeNames().stream()
                .map(san -> (Object) san.get(1))
                .toList();
        assertThat(names).contains("localhost", "127.0.0.1", "ingest.example.test");

        RtmpsCertificates.selfSigned(dir, "ingest.example.test");
        assertThat(Files.readString(cert)).as("second start reuses the pair").isEqualTo(certPem);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .containsExactlyInAnyOrderElementsOf(
                            List.of(RtmpsCertificates.CERT_FILE, RtmpsCertificates.KEY_FILE));
        }
    }

    @Test
    void unreadablePemIsAClearError(@TempDir Path dir) throws Exception {
        Path cert = Files.writeString(dir.resolve("c.pem"), "not a certificate");
        Path key = Files.writeString(dir.resolve("k.pem"), "not a key");
        assertThatThrownBy(() -> RtmpsCertificates.fromPem(cert, key))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot load RTMPS certificate");
    }

    @Test
    void hostNameThatCouldSmuggleKeytoolSyntaxIsRejected(@TempDir Path dir) {
        assertThatThrownBy(() -> RtmpsCertificates.selfSigned(dir, "evil,OU=x"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aNewPublicHostGetsANewCertificateNamingIt(@TempDir Path dir) throws Exception {
        RtmpsCertificates.selfSigned(dir, "old.example.test");
        Path cert = dir.resolve(RtmpsCertificates.CERT_FILE);
        String before = Files.readString(cert);
        assertThat(RtmpsCertificates.names(cert, "old.example.test")).isTrue();

        RtmpsCertificates.selfSigned(dir, "new.example.test");
        assertThat(Files.readString(cert)).as("regenerated for the new host").isNotEqualTo(before);
        assertThat(RtmpsCertificates.names(cert, "new.example.test")).isTrue();
        assertThat(RtmpsCertificates.names(cert, "old.example.test")).isFalse();
    }
}
