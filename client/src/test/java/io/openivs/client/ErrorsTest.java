package io.openivs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.openivs.client.model.ChannelNotBroadcastingException;
import io.openivs.client.model.ConflictException;
import io.openivs.client.model.IvsException;
import io.openivs.client.model.ResourceNotFoundException;
import io.openivs.client.model.ServiceQuotaExceededException;
import io.openivs.client.testing.TestClients;
import io.openivs.client.testing.TestServer;
import io.openivs.client.testing.TestServer.Reply;
import io.openivs.client.transport.RetryPolicy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Error responses become the exception named by their code, carrying status, code, message and request id. */
class ErrorsTest {

    private static final String ARN = "arn:aws:ivs:us-west-2:123456789012:channel/AbCdEf123456";

    private static IvsException failing(Reply reply) throws Exception {
        try (TestServer server = TestServer.script(reply)) {
            IvsClient client =
                    TestClients.builder(server).retryPolicy(RetryPolicy.none()).build();
            return catchThrowableOfType(IvsException.class, () -> client.createChannel(r -> r.name("c")));
        }
    }

    @Test
    void quotaExceededIsItsOwnTypeWithStatus402AndRequestId() throws Exception {
        IvsException e = failing(new Reply(
                402,
                Map.of(
                        "x-amzn-ErrorType",
                        "ServiceQuotaExceededException",
                        "x-amzn-RequestId",
                        "5f2c1a2b-0000-4000-8000-000000000001",
                        "Content-Type",
                        "application/json"),
                "{\"exceptionMessage\":\"Request would exceed the channel quota\"}"));

        assertThat(e).isExactlyInstanceOf(ServiceQuotaExceededException.class);
        assertThat(e.statusCode()).isEqualTo(402);
        assertThat(e.errorCode()).isEqualTo("ServiceQuotaExceededException");
        assertThat(e.requestId()).isEqualTo("5f2c1a2b-0000-4000-8000-000000000001");
        assertThat(e.errorMessage()).isEqualTo("Request would exceed the channel quota");
        assertThat(e.getMessage())
                .contains("Request would exceed the channel quota", "402", "5f2c1a2b-0000-4000-8000-000000000001");
    }

    @Test
    void theErrorTypeIsCutAtItsFirstColon() throws Exception {
        IvsException e = failing(new Reply(
                409,
                Map.of("x-amzn-ErrorType", "ConflictException:http://internal.amazon.com/coral/com.amazonaws.ivs/"),
                "{\"message\":\"busy\"}"));
        assertThat(e).isExactlyInstanceOf(ConflictException.class);
        assertThat(e.errorCode()).isEqualTo("ConflictException");
        assertThat(e.errorMessage()).isEqualTo("busy");
    }

    @Test
    void withoutTheHeaderTheBodyTypeNamesTheError() throws Exception {
        IvsException e = failing(Reply.json(
                404, "{\"__type\":\"com.amazonaws.ivs#ResourceNotFoundException\",\"Message\":\"no such channel\"}"));
        assertThat(e).isExactlyInstanceOf(ResourceNotFoundException.class);
        assertThat(e.errorMessage()).isEqualTo("no such channel");
        assertThat(e.requestId()).isNull();
    }

    @Test
    void errorShapesNotNamedExceptionGetTheSuffixButKeepTheirCode() throws Exception {
        IvsException e = failing(Reply.error(404, "ChannelNotBroadcasting", "offline"));
        assertThat(e).isExactlyInstanceOf(ChannelNotBroadcastingException.class);
        assertThat(e.errorCode())
                .isEqualTo("ChannelNotBroadcasting")
                .isEqualTo(ChannelNotBroadcastingException.ERROR_CODE);
    }

    @Test
    void unknownCodesArePlainIvsExceptions() throws Exception {
        IvsException e = failing(Reply.error(418, "TeapotException", "short and stout"));
        assertThat(e).isExactlyInstanceOf(IvsException.class);
        assertThat(e.errorCode()).isEqualTo("TeapotException");
        assertThat(e.statusCode()).isEqualTo(418);

        IvsException html = failing(new Reply(502, Map.of("Content-Type", "text/html"), "<html>Bad gateway</html>"));
        assertThat(html).isExactlyInstanceOf(IvsException.class);
        assertThat(html.statusCode()).isEqualTo(502);
        assertThat(html.errorCode()).isNull();
    }

    @Test
    void asyncFailuresCarryTheSameException() throws Exception {
        try (TestServer server = TestServer.script(Reply.error(404, "ResourceNotFoundException", "gone"))) {
            Throwable cause = TestClients.client(server)
                    .async()
                    .getChannel(r -> r.arn(ARN))
                    .handle((ok, error) -> error.getCause())
                    .join();
            assertThat(cause).isExactlyInstanceOf(ResourceNotFoundException.class);
            assertThat(((IvsException) cause).requestId()).isEqualTo("req-404");
        }
    }
}
