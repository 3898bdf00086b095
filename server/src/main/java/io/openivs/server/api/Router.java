package io.openivs.server.api;

import io.openivs.model.Operation;
import io.openivs.model.ServiceModel;
import java.util.HashMap;
import java.util.Map;

/**
 * Maps a request line to a model operation. Nearly every IVS operation is
 * {@code POST /OperationName}; the tag operations share {@code /tags/{resourceArn}}
 * and differ by method. Built once from the model, so there is no per-operation
 * routing code.
 */
final class Router {
    /** A matched operation and its one path label (the tag operations' ARN, still percent-encoded), or null. */
    record Match(Operation operation, String pathLabel) {}

    /** Path, then method: looked up without building a key string per request. */
    private final Map<String, Map<String, Match>> exact = new HashMap<>();

    private final Map<String, Operation> tagged = new HashMap<>();
    private final Map<String, String> prefixes = new HashMap<>();

    Router(ServiceModel model) {
        for (Operation op : model.operations().values()) {
            String uri = op.requestUri();
            int brace = uri.indexOf('{');
            if (brace < 0) {
                exact.computeIfAbsent(uri, u -> new HashMap<>()).put(op.method(), new Match(op, null));
            } else {
                // Only "/prefix/{label}" templates exist in this model (the tag operations).
                String prefix = uri.substring(0, brace);
                tagged.put(op.method() + " " + prefix, op);
                prefixes.put(prefix, prefix);
            }
        }
    }

    Match match(String method, String path) {
        Map<String, Match> byMethod = exact.get(path);
        Match m = byMethod == null ? null : byMethod.get(method);
        if (m != null) {
            return m;
        }
        int slash = path.indexOf('/', 1);
        if (slash > 0) {
            String prefix = path.substring(0, slash + 1);
            if (prefixes.containsKey(prefix) && slash + 1 < path.length()) {
                Operation t = tagged.get(method + " " + prefix);
                if (t != null) {
                    return new Match(t, path.substring(slash + 1));
                }
            }
        }
        return null;
    }
}
