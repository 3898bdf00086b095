package io.openivs.server.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4: every line must be a HELP, a TYPE or a
 * sample of a declared family, label values unescaped, values parsed; anything else fails the test.
 */
final class PrometheusText {
    record Sample(String name, Map<String, String> labels, double value) {}

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final List<String> TYPES =
            List.of("counter", "gauge", "histogram", "summary", "untyped", "info", "stateset", "unknown");
    private static final List<String> SUFFIXES =
            List.of("", "_total", "_created", "_count", "_sum", "_bucket", "_info");

    final Map<String, String> types = new HashMap<>();
    final List<Sample> samples = new ArrayList<>();

    static PrometheusText parse(String text) {
        PrometheusText out = new PrometheusText();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("exposition does not end with a newline");
        }
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            try {
                out.line(line);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + lineNo + " [" + line + "]: " + e.getMessage(), e);
            }
        }
        return out;
    }

    private void line(String line) {
        if (line.startsWith("# HELP ")) {
            String rest = line.substring(7);
            int sp = rest.indexOf(' ');
            name(sp < 0 ? rest : rest.substring(0, sp));
            return;
        }
        if (line.startsWith("# TYPE ")) {
            String[] parts = line.substring(7).split(" ");
            if (parts.length != 2 || !TYPES.contains(parts[1])) {
                throw new IllegalArgumentException("bad TYPE");
            }
            if (types.put(name(parts[0]), parts[1]) != null) {
                throw new IllegalArgumentException("family declared twice");
            }
            return;
        }
        if (line.startsWith("#")) {
            return; // a comment
        }
        Matcher m = NAME.matcher(line);
        if (!m.lookingAt()) {
            throw new IllegalArgumentException("no metric name");
        }
        String name = m.group();
        int p = m.end();
        Map<String, String> labels = new LinkedHashMap<>();
        if (p < line.length() && line.charAt(p) == '{') {
            p++;
            while (line.charAt(p) != '}') {
                Matcher ln = LABEL_NAME.matcher(line).region(p, line.length());
                if (!ln.lookingAt()) {
                    throw new IllegalArgumentException("bad label name at " + p);
                }
                p = ln.end();
                if (line.charAt(p++) != '=' || line.charAt(p++) != '"') {
                    throw new IllegalArgumentException("expected =\" at " + p);
                }
                StringBuilder v = new StringBuilder();
                while (true) {
                    char c = line.charAt(p++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        char e = line.charAt(p++);
                        v.append(
                                switch (e) {
                                    case 'n' -> '\n';
                                    case '\\' -> '\\';
                                    case '"' -> '"';
                                    default -> throw new IllegalArgumentException("bad escape \\" + e);
                                });
                    } else {
                        v.append(c);
                    }
                }
                if (labels.put(ln.group(), v.toString()) != null) {
                    throw new IllegalArgumentException("label repeated");
                }
                if (line.charAt(p) == ',') {
                    p++;
                }
            }
            p++;
        }
        if (line.charAt(p) != ' ') {
            throw new IllegalArgumentException("expected a space before the value");
        }
        String[] rest = line.substring(p + 1).split(" ");
        if (rest.length > 2) {
            throw new IllegalArgumentException("trailing text");
        }
        double value = switch (rest[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(rest[0]);
        };
        if (rest.length == 2) {
            Long.parseLong(rest[1]); // a timestamp
        }
        if (SUFFIXES.stream()
                .noneMatch(s -> name.endsWith(s) && types.containsKey(name.substring(0, name.length() - s.length())))) {
            throw new IllegalArgumentException("sample of no declared family: " + name);
        }
        samples.add(new Sample(name, labels, value));
    }

    private static String name(String n) {
        if (!NAME.matcher(n).matches()) {
            throw new IllegalArgumentException("bad metric name " + n);
        }
        return n;
    }

    /** The samples of this name whose labels include {@code labels}. */
    List<Sample> find(String name, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name.equals(name) && s.labels.entrySet().containsAll(labels.entrySet()))
                .toList();
    }

    /** The one sample of this name with these labels. */
    double value(String name, Map<String, String> labels) {
        List<Sample> found = find(name, labels);
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples of " + name + " " + labels);
        }
        return found.get(0).value;
    }
}
