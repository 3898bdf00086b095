package io.openivs.server.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.api.ApiException;
import io.openivs.server.api.Call;
import io.openivs.server.store.Cursor;
import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StoredResource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Predicate;

/**
 * Opaque pagination tokens and filtered paging over the store. A token is
 * bound to the listing it came from (operation and filters): used with other
 * arguments it is a ValidationException, as a reused token would silently
 * skip or repeat items.
 */
final class Pages {
    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();

    record Page(List<StoredResource> items, String nextToken) {}

    private Pages() {}

    static String encode(String scope, String a, String b) {
        return ENC.encodeToString(("v1\n" + scope + "\n" + a + "\n" + b).getBytes(StandardCharsets.UTF_8));
    }

    /** @return the two position parts, or null for no token */
    static String[] decode(String token, String scope) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        String[] parts;
        try {
            parts = new String(DEC.decode(token), StandardCharsets.UTF_8).split("\n", -1);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (parts.length != 4 || !parts[0].equals("v1") || !parts[1].equals(scope)) {
            throw invalid();
        }
        return new String[] {parts[2], parts[3]};
    }

    static ApiException invalid() {
        return ApiException.validation("The nextToken is not valid for this request.");
    }

    static int maxResults(JsonNode input, int dflt) {
        JsonNode v = input.get("maxResults");
        return v == null || v.isNull() ? dflt : v.asInt();
    }

    /** One page of a type's resources in creation order, keeping those the filter accepts. */
    static Page list(
            ResourceStore.Tx tx,
            Call call,
            String type,
            String scope,
            JsonNode input,
            int dfltMax,
            Predicate<ObjectNode> filter) {
        int max = maxResults(input, dfltMax);
        String[] pos = decode(ControlContext.text(input, "nextToken", null), scope);
        Cursor after = null;
        if (pos != null) {
            try {
                after = new Cursor(Long.parseLong(pos[0]), pos[1]);
            } catch (NumberFormatException e) {
                throw invalid();
            }
        }
        List<StoredResource> out = new ArrayList<>(max + 1);
        int batch = filter == null ? max + 1 : Math.max(200, max + 1);
        while (out.size() <= max) {
            List<StoredResource> rows = tx.list(call.account(), call.region(), type, after, batch);
            for (StoredResource r : rows) {
                if (filter == null || filter.test(ControlContext.doc(r))) {
                    out.add(r);
                    if (out.size() > max) {
                        break;
                    }
                }
            }
            if (rows.size() < batch) {
                break;
            }
            StoredResource last = rows.get(rows.size() - 1);
            after = new Cursor(last.created(), last.id());
        }
        if (out.size() > max) {
            StoredResource last = out.get(max - 1);
            return new Page(out.subList(0, max), encode(scope, Long.toString(last.created()), last.id()));
        }
        return new Page(out, null);
    }
}
