package io.openivs.server.net;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what certbot, openssl and most CAs hand out: a PEM certificate chain (leaf first) and an unencrypted
 * private key as PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}).
 * The JDK reads only PKCS#8, so the other two are wrapped in a PKCS#8 envelope here rather than pulling in a
 * crypto library for it.
 */
public final class PemFiles {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
    /** AlgorithmIdentifier for rsaEncryption with NULL parameters (RFC 8017 A.1). */
    private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500");
    /** OID id-ecPublicKey (RFC 5480). */
    private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201");

    /** A certificate chain and its private key, checked to belong together. */
    public record KeyPair(X509Certificate[] chain, PrivateKey key) {
        public X509Certificate leaf() {
            return chain[0];
        }
    }

    private PemFiles() {}

    public static KeyPair read(Path certificateChain, Path privateKey) throws IOException {
        X509Certificate[] chain = certificates(Files.readString(certificateChain, StandardCharsets.US_ASCII));
        if (chain.length == 0) {
            throw new IOException("no CERTIFICATE block in " + certificateChain);
        }
        PrivateKey key = privateKey(Files.readString(privateKey, StandardCharsets.US_ASCII));
        if (!matches(chain[0].getPublicKey(), key)) {
            throw new IOException(
                    "the key in " + privateKey + " does not belong to the first certificate in " + certificateChain);
        }
        return new KeyPair(chain, key);
    }

    static X509Certificate[] certificates(String pem) throws IOException {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            return cf.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
                    .map(c -> (X509Certificate) c)
                    .toArray(X509Certificate[]::new);
        } catch (CertificateException e) {
            throw new IOException("not a PEM certificate chain: " + e.getMessage(), e);
        }
    }

    static PrivateKey privateKey(String pem) throws IOException {
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            if (!type.endsWith("PRIVATE KEY")) {
                continue; // e.g. the EC PARAMETERS block openssl ecparam puts first
            }
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            return switch (type) {
                case "PRIVATE KEY" -> pkcs8(der);
                case "RSA PRIVATE KEY" -> pkcs8(sequence(INTEGER_0, RSA_ALGORITHM, tlv(0x04, der)));
                case "EC PRIVATE KEY" ->
                    pkcs8(sequence(INTEGER_0, sequence(EC_PUBLIC_KEY_OID, sec1CurveOid(der)), tlv(0x04, der)));
                case "ENCRYPTED PRIVATE KEY" ->
                    throw new IOException(
                            "the private key is encrypted; give it unencrypted (openssl pkey -in key.pem -out plain.pem)");
                default -> throw new IOException("unsupported key type " + type);
            };
        }
        throw new IOException("no PRIVATE KEY block");
    }

    private static final byte[] INTEGER_0 = {0x02, 0x01, 0x00};

    private static PrivateKey pkcs8(byte[] der) throws IOException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException("cannot read the private key (RSA, EC and EdDSA keys are supported)");
    }

    /** SEC1 ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING, [0] parameters (named curve OID), ... }. */
    private static byte[] sec1CurveOid(byte[] der) throws IOException {
        Der outer = new Der(der, 0);
        if (outer.tag != 0x30) {
            throw new IOException("EC PRIVATE KEY is not a DER sequence");
        }
        int p = outer.contentStart;
        while (p < outer.end) {
            Der field = new Der(der, p);
            if (field.tag == 0xA0) {
                Der oid = new Der(der, field.contentStart);
                if (oid.tag == 0x06) {
                    return java.util.Arrays.copyOfRange(der, field.contentStart, oid.end);
                }
            }
            p = field.end;
        }
        throw new IOException(
                "EC PRIVATE KEY names no curve; write it with its parameters (openssl ec -param_enc named_curve)");
    }

    /** Whether {@code key} signs what {@code publicKey} verifies: a renewal caught between its two writes fails here. */
    static boolean matches(PublicKey publicKey, PrivateKey key) throws IOException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        try {
            byte[] nonce = new byte[32];
            new SecureRandom().nextBytes(nonce);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(nonce);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(nonce);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an EC key against an RSA certificate
        }
    }

    /** One DER tag-length-value header at an offset (single-byte tags: all this class reads). */
    private static final class Der {
        final int tag;
        final int contentStart;
        final int end;

        Der(byte[] b, int at) throws IOException {
            if (at + 2 > b.length) {
                throw new IOException("truncated DER");
            }
            tag = b[at] & 0xff;
            int len = b[at + 1] & 0xff;
            int p = at + 2;
            if (len > 0x80) {
                int n = len & 0x7f;
                if (n > 3 || p + n > b.length) {
                    throw new IOException("bad DER length");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[p++] & 0xff);
                }
            } else if (len == 0x80) {
                throw new IOException("indefinite DER length");
            }
            contentStart = p;
            end = p + len;
            if (end > b.length) {
                throw new IOException("truncated DER");
            }
        }
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        return tlv(0x30, content.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len);
        } else {
            out.write(0x83);
            out.write(len >> 16);
            out.write(len >> 8);
            out.write(len);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s);
    }
}
