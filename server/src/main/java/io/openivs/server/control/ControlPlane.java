package io.openivs.server.control;

import io.openivs.server.api.OperationHandler;

import java.util.HashMap;
import java.util.Map;

/** Every IVS operation's handler, by operation name. */
public final class ControlPlane {
    private ControlPlane() {
    }

    public static Map<String, OperationHandler> handlers(ControlContext cx) {
        Map<String, OperationHandler> ops = new HashMap<>();
        Catalog catalog = new Catalog(cx);
        StreamKeys keys = new StreamKeys(cx);
        Channels channels = new Channels(cx, keys);
        keys.register(ops);
        channels.register(ops);
        new RecordingConfigurations(catalog, cx).register(ops);
        new PlaybackRestrictionPolicies(cx, catalog).register(ops);
        new AdConfigurations(catalog).register(ops);
        new PlaybackKeyPairs(catalog).register(ops);
        new Tags(cx).register(ops);
        new Streams(cx, channels).register(ops);
        new ViewerRevocations(cx).register(ops);
        return ops;
    }
}
