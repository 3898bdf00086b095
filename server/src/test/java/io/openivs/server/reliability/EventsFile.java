package io.openivs.server.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A child server's {@code events.jsonl}, read as the tests of a node's stops and crashes check it. */
final class EventsFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventsFile() {}

    /** Every event in {@code <dataDir>/events.jsonl}, in order (none when the file is not there yet). */
    static List<JsonNode> read(Path dataDir) {
        List<JsonNode> out = new ArrayList<>();
        Path file = dataDir.resolve("events.jsonl");
        if (!Files.exists(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The events of one stream with that name (a state change's event_name or a recording's status). */
    static List<JsonNode> ofStream(Path dataDir, String streamId, String name) {
        return read(dataDir).stream()
                .filter(e -> streamId.equals(e.path("detail").path("stream_id").asText()) && name.equals(name(e)))
                .toList();
    }

    /** The first event named {@code name}, or null. */
    static JsonNode first(List<JsonNode> events, String name) {
        for (JsonNode e : events) {
            if (name.equals(name(e))) {
                return e;
            }
        }
        return null;
    }

    static String name(JsonNode e) {
        JsonNode d = e.path("detail");
        return d.has("event_name")
                ? d.path("event_name").asText()
                : d.path("recording_status").asText();
    }
}
