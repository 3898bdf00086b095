package io.openivs.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.resource.Json;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A channel's recordings as the console lists them, from the IVS Recording State Change events in the
 * events file (IVS has no operation that lists recordings: its users read them from these events or from
 * S3). Only the file's last {@link #TAIL_BYTES} are read, newest first; off the event loop.
 */
final class RecordingEvents {
    static final int TAIL_BYTES = 4 * 1024 * 1024;
    static final int MAX_LISTED = 50;

    private final Path eventsFile;
    /** Where a folder-stored recording's files are served ({@code .../recordings/}), or null (S3). */
    private final String filesBase;

    RecordingEvents(Path eventsFile, String filesBase) {
        this.eventsFile = eventsFile;
        this.filesBase = filesBase;
    }

    /**
     * The channel's recordings, newest first: one entry per recording session, with its last state
     * ({@code Recording Start}, {@code Recording End}, ...), bucket, prefix, duration and, when this server
     * serves the files, the URL of its HLS multivariant playlist.
     */
    ArrayNode list(String channelArn) throws IOException {
        String[] lines = tail().split("\n");
        ArrayNode out = Json.MAPPER.createArrayNode();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = lines.length - 1; i >= 0 && out.size() < MAX_LISTED; i--) {
            String line = lines[i];
            if (!line.contains("IVS Recording State Change") || !line.contains(channelArn)) {
                continue;
            }
            JsonNode e;
            try {
                e = Json.MAPPER.readTree(line);
            } catch (IOException bad) {
                continue; // the first line of the tail may be cut
            }
            JsonNode resources = e.path("resources");
            if (!resources.isArray()
                    || resources.size() != 1
                    || !channelArn.equals(resources.get(0).asText())) {
                continue;
            }
            JsonNode d = e.path("detail");
            String session = d.path("recording_session_id").asText();
            if (!seen.add(session)) {
                continue; // an older state of a recording already listed
            }
            ObjectNode r = out.addObject();
            r.put("recordingSessionId", session);
            r.put("status", d.path("recording_status").asText());
            r.put("reason", d.path("recording_status_reason").asText());
            r.put("time", e.path("time").asText());
            r.put("streamId", d.path("stream_id").asText());
            r.put("bucket", d.path("recording_s3_bucket_name").asText());
            r.put("prefix", d.path("recording_s3_key_prefix").asText());
            r.put("durationMs", d.path("recording_duration_ms").asLong());
            if (filesBase != null) {
                r.put(
                        "playlistUrl",
                        filesBase + d.path("recording_s3_bucket_name").asText() + "/"
                                + d.path("recording_s3_key_prefix").asText() + "/media/hls/master.m3u8");
            }
        }
        return out;
    }

    private String tail() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(eventsFile.toFile(), "r")) {
            long length = f.length();
            long start = Math.max(0, length - TAIL_BYTES);
            byte[] bytes = new byte[(int) (length - start)];
            f.seek(start);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            return ""; // no event written yet
        }
    }
}
