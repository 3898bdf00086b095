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
import io.openivs.server.store.ResourceStore;
import io.openivs.server.store.StoredResource;
import java.util.List;
import java.util.Map;

/** CreateStreamKey, GetStreamKey, BatchGetStreamKey, ListStreamKeys, DeleteStreamKey. */
public final class StreamKeys {
    private final ControlContext cx;

    StreamKeys(ControlContext cx) {
        this.cx = cx;
    }

    void register(Map<String, OperationHandler> ops) {
        ops.put("CreateStreamKey", this::create);
        ops.put("GetStreamKey", this::get);
        ops.put("BatchGetStreamKey", this::batchGet);
        ops.put("ListStreamKeys", this::list);
        ops.put("DeleteStreamKey", this::delete);
    }

    /** Creates the channel's stream key inside the caller's transaction; a second key is a quota error. */
    ObjectNode createFor(ResourceStore.Tx tx, Call call, String channelArn, JsonNode tags) {
        String id = Ids.resourceId();
        String value = Ids.streamKeyValue(call.region(), id);
        ObjectNode key = Json.object();
        key.put(Fields.VALUE, value);
        key.put(Fields.CHANNEL_ARN, channelArn);
        key.set("tags", ControlContext.tagsOrEmpty(tags));
        StoredResource r = cx.newResource(call, Arn.STREAM_KEY, id, channelArn, Lookups.streamKey(value), key);
        try {
            tx.insert(r);
        } catch (DuplicateKeyException e) {
            throw quotaError();
        }
        return ControlContext.doc(r);
    }

    private static ApiException quotaError() {
        return ApiException.quota("A channel can have only 1 stream key; delete the existing key first.");
    }

    private ObjectNode create(Call call, ObjectNode in) {
        String channelArn = in.get("channelArn").asText();
        ControlContext.checkTags(in.get("tags"), 0);
        ObjectNode key = cx.store.write(tx -> {
            cx.require(tx, call, channelArn, Arn.CHANNEL);
            if (!tx.children(Arn.STREAM_KEY, channelArn).isEmpty()) {
                throw quotaError();
            }
            return createFor(tx, call, channelArn, in.get("tags"));
        });
        ObjectNode out = Json.object();
        out.set("streamKey", key);
        return out;
    }

    private ObjectNode get(Call call, ObjectNode in) {
        StoredResource r =
                cx.store.read(tx -> cx.require(tx, call, in.get("arn").asText(), Arn.STREAM_KEY));
        ObjectNode out = Json.object();
        out.set("streamKey", ControlContext.doc(r));
        return out;
    }

    private ObjectNode batchGet(Call call, ObjectNode in) {
        return cx.batchGet(call, in.get("arns"), Arn.STREAM_KEY, "streamKeys", doc -> doc);
    }

    /** A channel has at most one key, so one page always holds them all; the token is still honoured. */
    private ObjectNode list(Call call, ObjectNode in) {
        String channelArn = in.get("channelArn").asText();
        List<StoredResource> all = cx.store.read(tx -> {
            cx.require(tx, call, channelArn, Arn.CHANNEL);
            return tx.children(Arn.STREAM_KEY, channelArn);
        });
        String scope = "ListStreamKeys:" + channelArn;
        String[] pos = Pages.decode(ControlContext.text(in, "nextToken", null), scope);
        int start = 0;
        if (pos != null) {
            try {
                start = Integer.parseInt(pos[0]);
            } catch (NumberFormatException e) {
                throw Pages.invalid();
            }
        }
        int max = Pages.maxResults(in, 1);
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("streamKeys");
        int end = Math.min(all.size(), start + max);
        for (int i = start; i < end; i++) {
            arr.add(cx.project("StreamKeySummary", ControlContext.doc(all.get(i))));
        }
        if (end < all.size()) {
            out.put("nextToken", Pages.encode(scope, Integer.toString(end), ""));
        }
        return out;
    }

    private ObjectNode delete(Call call, ObjectNode in) {
        String arn = in.get("arn").asText();
        cx.store.write(tx -> {
            cx.require(tx, call, arn, Arn.STREAM_KEY);
            tx.delete(arn);
            return null;
        });
        return null;
    }
}
