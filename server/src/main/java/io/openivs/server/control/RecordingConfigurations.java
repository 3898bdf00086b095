package io.openivs.server.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.api.ApiException;
import io.openivs.server.api.Call;
import io.openivs.server.api.OperationHandler;
import io.openivs.server.resource.Json;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Create/Get/List/DeleteRecordingConfiguration. Recording configurations are immutable. */
final class RecordingConfigurations {
    private static final Logger log = LoggerFactory.getLogger(RecordingConfigurations.class);
    private final Catalog catalog;
    private final ControlContext cx;
    /** Configurations whose bucket check runs in this process. */
    private final Set<String> checking = ConcurrentHashMap.newKeySet();

    RecordingConfigurations(Catalog catalog, ControlContext cx) {
        this.catalog = catalog;
        this.cx = cx;
    }

    void register(Map<String, OperationHandler> ops) {
        Kind k = Kind.RECORDING_CONFIGURATION;
        ops.put("CreateRecordingConfiguration", this::create);
        OperationHandler get = catalog.getter(k);
        ops.put("GetRecordingConfiguration", (call, in) -> {
            ObjectNode out = get.handle(call, in);
            // The answer holds pre-rendered JSON, so the state is read from the stored document.
            ObjectNode rc = ControlContext.doc(
                    cx.store.read(tx -> cx.require(tx, call, in.get("arn").asText(), k.type())));
            if ("CREATING".equals(rc.path("state").asText())) {
                // A check this process is not running was lost with the process that started it.
                check(
                        in.get("arn").asText(),
                        rc.path("destinationConfiguration")
                                .path("s3")
                                .path("bucketName")
                                .asText());
            }
            return out;
        });
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
        // CREATING until the bucket check below decides ACTIVE or CREATE_FAILED
        // (API Reference: RecordingConfiguration, state).
        doc.put("state", "CREATING");
        doc.put(
                "recordingReconnectWindowSeconds",
                in.path("recordingReconnectWindowSeconds").asInt(0));

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
        ObjectNode created = catalog.create(call, Kind.RECORDING_CONFIGURATION, doc, null, e -> e);
        String arn =
                created.path(Kind.RECORDING_CONFIGURATION.member()).path("arn").asText();
        String bucket =
                in.get("destinationConfiguration").path("s3").path("bucketName").asText();
        check(arn, bucket);
        return created;
    }

    /** Starts the bucket check unless this process already runs it for {@code arn}. */
    private void check(String arn, String bucket) {
        if (!checking.add(arn)) {
            return;
        }
        // Off the API worker: the check waits for the store, which may be slow or unreachable.
        cx.buckets.writable(bucket).whenComplete((ok, failure) -> {
            try {
                settle(arn, failure == null ? "ACTIVE" : "CREATE_FAILED");
            } finally {
                checking.remove(arn);
            }
        });
    }

    /** Records the check's outcome, unless the configuration was deleted meanwhile. */
    private void settle(String arn, String state) {
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                boolean done = cx.store.write(tx -> {
                    var stored = tx.get(arn);
                    if (stored.isEmpty()) {
                        return true;
                    }
                    ObjectNode doc = ControlContext.doc(stored.get());
                    doc.put("state", state);
                    return tx.update(stored.get().withDoc(Json.write(doc)));
                });
                if (done) {
                    return;
                }
            } catch (RuntimeException e) {
                log.warn("could not store state {} of {}: {}", state, arn, e.toString());
            }
        }
        log.warn("gave up storing state {} of {}", state, arn);
    }
}
