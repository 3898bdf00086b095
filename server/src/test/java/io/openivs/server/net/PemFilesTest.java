package io.openivs.server.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.openivs.server.testing.TestCa;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key formats certbot and openssl write all load; pairs that do not belong together are refused. */
class PemFilesTest {
    @Test
    void everyCommonKeyFormatLoadsWithItsChain(@TempDir Path dir) throws Exception {
        TestCa ca = TestCa.create(dir);
        long serial = 100;
        for (TestCa.KeyFormat format : TestCa.KeyFormat.values()) {
            TestCa.Issued issued = ca.issue(format.name().toLowerCase(), ++serial, format);
            PemFiles.KeyPair pair = PemFiles.read(issued.chain(), issued.key());
            assertThat(pair.chain()).as(format.name()).hasSize(2);
            assertThat(pair.leaf().getSerialNumber()).as(format.name()).isEqualTo(BigInteger.valueOf(serial));
            assertThat(pair.key().getAlgorithm())
                    .as(format.name())
                    .isEqualTo(format.name().startsWith("RSA") ? "RSA" : "EC");
            assertThat(ReloadingSslContext.load(issued.chain(), issued.key())
                            .certificate()
                            .getSerialNumber())
                    .isEqualTo(BigInteger.valueOf(serial));
        }
        assertThat(Files.readString(dir.resolve("rsa_pkcs1.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Files.readString(dir.resolve("ec_sec1.key"))).startsWith("-----BEGIN EC PRIVATE KEY-----");
    }

    @Test
    void aKeyFromAnotherPairIsRefused(@TempDir Path dir) throws Exception {
        TestCa ca = TestCa.create(dir);
        TestCa.Issued one = ca.issue("one", 1, TestCa.KeyFormat.EC_SEC1);
        TestCa.Issued two = ca.issue("two", 2, TestCa.KeyFormat.EC_SEC1);
        assertThatThrownBy(() -> PemFiles.read(one.chain(), two.key()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not belong");
        assertThatThrownBy(() -> ReloadingSslContext.load(one.chain(), two.key()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot load TLS certificate");
    }

    @Test
    void aHalfRenewedPairKeepsServingTheOldOneUntilTheKeyArrives(@TempDir Path dir) throws Exception {
        TestCa ca = TestCa.create(dir);
        TestCa.Issued one = ca.issue("one", 1, TestCa.KeyFormat.RSA_PKCS8);
        TestCa.Issued two = ca.issue("two", 2, TestCa.KeyFormat.RSA_PKCS8);
        Path cert = Files.copy(one.chain(), dir.resolve("cert.pem"));
        Path key = Files.copy(one.key(), dir.resolve("key.pem"));
        ReloadingSslContext tls = ReloadingSslContext.load(cert, key);
        assertThat(tls.reloadIfChanged()).as("nothing changed").isFalse();

        Files.copy(two.chain(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(cert, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));
        assertThat(tls.reloadIfChanged()).as("certificate renewed, key not yet").isFalse();
        assertThat(tls.certificate().getSerialNumber()).isEqualTo(BigInteger.ONE);

        Files.copy(two.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(key, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));
        assertThat(tls.reloadIfChanged()).isTrue();
        assertThat(tls.certificate().getSerialNumber()).isEqualTo(BigInteger.TWO);
    }

    @Test
    void anEncryptedKeyIsRefusedWithWhatToDo(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(
                dir.resolve("k.pem"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQww\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemFiles.privateKey(Files.readString(key)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("encrypted")
                .hasMessageContaining("openssl pkey");
    }
}
