package io.openivs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.client.model.ChannelSummary;
import io.openivs.client.model.ListChannelsRequest;
import io.openivs.client.model.ListChannelsResponse;
import io.openivs.client.model.ListStreamKeysRequest;
import io.openivs.client.model.StreamKeySummary;
import io.openivs.client.testing.TestClients;
import io.openivs.client.testing.TestServer;
import io.openivs.client.testing.TestServer.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The three paginator forms walk every page, in order, asking only for what is consumed. */
class PaginationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHANNELS = 250;
    private static final int PAGE = 7;
    private static final int PAGES = (CHANNELS + PAGE - 1) / PAGE;

    private TestServer server;
    private IvsClient client;

    /** Pages "channel-000".."channel-249" (and as many stream keys) with the offset as token. */
    @BeforeEach
    void start() throws IOException {
        server = TestServer.start(request -> {
            try {
                JsonNode body = JSON.readTree(request.body());
                int offset = body.hasNonNull("nextToken")
                        ? Integer.parseInt(body.get("nextToken").asText())
                        : 0;
                int size = body.path("maxResults").asInt(100);
                boolean keys = request.rawPath().equals("/ListStreamKeys");
                ObjectNode page = JSON.createObjectNode();
                ArrayNode items = page.putArray(keys ? "streamKeys" : "channels");
                for (int i = offset; i < Math.min(CHANNELS, offset + size); i++) {
                    items.addObject().put("arn", String.format("%s-%03d", keys ? "key" : "channel", i));
                }
                if (offset + size < CHANNELS) {
                    page.put("nextToken", Integer.toString(offset + size));
                }
                return Reply.json(200, page.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        client = TestClients.client(server);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static List<String> expected(String prefix) {
        return IntStream.range(0, CHANNELS)
                .mapToObj(i -> String.format("%s-%03d", prefix, i))
                .collect(Collectors.toList());
    }

    private static ListChannelsRequest bySeven() {
        return ListChannelsRequest.builder().maxResults(PAGE).build();
    }

    @Test
    void listAllReturnsEveryItemInOrder() throws Exception {
        List<ChannelSummary> all = client.listAllChannels(bySeven());

        assertThat(all).extracting(ChannelSummary::arn).containsExactlyElementsOf(expected("channel"));
        assertThat(server.requests()).hasSize(PAGES);
        List<String> tokens = new ArrayList<>();
        for (TestServer.Request r : server.requests()) {
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("maxResults").asInt()).isEqualTo(PAGE);
            tokens.add(body.path("nextToken").asText(null));
        }
        assertThat(tokens).startsWith(null, "7", "14").endsWith("245");
        assertThatThrownBy(() -> all.add(null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theCallbackSeesEveryItemAsPagesArrive() {
        List<String> seen = new ArrayList<>();
        client.listAllChannels(bySeven(), c -> {
            seen.add(c.arn());
            // Items of a page are handed over before the next page is asked for.
            assertThat(server.requests()).hasSize(seen.size() / PAGE + (seen.size() % PAGE == 0 ? 0 : 1));
        });
        assertThat(seen).containsExactlyElementsOf(expected("channel"));
    }

    @Test
    void theLazyFormFetchesOnlyWhatIsConsumed() {
        PageIterable<ListChannelsResponse, ChannelSummary> lazy = client.listChannelsPaginator(bySeven());
        assertThat(server.requests()).isEmpty();

        assertThat(lazy.stream().limit(10).map(ChannelSummary::arn))
                .containsExactlyElementsOf(expected("channel").subList(0, 10));
        assertThat(server.requests()).hasSize(2);

        int pages = 0;
        for (ListChannelsResponse page : lazy.pages()) {
            assertThat(page.channels()).hasSizeLessThanOrEqualTo(PAGE);
            pages++;
        }
        assertThat(pages).isEqualTo(PAGES);
    }

    @Test
    void aRequestTokenStartsMidway() {
        List<ChannelSummary> rest =
                client.listAllChannels(bySeven().toBuilder().nextToken("245").build());
        assertThat(rest)
                .extracting(ChannelSummary::arn)
                .containsExactly("channel-245", "channel-246", "channel-247", "channel-248", "channel-249");
    }

    @Test
    void paginatorsWithRequiredMembersKeepThem() {
        List<StreamKeySummary> keys = client.listAllStreamKeys(ListStreamKeysRequest.builder()
                .channelArn("arn:aws:ivs:us-west-2:1:channel/x")
                .maxResults(PAGE)
                .build());
        assertThat(keys).extracting(StreamKeySummary::arn).containsExactlyElementsOf(expected("key"));
        assertThat(server.requests())
                .allSatisfy(r -> assertThat(
                                JSON.readTree(r.body()).get("channelArn").asText())
                        .isEqualTo("arn:aws:ivs:us-west-2:1:channel/x"));
    }

    @Test
    void theAsyncFormsWalkEveryPageToo() throws Exception {
        assertThat(client.async().listAllChannels(bySeven()).get(10, TimeUnit.SECONDS))
                .extracting(ChannelSummary::arn)
                .containsExactlyElementsOf(expected("channel"));
        List<String> seen = new ArrayList<>();
        client.async().listAllChannels(bySeven(), c -> seen.add(c.arn())).get(10, TimeUnit.SECONDS);
        assertThat(seen).containsExactlyElementsOf(expected("channel"));
        assertThat(server.requests()).hasSize(2 * PAGES);
    }

    @Test
    void aServerRepeatingItsTokenDoesNotLoopForever() throws Exception {
        try (TestServer stuck =
                TestServer.script(Reply.json(200, "{\"channels\":[{\"arn\":\"a\"}],\"nextToken\":\"t\"}"))) {
            assertThatThrownBy(() -> TestClients.client(stuck).listAllChannels())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("same nextToken");
            assertThat(stuck.requests()).hasSize(2);
        }
    }
}
