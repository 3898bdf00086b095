package io.openivs.server.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.openivs.server.api.Call;
import io.openivs.server.api.OperationHandler;
import io.openivs.server.resource.Json;
import java.util.Map;

/** Create/Get/List/DeleteAdConfiguration. */
final class AdConfigurations {
    private final Catalog catalog;

    AdConfigurations(Catalog catalog) {
        this.catalog = catalog;
    }

    void register(Map<String, OperationHandler> ops) {
        Kind k = Kind.AD_CONFIGURATION;
        ops.put("CreateAdConfiguration", this::create);
        ops.put("GetAdConfiguration", catalog.getter(k));
        ops.put("ListAdConfigurations", catalog.lister(k));
        ops.put("DeleteAdConfiguration", catalog.deleter(k));
    }

    private ObjectNode create(Call call, ObjectNode in) {
        ObjectNode doc = Json.object();
        doc.put("name", ControlContext.text(in, "name", ""));
        doc.set("mediaTailorPlaybackConfigurations", in.get("mediaTailorPlaybackConfigurations"));
        doc.set("tags", in.get("tags"));
        return catalog.create(call, Kind.AD_CONFIGURATION, doc, null, e -> e);
    }
}
