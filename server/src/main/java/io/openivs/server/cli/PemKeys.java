package io.openivs.server.cli;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/** EC P-384 playback keys as PEM text: what ImportPlaybackKeyPair takes and what signs viewer tokens. */
final class PemKeys {
    private static final String CURVE = "secp384r1";

    private PemKeys() {}

    static KeyPair generate() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(CURVE));
        return g.generateKeyPair();
    }

    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    /**
     * Reads a private key: PKCS#8 ("PRIVATE KEY", as {@code openivs keys generate} writes) or SEC1
     * ("EC PRIVATE KEY", as {@code openssl ecparam -genkey} writes).
     */
    static ECPrivateKey readPrivate(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file);
        byte[] pkcs8 = block(text, "PRIVATE KEY");
        if (pkcs8 != null) {
            return (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        }
        byte[] sec1 = block(text, "EC PRIVATE KEY");
        if (sec1 != null) {
            return fromSec1(sec1);
        }
        throw new GeneralSecurityException(file + " holds no PEM private key (PRIVATE KEY or EC PRIVATE KEY)");
    }

    private static byte[] block(String text, String label) {
        String begin = "-----BEGIN " + label + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf("-----END " + label + "-----");
        if (b < 0 || e < b) {
            return null;
        }
        return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    }

    /**
     * SEC1 ECPrivateKey (RFC 5915): SEQUENCE { INTEGER 1, OCTET STRING d, [0] curve, [1] public key }.
     * Only d is needed; the curve is taken to be P-384, the only one IVS accepts.
     */
    private static ECPrivateKey fromSec1(byte[] der) throws GeneralSecurityException {
        int[] pos = {0};
        expect(der, pos, 0x30);
        length(der, pos);
        expect(der, pos, 0x02);
        pos[0] += length(der, pos);
        expect(der, pos, 0x04);
        int n = length(der, pos);
        BigInteger d = new BigInteger(1, java.util.Arrays.copyOfRange(der, pos[0], pos[0] + n));
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec(CURVE));
        return (ECPrivateKey) KeyFactory.getInstance("EC")
                .generatePrivate(new ECPrivateKeySpec(d, params.getParameterSpec(ECParameterSpec.class)));
    }

    private static void expect(byte[] der, int[] pos, int tag) throws GeneralSecurityException {
        if (pos[0] >= der.length || (der[pos[0]++] & 0xff) != tag) {
            throw new GeneralSecurityException("not an EC PRIVATE KEY");
        }
    }

    private static int length(byte[] der, int[] pos) throws GeneralSecurityException {
        if (pos[0] >= der.length) {
            throw new GeneralSecurityException("not an EC PRIVATE KEY");
        }
        int first = der[pos[0]++] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int len = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            len = (len << 8) | (der[pos[0]++] & 0xff);
        }
        return len;
    }
}
