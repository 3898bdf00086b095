package io.openivs.server.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.model.ServiceModel;
import io.openivs.model.Shape;
import io.openivs.server.api.ApiException;
import io.openivs.server.api.Call;
import io.openivs.server.config.ServerConfig;
import io.openivs.server.control.spi.BucketCheck;
import io.openivs.server.control.spi.LiveControl;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.Json;
import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StoredResource;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What every group of operations shares: the store, configuration, clock and model, and helpers over them. */
public final class ControlContext {
    final ResourceStore store;
    final ServerConfig config;
    final Clock clock;
    final ServiceModel model;
    final LiveControl live;
    final BucketCheck buckets;
    private final AtomicLong lastCreated = new AtomicLong();

    /** @param buckets decides whether a new recording configuration becomes ACTIVE or CREATE_FAILED */
    public ControlContext(
            ResourceStore store,
            ServerConfig config,
            Clock clock,
            ServiceModel model,
            LiveControl live,
            BucketCheck buckets) {
        this.buckets = buckets;
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.model = model;
        this.live = live;
    }

    /** Creation ordering key: microseconds, strictly increasing within this process. */
    long nextCreated() {
        long now = clock.millis() * 1000;
        return lastCreated.updateAndGet(prev -> Math.max(prev + 1, now));
    }

    long now() {
        return clock.millis();
    }

    static String iso(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The resource named by an ARN if it exists in the caller's account and region, else ResourceNotFound. */
    StoredResource require(ResourceStore.Tx tx, Call call, String arn, String type) {
        checkOwner(call, arn, type);
        return tx.get(arn).filter(r -> r.type().equals(type)).orElseThrow(() -> notFound(arn));
    }

    /** {@link #require} answered from the store's memory, without blocking; null when memory does not tell. */
    StoredResource requireCached(Call call, String arn, String type) {
        checkOwner(call, arn, type);
        StoredResource r = store.cached(arn);
        if (r != null && !r.type().equals(type)) {
            throw notFound(arn);
        }
        return r;
    }

    /** Another account's or region's resource is answered as missing, whether it exists or not. */
    private static void checkOwner(Call call, String arn, String type) {
        Arn parsed = Arn.parse(arn);
        if (parsed == null || !parsed.type().equals(type)) {
            throw ApiException.validation("The ARN " + arn + " is not a valid " + type + " ARN.");
        }
        if (!parsed.account().equals(call.account()) || !parsed.region().equals(call.region())) {
            throw notFound(arn);
        }
    }

    static ApiException notFound(String arn) {
        return ApiException.notFound("Resource " + arn + " not found.");
    }

    StoredResource newResource(Call call, String type, String id, String parent, String lookup, ObjectNode doc) {
        String arn = Arn.of(call.region(), call.account(), type, id);
        doc.put("arn", arn);
        return new StoredResource(
                arn, call.account(), call.region(), type, id, nextCreated(), parent, lookup, 1, Json.write(doc));
    }

    static ObjectNode doc(StoredResource r) {
        return Json.parseObject(r.doc());
    }

    /** Keeps only the members the output shape declares (a summary is a projection of the full resource). */
    ObjectNode project(String shapeName, ObjectNode full) {
        Shape shape = model.shape(shapeName);
        ObjectNode out = Json.object();
        for (String member : shape.members().keySet()) {
            JsonNode v = full.get(member);
            if (v != null) {
                out.set(member, v);
            }
        }
        return out;
    }

    /**
     * BatchGet*: found resources go to {@code member}, misses to {@code errors}
     * (per item, with the error code a single Get would have given); always 200.
     */
    ObjectNode batchGet(
            Call call,
            JsonNode arns,
            String type,
            String member,
            java.util.function.UnaryOperator<ObjectNode> present) {
        ObjectNode out = Json.object();
        com.fasterxml.jackson.databind.node.ArrayNode found = out.putArray(member);
        com.fasterxml.jackson.databind.node.ArrayNode errors = out.putArray("errors");
        store.read(tx -> {
            for (JsonNode a : arns) {
                String arn = a.asText();
                try {
                    found.add(present.apply(doc(require(tx, call, arn, type))));
                } catch (ApiException e) {
                    ObjectNode err = errors.addObject();
                    err.put("arn", arn);
                    err.put("code", e.code());
                    err.put("message", e.getMessage());
                }
            }
            return null;
        });
        return out;
    }

    /** Tags given on create or TagResource: no "aws:" keys (reserved), at most 50 in all. */
    static void checkTags(JsonNode tags, int existing) {
        if (tags == null || tags.isNull()) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> it = tags.fields();
        while (it.hasNext()) {
            String key = it.next().getKey();
            if (key.regionMatches(true, 0, "aws:", 0, 4)) {
                throw ApiException.validation("Tag keys starting with 'aws:' are reserved: " + key);
            }
        }
        if (existing + tags.size() > 50) {
            throw ApiException.validation("A resource can have at most 50 tags.");
        }
    }

    static ObjectNode tagsOrEmpty(JsonNode tags) {
        return tags instanceof ObjectNode o ? o.deepCopy() : Json.object();
    }

    static String text(JsonNode input, String field, String dflt) {
        JsonNode v = input.get(field);
        return v == null || v.isNull() ? dflt : v.asText();
    }
}
