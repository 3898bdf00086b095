package io.openivs.server.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.api.ApiException;
import io.openivs.server.api.Call;
import io.openivs.server.api.OperationHandler;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.Fields;
import io.openivs.server.resource.Ids;
import io.openivs.server.resource.Json;
import io.openivs.server.resource.Lookups;
import io.openivs.server.store.DuplicateKeyException;
import io.openivs.server.store.StoredResource;
import java.util.Map;

/**
 * StartViewerSessionRevocation and its batch form. A revocation is stored as
 * a resource of type {@code viewer-revocation} (one per channel and viewer,
 * holding the highest revoked session version) so every node's playback
 * check sees it.
 */
final class ViewerRevocations {
    private final ControlContext cx;

    ViewerRevocations(ControlContext cx) {
        this.cx = cx;
    }

    void register(Map<String, OperationHandler> ops) {
        ops.put("StartViewerSessionRevocation", (call, in) -> {
            revoke(
                    call,
                    in.get("channelArn").asText(),
                    in.get("viewerId").asText(),
                    in.path("viewerSessionVersionsLessThanOrEqualTo").asLong(0));
            return null;
        });
        ops.put("BatchStartViewerSessionRevocation", this::batch);
    }

    private void revoke(Call call, String channelArn, String viewerId, long version) {
        cx.store.write(tx -> {
            cx.require(tx, call, channelArn, Arn.CHANNEL);
            String key = Lookups.viewerRevocation(channelArn, viewerId);
            var existing = tx.byLookup(Lookups.VIEWER_REVOCATION, key);
            if (existing.isPresent()) {
                StoredResource r = existing.get();
                ObjectNode d = ControlContext.doc(r);
                if (d.path(Fields.VERSION).asLong() < version) {
                    d.put(Fields.VERSION, version);
                    tx.update(r.withDoc(Json.write(d)));
                }
                return null;
            }
            ObjectNode d = Json.object();
            d.put(Fields.CHANNEL_ARN, channelArn);
            d.put(Fields.VIEWER_ID, viewerId);
            d.put(Fields.VERSION, version);
            try {
                tx.insert(cx.newResource(call, Lookups.VIEWER_REVOCATION, Ids.resourceId(), null, key, d));
            } catch (DuplicateKeyException e) {
                throw ApiException.conflict("A revocation for this viewer is being recorded; retry.");
            }
            return null;
        });
    }

    private ObjectNode batch(Call call, ObjectNode in) {
        ObjectNode out = Json.object();
        ArrayNode errors = out.putArray("errors");
        for (JsonNode s : in.get("viewerSessions")) {
            String channelArn = s.get("channelArn").asText();
            String viewerId = s.get("viewerId").asText();
            try {
                revoke(
                        call,
                        channelArn,
                        viewerId,
                        s.path("viewerSessionVersionsLessThanOrEqualTo").asLong(0));
            } catch (ApiException e) {
                ObjectNode err = errors.addObject();
                err.put("channelArn", channelArn);
                err.put("viewerId", viewerId);
                err.put("code", e.code());
                err.put("message", e.getMessage());
            }
        }
        return out;
    }
}
