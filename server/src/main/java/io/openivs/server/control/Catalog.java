package io.openivs.server.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.api.ApiException;
import io.openivs.server.api.Call;
import io.openivs.server.api.OperationHandler;
import io.openivs.server.resource.Ids;
import io.openivs.server.resource.Json;
import io.openivs.server.store.DuplicateKeyException;
import io.openivs.server.store.StoredResource;
import java.util.function.UnaryOperator;

/** Get, List, Delete and quota-checked Create, once for every {@link Kind}. */
final class Catalog {
    private final ControlContext cx;

    Catalog(ControlContext cx) {
        this.cx = cx;
    }

    OperationHandler getter(Kind kind) {
        return getter(kind, doc -> doc);
    }

    /** @param render turns the stored document into the answer's member (it may change the document it gets) */
    OperationHandler getter(Kind kind, UnaryOperator<ObjectNode> render) {
        Rendered full = new Rendered(render::apply);
        OperationHandler fromStore = (call, in) -> wrap(
                kind,
                full.of(cx.store.read(tx -> cx.require(tx, call, in.get("arn").asText(), kind.type()))));
        OperationHandler fromMemory = (call, in) -> {
            StoredResource r = cx.requireCached(call, in.get("arn").asText(), kind.type());
            return r == null ? null : wrap(kind, full.of(r));
        };
        return OperationHandler.withMemoryAnswer(fromStore, fromMemory);
    }

    OperationHandler lister(Kind kind) {
        Rendered summary = new Rendered(doc -> cx.project(kind.summaryShape(), doc));
        return (call, in) -> {
            Pages.Page page =
                    cx.store.read(tx -> Pages.list(tx, call, kind.type(), kind.listOperation(), in, 100, null));
            ObjectNode out = Json.object();
            ArrayNode arr = out.putArray(kind.listMember());
            for (StoredResource r : page.items()) {
                arr.add(summary.of(r));
            }
            if (page.nextToken() != null) {
                out.put("nextToken", page.nextToken());
            }
            return out;
        };
    }

    /** Deletes; a resource still referenced by a channel is a Conflict. */
    OperationHandler deleter(Kind kind) {
        return (call, in) -> {
            String arn = in.get("arn").asText();
            cx.store.write(tx -> {
                cx.require(tx, call, arn, kind.type());
                if (kind.channelField() != null && Channels.referenced(tx, call, kind.channelField(), arn)) {
                    throw ApiException.conflict("The resource " + arn + " is used by a channel; detach it first.");
                }
                tx.delete(arn);
                return null;
            });
            return null;
        };
    }

    /**
     * Stores a new resource of {@code kind} after the account quota check.
     * {@code lookup} makes it unique within the type (null for none);
     * {@code duplicate} is the error when that uniqueness is broken.
     */
    ObjectNode create(Call call, Kind kind, ObjectNode doc, String lookup, UnaryOperator<ApiException> duplicate) {
        ControlContext.checkTags(doc.get("tags"), 0);
        doc.set("tags", ControlContext.tagsOrEmpty(doc.get("tags")));
        String id = Ids.resourceId();
        StoredResource stored = cx.store.write(tx -> {
            int quota = kind.quota().applyAsInt(cx.config.quotas());
            if (tx.count(call.account(), call.region(), kind.type()) >= quota) {
                throw ApiException.quota("The maximum number of " + kind.listMember() + " (" + quota
                        + ") for this account and region has been reached.");
            }
            StoredResource r = cx.newResource(call, kind.type(), id, null, lookup, doc);
            try {
                tx.insert(r);
            } catch (DuplicateKeyException e) {
                throw duplicate.apply(ApiException.conflict("The resource already exists."));
            }
            return r;
        });
        return wrap(kind, ControlContext.doc(stored));
    }

    static ObjectNode wrap(Kind kind, JsonNode doc) {
        ObjectNode out = Json.object();
        out.set(kind.member(), doc);
        return out;
    }
}
