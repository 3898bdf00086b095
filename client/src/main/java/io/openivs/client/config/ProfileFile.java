package io.openivs.client.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The INI-style AWS shared files. In the credentials file a section is {@code [name]}; in the config file it
 * is {@code [default]} or {@code [profile name]}, and other sections ({@code [sso-session x]},
 * {@code [services x]}) are not profiles. Property names are case-insensitive; a {@code #} or {@code ;}
 * starts a comment at the start of a line or after whitespace. Indented lines continue a property
 * (sub-properties); nothing here uses them, so they are skipped.
 */
public final class ProfileFile {

    private final Map<String, Map<String, String>> profiles;

    private ProfileFile(Map<String, Map<String, String>> profiles) {
        this.profiles = profiles;
    }

    /** An empty file: what a missing file amounts to. */
    public static ProfileFile empty() {
        return new ProfileFile(Map.of());
    }

    /**
     * Reads a file; a missing one (or a null path) reads as empty, as for the AWS tools.
     *
     * @throws UncheckedIOException if the file exists but cannot be read
     */
    public static ProfileFile read(Path file, boolean configFile) {
        if (file == null) {
            return empty();
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), configFile);
        } catch (NoSuchFileException e) {
            return empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read AWS profile file " + file, e);
        }
    }

    public static ProfileFile parse(String text, boolean configFile) {
        Map<String, Map<String, String>> profiles = new LinkedHashMap<>();
        Map<String, String> current = null;
        for (String rawLine : text.split("\r?\n|\r")) {
            if (rawLine.isBlank()) {
                continue;
            }
            boolean indented = Character.isWhitespace(rawLine.charAt(0));
            String line = stripComment(rawLine).trim();
            if (line.isEmpty() || indented) {
                continue;
            }
            if (line.startsWith("[")) {
                int close = line.indexOf(']');
                String name =
                        close < 0 ? null : profileName(line.substring(1, close).trim(), configFile);
                current = name == null ? null : profiles.computeIfAbsent(name, n -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (current != null && eq > 0) {
                current.put(
                        line.substring(0, eq).trim().toLowerCase(Locale.ROOT),
                        line.substring(eq + 1).trim());
            }
        }
        profiles.replaceAll((k, v) -> Collections.unmodifiableMap(v));
        return new ProfileFile(Collections.unmodifiableMap(profiles));
    }

    /** The properties of a profile (names in lower case), or an empty map when the file has no such profile. */
    public Map<String, String> profile(String name) {
        return profiles.getOrDefault(name, Map.of());
    }

    public Map<String, Map<String, String>> profiles() {
        return profiles;
    }

    private static String profileName(String section, boolean configFile) {
        if (!configFile) {
            return section.isEmpty() ? null : section;
        }
        if (section.equals("default")) {
            return section;
        }
        if (section.startsWith("profile ") || section.startsWith("profile\t")) {
            String name = section.substring(8).trim();
            return name.isEmpty() ? null : name;
        }
        return null;
    }

    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if ((c == '#' || c == ';') && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
