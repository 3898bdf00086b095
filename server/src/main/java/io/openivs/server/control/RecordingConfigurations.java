package io.openivs.server.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.api.ApiException;
import io.openivs.server.api.Call;
import io.openivs.server.api.Json;
import io.openivs.server.api.OperationHandler;

import java.util.Map;

/** Create/Get/List/DeleteRecordingConfiguration. Recording configurations are immutable. */
final class RecordingConfigurations {
    private final Catalog catalog;

    RecordingConfigurations(Catalog catalog) {
        this.catalog = catalog;
    }

    void register(Map<String, OperationHandler> ops) {
        Kind k = Kind.RECORDING_CONFIGURATION;
        ops.put("CreateRecordingConfiguration", this::create);
        ops.put("GetRecordingConfiguration", catalog.getter(k));
        ops.put("ListRecordingConfigurations", catalog.lister(k));
        ops.put("DeleteRecordingConfiguration", catalog.deleter(k));
    }

    private ObjectNode create(Call call, ObjectNode in) {
        ObjectNode doc = Json.object();
        doc.put("name", ControlContext.text(in, "name", ""));
        doc.set("destinationConfiguration", in.get("destinationConfiguration"));
        if (!in.get("destinationConfiguration").hasNonNull("s3")) {
            throw ApiException.validation("destinationConfiguration must name an s3 bucket.");
        }
        // The bucket check that decides ACTIVE or CREATE_FAILED belongs to the
        // recorder; until one runs, the configuration is usable at once.
        doc.put("state", "ACTIVE");
        doc.put("recordingReconnectWindowSeconds", in.path("recordingReconnectWindowSeconds").asInt(0));

        ObjectNode thumbs = Json.object();
        thumbs.put("recordingMode", "INTERVAL");
        thumbs.put("targetIntervalSeconds", 60);
        thumbs.putArray("storage").add("SEQUENTIAL");
        JsonNode givenThumbs = in.get("thumbnailConfiguration");
        if (givenThumbs instanceof ObjectNode g) {
            if ("DISABLED".equals(g.path("recordingMode").asText()) && g.has("targetIntervalSeconds")) {
                throw ApiException.validation("targetIntervalSeconds cannot be set when recordingMode is DISABLED.");
            }
            thumbs.setAll(g);
        }
        doc.set("thumbnailConfiguration", thumbs);

        ObjectNode renditions = Json.object();
        renditions.put("renditionSelection", "ALL");
        if (in.get("renditionConfiguration") instanceof ObjectNode g) {
            renditions.setAll(g);
            if ("CUSTOM".equals(renditions.path("renditionSelection").asText())
                    && renditions.path("renditions").isEmpty()) {
                throw ApiException.validation("renditionSelection CUSTOM requires a list of renditions.");
            }
        }
        doc.set("renditionConfiguration", renditions);
        doc.set("tags", in.get("tags"));
        return catalog.create(call, Kind.RECORDING_CONFIGURATION, doc, null, e -> e);
    }
}
