package io.openivs.client.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed generated sources are what the generator makes of the model today. */
class GeneratedSourcesTest {

    /** Surefire runs in the module directory. */
    private static final Path COMMITTED = Paths.get("src/main/java");

    @Test
    void committedSourcesAreUpToDate(@TempDir Path tmp) throws IOException {
        Map<String, String> files = ClientGenerator.forIvs().generate();
        if (Boolean.getBoolean("openivs.regenerate")) {
            ClientGenerator.write(COMMITTED, files);
            return;
        }
        ClientGenerator.write(tmp, files);

        List<String> stale = new ArrayList<>();
        for (String rel : files.keySet()) {
            Path committed = COMMITTED.resolve(rel);
            if (!Files.exists(committed)) {
                stale.add(rel + " (missing)");
            } else if (!Files.readString(committed, StandardCharsets.UTF_8)
                    .equals(Files.readString(tmp.resolve(rel), StandardCharsets.UTF_8))) {
                stale.add(rel + " (differs)");
            }
        }
        for (Path p : ClientGenerator.generatedFiles(COMMITTED)) {
            String rel = COMMITTED.relativize(p).toString().replace('\\', '/');
            if (!files.containsKey(rel)) {
                stale.add(rel + " (no longer generated)");
            }
        }
        assertThat(files).hasSizeGreaterThan(100);
        assertThat(stale)
                .as(
                        "Generated sources are stale; rewrite them with ./mvnw -q -pl client -am test "
                                + "-Dtest=GeneratedSourcesTest -Dopenivs.regenerate=true -Dsurefire.failIfNoSpecifiedTests=false")
                .isEmpty();
    }
}
