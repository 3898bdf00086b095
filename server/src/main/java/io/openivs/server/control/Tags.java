package io.openivs.server.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.api.ApiException;
import io.openivs.server.api.Call;
import io.openivs.server.api.OperationHandler;
import io.openivs.server.resource.Arn;
import io.openivs.server.resource.Json;
import io.openivs.server.store.StoredResource;
import java.util.Map;
import java.util.Set;

/** ListTagsForResource, TagResource, UntagResource on every taggable resource. */
final class Tags {
    private static final Set<String> TAGGABLE = Set.of(
            Arn.CHANNEL,
            Arn.STREAM_KEY,
            Arn.PLAYBACK_KEY,
            Arn.RECORDING_CONFIGURATION,
            Arn.PLAYBACK_RESTRICTION_POLICY,
            Arn.AD_CONFIGURATION);
    private final ControlContext cx;

    Tags(ControlContext cx) {
        this.cx = cx;
    }

    void register(Map<String, OperationHandler> ops) {
        ops.put("ListTagsForResource", this::list);
        ops.put("TagResource", this::tag);
        ops.put("UntagResource", this::untag);
    }

    private String typeOf(String arn) {
        Arn parsed = Arn.parse(arn);
        if (parsed == null || !TAGGABLE.contains(parsed.type())) {
            throw ApiException.validation("The ARN " + arn + " does not name a taggable IVS resource.");
        }
        return parsed.type();
    }

    private ObjectNode list(Call call, ObjectNode in) {
        String arn = in.get("resourceArn").asText();
        StoredResource r = cx.store.read(tx -> cx.require(tx, call, arn, typeOf(arn)));
        ObjectNode out = Json.object();
        out.set("tags", ControlContext.tagsOrEmpty(ControlContext.doc(r).get("tags")));
        return out;
    }

    private ObjectNode tag(Call call, ObjectNode in) {
        String arn = in.get("resourceArn").asText();
        JsonNode add = in.get("tags");
        change(call, arn, tags -> {
            int fresh = 0;
            for (var it = add.fieldNames(); it.hasNext(); ) {
                if (!tags.has(it.next())) {
                    fresh++;
                }
            }
            ControlContext.checkTags(add, tags.size() + fresh - add.size());
            tags.setAll((ObjectNode) add);
        });
        return null;
    }

    private ObjectNode untag(Call call, ObjectNode in) {
        String arn = in.get("resourceArn").asText();
        JsonNode keys = in.get("tagKeys");
        change(call, arn, tags -> {
            for (JsonNode k : keys) {
                tags.remove(k.asText());
            }
        });
        return null;
    }

    private void change(Call call, String arn, java.util.function.Consumer<ObjectNode> edit) {
        String type = typeOf(arn);
        cx.store.write(tx -> {
            StoredResource r = cx.require(tx, call, arn, type);
            ObjectNode doc = ControlContext.doc(r);
            ObjectNode tags = ControlContext.tagsOrEmpty(doc.get("tags"));
            edit.accept(tags);
            doc.set("tags", tags);
            if (!tx.update(r.withDoc(Json.write(doc)))) {
                throw ApiException.conflict("The resource was changed by another request; retry.");
            }
            return null;
        });
    }
}
