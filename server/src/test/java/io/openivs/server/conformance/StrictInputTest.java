package io.openivs.server.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.openivs.server.testing.SignedHttp;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input the model does not allow is refused or dropped, never stored and echoed back. */
class StrictInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    TestServer server;
    SignedHttp raw;

    @BeforeEach
    void start() throws Exception {
        server = new TestServer(dir, TestDatabases.sqlite(dir));
        raw = new SignedHttp(server.endpoint(), TestServer.ALICE);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void unknownMembersAtAnyDepthAreNotStoredOrEchoed() throws Exception {
        String junk = "J".repeat(100_000);
        HttpResponse<String> created = raw.send(
                "POST",
                "/CreateChannel",
                utf8("{\"name\":\"strict\",\"junkTop\":\"" + junk
                        + "\",\"multitrackInputConfiguration\":{\"enabled\":false,\"junkNested\":\"" + junk + "\"}}"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(created.body()).doesNotContain("junk");
        String arn = JSON.readTree(created.body()).path("channel").path("arn").asText();
        HttpResponse<String> got = raw.send("POST", "/GetChannel", utf8("{\"arn\":\"" + arn + "\"}"));
        assertThat(got.statusCode()).isEqualTo(200);
        assertThat(got.body()).doesNotContain("junk").hasSizeLessThan(10_000);
        assertThat(JSON.readTree(got.body())
                        .path("channel")
                        .path("multitrackInputConfiguration")
                        .path("enabled")
                        .asBoolean(true))
                .isFalse();

        HttpResponse<String> rc = raw.send(
                "POST",
                "/CreateRecordingConfiguration",
                utf8("{\"destinationConfiguration\":"
                        + "{\"s3\":{\"bucketName\":\"bucket-1\",\"junkS3\":\"" + junk + "\"}},"
                        + "\"thumbnailConfiguration\":{\"recordingMode\":\"DISABLED\",\"junkThumb\":[1,2,3]}}"));
        assertThat(rc.statusCode()).as(rc.body()).isEqualTo(200);
        String rcArn = JSON.readTree(rc.body())
                .path("recordingConfiguration")
                .path("arn")
                .asText();
        HttpResponse<String> rcGot =
                raw.send("POST", "/GetRecordingConfiguration", utf8("{\"arn\":\"" + rcArn + "\"}"));
        assertThat(rcGot.body()).doesNotContain("junk").contains("bucket-1");
    }

    @Test
    void anOverlongUtf8SlashIsRefusedNotReadAsASlash() throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(utf8("{\"name\":\"a"));
        body.write(0xC0);
        body.write(0xAF);
        body.writeBytes(utf8("b\"}"));
        HttpResponse<String> r = raw.send("POST", "/CreateChannel", body.toByteArray());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("x-amzn-ErrorType")).hasValue("SerializationException");
    }

    @Test
    void twoConcatenatedPemBlocksAreNotOneKey() throws Exception {
        String one = pem();
        String two = one + one;
        HttpResponse<String> r = raw.send(
                "POST",
                "/ImportPlaybackKeyPair",
                JSON.writeValueAsBytes(JSON.createObjectNode().put("publicKeyMaterial", two)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("x-amzn-ErrorType")).hasValue("ValidationException");
        HttpResponse<String> ok = raw.send(
                "POST",
                "/ImportPlaybackKeyPair",
                JSON.writeValueAsBytes(JSON.createObjectNode().put("publicKeyMaterial", one)));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    }

    @Test
    void restrictionPoliciesTakeRealCountryCodesOnce() throws Exception {
        HttpResponse<String> xx =
                raw.send("POST", "/CreatePlaybackRestrictionPolicy", utf8("{\"allowedCountries\":[\"US\",\"XX\"]}"));
        assertThat(xx.statusCode()).as(xx.body()).isEqualTo(400);
        assertThat(xx.body()).contains("XX");

        StringBuilder many = new StringBuilder("{\"allowedCountries\":[\"DE\"");
        for (int i = 0; i < 20_000; i++) {
            many.append(",\"US\"");
        }
        many.append("]}");
        HttpResponse<String> r = raw.send("POST", "/CreatePlaybackRestrictionPolicy", utf8(many.toString()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode countries =
                JSON.readTree(r.body()).path("playbackRestrictionPolicy").path("allowedCountries");
        assertThat(countries.toString()).isEqualTo("[\"DE\",\"US\"]");
    }

    private static String pem() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        byte[] der = g.generateKeyPair().getPublic().getEncoded();
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    }
}
