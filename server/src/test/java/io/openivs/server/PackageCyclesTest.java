package io.openivs.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the server's packages acyclic: a package that needs another may not be needed by it, however
 * indirectly, so each can be read, tested and replaced from the bottom up. The graph comes from the
 * sources (imports, static imports and fully qualified names), so it sees what javac sees without
 * loading a class.
 */
class PackageCyclesTest {
    /** Maven runs tests in the module's folder; an IDE may run them from the repository's. */
    private static final Path MAIN = Files.isDirectory(Path.of("src/main/java/io/openivs/server"))
            ? Path.of("src/main/java/io/openivs/server")
            : Path.of("server/src/main/java/io/openivs/server");

    private static final Pattern PACKAGE =
            Pattern.compile("^package\\s+io\\.openivs\\.server(\\.[a-z0-9_.]+)?\\s*;", Pattern.MULTILINE);
    /** A package is the lower-case names before the first upper-case one (the type). */
    private static final Pattern USE = Pattern.compile("\\bio\\.openivs\\.server((?:\\.[a-z0-9_]+)*)\\.[A-Z]");

    @Test
    void mainPackagesFormNoCycle() throws IOException {
        Map<String, Set<String>> graph = graph(MAIN);
        assertThat(graph).as("sources found under " + MAIN.toAbsolutePath()).containsKeys("control", "live");
        List<List<String>> cycles = cycles(graph);
        assertThat(cycles)
                .as(
                        "package cycles (each line: packages that reach each other)%n%s",
                        String.join(
                                "\n",
                                cycles.stream().map(c -> String.join(" -> ", c)).toList()))
                .isEmpty();
    }

    @Test
    void resourceDependsOnNoOtherServerPackage() throws IOException {
        assertThat(graph(MAIN).get("resource")).isEmpty();
    }

    @Test
    void theCheckFindsACycle() {
        Map<String, Set<String>> g = new TreeMap<>();
        g.put("a", Set.of("b"));
        g.put("b", Set.of("c"));
        g.put("c", Set.of("a", "d"));
        g.put("d", Set.of());
        assertThat(cycles(g)).containsExactly(List.of("a", "b", "c", "a"));
        g.put("d", Set.of("c"));
        assertThat(cycles(g)).containsExactlyInAnyOrder(List.of("a", "b", "c", "a"), List.of("c", "d", "c"));
        g.put("c", Set.of("d"));
        g.put("d", Set.of());
        assertThat(cycles(g)).isEmpty();
    }

    /** Package (relative to io.openivs.server, "" for the root) to the other server packages it uses. */
    static Map<String, Set<String>> graph(Path root) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String src = Files.readString(f);
                Matcher p = PACKAGE.matcher(src);
                if (!p.find()) {
                    throw new AssertionError("no io.openivs.server package line in " + f);
                }
                String pkg = name(p.group(1));
                Set<String> uses = graph.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher u = USE.matcher(src);
                while (u.find()) {
                    String used = name(u.group(1));
                    if (!used.equals(pkg)) {
                        uses.add(used);
                    }
                }
            }
        }
        return graph;
    }

    private static String name(String dotted) {
        return dotted == null || dotted.isEmpty() ? "" : dotted.substring(1);
    }

    /**
     * The cycles within each strongly connected component of more than one package (Tarjan): the
     * shortest one through each of its packages, written as a path that starts and ends there.
     */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> out = new ArrayList<>();
        int[] next = {0};
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, next, out);
            }
        }
        return out;
    }

    private static void connect(
            String v,
            Map<String, Set<String>> g,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            int[] next,
            List<List<String>> out) {
        index.put(v, next[0]);
        low.put(v, next[0]++);
        stack.push(v);
        onStack.add(v);
        for (String w : g.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, g, index, low, stack, onStack, next, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                Set<Set<String>> seen = new java.util.HashSet<>();
                for (String start : component) {
                    List<String> cycle = path(g, component, start);
                    if (seen.add(new TreeSet<>(cycle))) {
                        out.add(cycle);
                    }
                }
            }
        }
    }

    /** A shortest way round the component from {@code start} back to it (breadth first). */
    private static List<String> path(Map<String, Set<String>> g, Set<String> component, String start) {
        Map<String, String> from = new HashMap<>();
        Deque<String> queue = new ArrayDeque<>(List.of(start));
        while (!queue.isEmpty()) {
            String v = queue.poll();
            for (String w : new TreeSet<>(g.getOrDefault(v, Set.of()))) {
                if (w.equals(start)) {
                    List<String> cycle = new ArrayList<>(List.of(start));
                    for (String at = v; !at.equals(start); at = from.get(at)) {
                        cycle.add(1, at);
                    }
                    cycle.add(start);
                    return cycle;
                }
                if (component.contains(w) && !from.containsKey(w)) {
                    from.put(w, v);
                    queue.add(w);
                }
            }
        }
        throw new IllegalStateException("no way round " + component);
    }
}
