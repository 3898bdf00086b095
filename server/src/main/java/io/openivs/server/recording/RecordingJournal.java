package io.openivs.server.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.config.DataDir;
import io.openivs.server.resource.Json;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a recording in progress has stored, one JSON line per fact, in
 * {@code <spool>/open-recordings/<recordingId>.jsonl}: a header (channel, configuration, prefix,
 * rendition), then each segment once the destination holds it, and each stream that joined. A
 * process killed mid-recording leaves the file behind; the next start finishes the recording from
 * it (playlists with ENDLIST, recording-ended.json, Recording End). Deleted once the end is stored.
 */
final class RecordingJournal {
    private static final Logger log = LoggerFactory.getLogger(RecordingJournal.class);
    static final String DIR = "open-recordings";

    private final Path file;
    private Writer out;

    private RecordingJournal(Path file, Writer out) {
        this.file = file;
        this.out = out;
    }

    /** Recorder thread: opens the journal with its header; null (logged) when the disk refuses. */
    static RecordingJournal create(Path spoolDir, String recordingId, ObjectNode header) {
        Path file = spoolDir.resolve(DIR).resolve(recordingId + ".jsonl");
        try {
            Files.createDirectories(file.getParent());
            DataDir.createPrivateFile(file);
            Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            RecordingJournal j = new RecordingJournal(file, out);
            j.line(header);
            return j;
        } catch (IOException e) {
            log.warn(
                    "recording journal {} not written ({}): a crash would leave this recording unfinished",
                    file,
                    e.toString());
            return null;
        }
    }

    /** A journal an earlier run left, only to be deleted once its recording's end is stored. */
    static RecordingJournal existing(Path file) {
        return new RecordingJournal(file, null);
    }

    /**
     * Uploader thread: the segment is in the destination (recorder thread for a source segment that
     * is not stored, for the duration).
     *
     * @param rung the transcoded rendition's name, or null for the source
     */
    void stored(VodPlaylists.Entry e, String rung) {
        ObjectNode n = Json.object();
        if (rung != null) {
            n.put("rendition", rung);
        }
        e.writeTo(n.putArray("segment"));
        line(n);
    }

    /** Recorder thread: a transcoded rendition's first segment is on its way. */
    void rung(Rendition r) {
        line(Json.object().set("rung", r.toJson()));
    }

    /** Recorder thread: a reconnect continues the recording. */
    void joined(String streamId) {
        line(Json.object().put("stream", streamId));
    }

    /** The recording's end is stored: nothing is left to finish. */
    synchronized void delete() {
        close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("recording journal {} not deleted: {}", file, e.toString());
        }
    }

    private synchronized void line(ObjectNode n) {
        if (out == null) {
            return;
        }
        try {
            out.write(Json.write(n));
            out.write('\n');
            out.flush(); // in the page cache: survives the process, which is what this is for
        } catch (IOException e) {
            log.warn("recording journal {}: {}", file, e.toString());
        }
    }

    private void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // deleted next
            }
            out = null;
        }
    }

    /** A journal an earlier run left: its header, the source's and each rung's stored segments, streams, in order. */
    record Orphan(
            Path file,
            ObjectNode header,
            List<VodPlaylists.Entry> entries,
            Map<Rendition, List<VodPlaylists.Entry>> rungs,
            List<String> streamIds,
            java.time.Instant lastWritten) {}

    /** The journals left in {@code spoolDir}; unreadable ones are logged and skipped. */
    static List<Orphan> orphans(Path spoolDir) {
        Path dir = spoolDir.resolve(DIR);
        List<Orphan> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(f -> f.getFileName().toString().endsWith(".jsonl"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            log.warn("recording journals in {} unreadable: {}", dir, e.toString());
            return out;
        }
        for (Path f : files) {
            try {
                out.add(read(f));
            } catch (IOException | RuntimeException e) {
                log.warn("recording journal {} unreadable, skipped: {}", f, e.toString());
            }
        }
        return out;
    }

    private static Orphan read(Path f) throws IOException {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        ObjectNode header = Json.parseObject(lines.get(0));
        List<VodPlaylists.Entry> entries = new ArrayList<>();
        Map<String, Rendition> rungNames = new HashMap<>();
        Map<Rendition, List<VodPlaylists.Entry>> rungs = new LinkedHashMap<>();
        List<String> streams = new ArrayList<>();
        header.path("streamIds").forEach(s -> streams.add(s.asText()));
        for (int i = 1; i < lines.size(); i++) {
            ObjectNode n;
            try {
                n = Json.parseObject(lines.get(i));
            } catch (RuntimeException e) {
                break; // the line being written when the process died
            }
            JsonNode s = n.path("segment");
            if (s.isArray()) {
                VodPlaylists.Entry e = VodPlaylists.Entry.read(s);
                Rendition rung =
                        n.has("rendition") ? rungNames.get(n.get("rendition").asText()) : null;
                if (rung != null) {
                    rungs.get(rung).add(e);
                } else if (!n.has("rendition")) {
                    entries.add(e);
                }
            } else if (n.has("rung")) {
                Rendition r = Rendition.fromJson(n.get("rung"));
                rungNames.put(r.name(), r);
                rungs.put(r, new ArrayList<>());
            } else if (n.has("stream")) {
                streams.add(n.get("stream").asText());
            }
        }
        return new Orphan(
                f, header, entries, rungs, streams, Files.getLastModifiedTime(f).toInstant());
    }
}
