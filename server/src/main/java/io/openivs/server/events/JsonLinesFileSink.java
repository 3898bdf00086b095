package io.openivs.server.events;

import io.openivs.server.resource.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends each event's envelope as one JSON line ({@code <data-dir>/events.jsonl} by default). */
public final class JsonLinesFileSink implements EventSink {
    private final Path file;
    private final Writer out;

    public JsonLinesFileSink(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.out = Files.newBufferedWriter(
                file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public void publish(IvsEvent event) {
        try {
            out.write(Json.write(event.envelope()));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // nothing more to write
        }
    }

    @Override
    public String toString() {
        return "file " + file;
    }
}
