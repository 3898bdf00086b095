package io.openivs.server.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.openivs.server.testing.SignedHttp;
import io.openivs.server.testing.TestDatabases;
import io.openivs.server.testing.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.ivs.IvsClient;

/**
 * Malformed and hostile requests each get their own clear 4xx, while a second
 * client's ordinary requests keep succeeding the whole time.
 */
class BadInputTest {
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

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("x-amzn-ErrorType")).hasValue(code);
        assertThat(r.headers().firstValue("x-amzn-RequestId")).isPresent();
        assertThat(r.body()).contains("\"message\"");
    }

    @Test
    void eachMalformedRequestGetsItsErrorWhileAnotherClientIsServed() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread bystander;
        try (IvsClient bob = server.client(TestServer.BOB)) {
            String arn = bob.createChannel(b -> b.name("bystander")).channel().arn();
            bystander = new Thread(() -> {
                try {
                    while (running.get()) {
                        assertThat(bob.getChannel(b -> b.arn(arn)).channel().name())
                                .isEqualTo("bystander");
                        served.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            bystander.start();

            assertError(raw.send("POST", "/CreateChannel", utf8("{\"name\":")), 400, "SerializationException");
            assertError(raw.send("POST", "/CreateChannel", utf8("[1,2]")), 400, "SerializationException");
            assertError(
                    raw.send("POST", "/CreateChannel", utf8("{\"name\":\"a\"} trailing")),
                    400,
                    "SerializationException");
            assertError(
                    raw.send("POST", "/CreateChannel", new byte[] {
                        '{', '"', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'
                    }),
                    400,
                    "SerializationException");
            HttpResponse<String> wrongType =
                    raw.send("POST", "/CreateChannel", utf8("{\"name\":5,\"authorized\":\"yes\"}"));
            assertError(wrongType, 400, "ValidationException");
            assertThat(wrongType.body()).contains("'name'").contains("'authorized'");
            assertError(raw.send("POST", "/GetChannel", utf8("{}")), 400, "ValidationException");
            assertError(
                    raw.send("POST", "/CreateChannel", new byte[1024 * 1024 + 1]),
                    413,
                    "RequestEntityTooLargeException");
            assertError(raw.send("POST", "/NoSuchOperation", utf8("{}")), 404, "UnknownOperationException");
            assertError(raw.send("GET", "/CreateChannel", new byte[0]), 404, "UnknownOperationException");
            assertError(raw.unsigned("POST", "/ListChannels", utf8("{}")), 403, "MissingAuthenticationTokenException");
            HttpResponse<String> old = raw.send(
                    "POST", "/ListChannels", utf8("{}"), Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-20)));
            assertError(old, 403, "InvalidSignatureException");
            assertThat(old.body()).contains("Signature expired");

            // Bytes that are not HTTP at all: the connection is answered or closed, never hangs the server.
            Random random = new Random(7);
            for (int i = 0; i < 50; i++) {
                try (Socket s = new Socket("127.0.0.1", server.endpoint().getPort())) {
                    s.setSoTimeout(5000);
                    byte[] junk = new byte[1 + random.nextInt(4096)];
                    random.nextBytes(junk);
                    OutputStream out = s.getOutputStream();
                    out.write(junk);
                    out.write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    s.shutdownOutput();
                    InputStream in = s.getInputStream();
                    while (in.read() >= 0) {
                        // drain until the server closes
                    }
                } catch (java.net.SocketException closedByServer) {
                    // a reset is a fine answer to garbage
                }
            }
            running.set(false);
            bystander.join(10_000);
        }
        assertThat(failure.get()).isNull();
        assertThat(served.get()).isGreaterThan(10);
        // And the server still creates channels afterwards.
        try (IvsClient alice = server.client(TestServer.ALICE)) {
            assertThat(alice.createChannel(b -> b.name("after")).channel().name())
                    .isEqualTo("after");
        }
    }
}
