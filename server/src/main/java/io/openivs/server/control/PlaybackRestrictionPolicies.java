package io.openivs.server.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.api.ApiException;
import io.openivs.server.api.Call;
import io.openivs.server.api.OperationHandler;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.Json;
import io.openivs.server.store.StoredResource;
import java.util.List;
import java.util.Map;

/** Create/Get/List/Update/DeletePlaybackRestrictionPolicy. */
final class PlaybackRestrictionPolicies {
    private static final List<String> UPDATABLE =
            List.of("allowedCountries", "allowedOrigins", "enableStrictOriginEnforcement", "name");
    private final ControlContext cx;
    private final Catalog catalog;

    PlaybackRestrictionPolicies(ControlContext cx, Catalog catalog) {
        this.cx = cx;
        this.catalog = catalog;
    }

    void register(Map<String, OperationHandler> ops) {
        Kind k = Kind.PLAYBACK_RESTRICTION_POLICY;
        ops.put("CreatePlaybackRestrictionPolicy", this::create);
        ops.put("GetPlaybackRestrictionPolicy", catalog.getter(k));
        ops.put("ListPlaybackRestrictionPolicies", catalog.lister(k));
        ops.put("UpdatePlaybackRestrictionPolicy", this::update);
        ops.put("DeletePlaybackRestrictionPolicy", catalog.deleter(k));
    }

    private ObjectNode create(Call call, ObjectNode in) {
        ObjectNode doc = Json.object();
        doc.set(
                "allowedCountries",
                in.hasNonNull("allowedCountries") ? in.get("allowedCountries") : Json.NODES.arrayNode());
        doc.set("allowedOrigins", in.hasNonNull("allowedOrigins") ? in.get("allowedOrigins") : Json.NODES.arrayNode());
        doc.put(
                "enableStrictOriginEnforcement",
                in.path("enableStrictOriginEnforcement").asBoolean(false));
        doc.put("name", ControlContext.text(in, "name", ""));
        doc.set("tags", in.get("tags"));
        checkCountries(doc);
        return catalog.create(call, Kind.PLAYBACK_RESTRICTION_POLICY, doc, null, e -> e);
    }

    /** Every ISO 3166-1 alpha-2 code. */
    private static final java.util.Set<String> COUNTRIES = java.util.Set.of(java.util.Locale.getISOCountries());

    /**
     * ISO 3166-1 alpha-2 codes that exist (the model only says "2 characters"; an unknown code would match no
     * viewer); each kept once, in the order given (a list of 20,000 copies of one code is one entry).
     */
    private static void checkCountries(ObjectNode doc) {
        JsonNode countries = doc.get("allowedCountries");
        java.util.LinkedHashSet<String> once = new java.util.LinkedHashSet<>();
        for (JsonNode c : countries) {
            String s = c.asText();
            if (!(s.equals("*") || COUNTRIES.contains(s))) {
                throw ApiException.validation("allowedCountries must hold ISO 3166-1 alpha-2 country codes: " + s);
            }
            once.add(s);
        }
        if (once.size() != countries.size()) {
            com.fasterxml.jackson.databind.node.ArrayNode kept = Json.NODES.arrayNode();
            once.forEach(kept::add);
            doc.set("allowedCountries", kept);
        }
    }

    private ObjectNode update(Call call, ObjectNode in) {
        String arn = in.get("arn").asText();
        ObjectNode doc = cx.store.write(tx -> {
            StoredResource r = cx.require(tx, call, arn, Arn.PLAYBACK_RESTRICTION_POLICY);
            ObjectNode d = ControlContext.doc(r);
            for (String f : UPDATABLE) {
                if (in.hasNonNull(f)) {
                    d.set(f, in.get(f));
                }
            }
            checkCountries(d);
            if (!tx.update(r.withDoc(Json.write(d)))) {
                throw ApiException.conflict("The policy was changed by another request; retry.");
            }
            return d;
        });
        return Catalog.wrap(Kind.PLAYBACK_RESTRICTION_POLICY, doc);
    }
}
