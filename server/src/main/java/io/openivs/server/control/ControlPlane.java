package io.openivs.server.control;

import io.openivs.server.api.OperationHandler;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Every IVS operation's handler, by operation name. */
public final class ControlPlane {
    private ControlPlane() {}

    /** Operations that change who may play what: playback access snapshots reload after them. */
    private static final Set<String> ACCESS_CHANGING = Set.of(
            "CreateChannel",
            "UpdateChannel",
            "DeleteChannel",
            "ImportPlaybackKeyPair",
            "DeletePlaybackKeyPair",
            "CreatePlaybackRestrictionPolicy",
            "UpdatePlaybackRestrictionPolicy",
            "DeletePlaybackRestrictionPolicy",
            "StartViewerSessionRevocation",
            "BatchStartViewerSessionRevocation");

    /** Told (on the API worker, after the change is stored) that an account's playback access changed. */
    @FunctionalInterface
    public interface AccessChanges {
        void changed(String account, String region);
    }

    /** The handlers; the access-changing ones tell {@code changes} before they answer, so this node never serves stale access. */
    public static Map<String, OperationHandler> handlers(ControlContext cx, AccessChanges changes) {
        Map<String, OperationHandler> ops = all(cx);
        for (String name : ACCESS_CHANGING) {
            OperationHandler h = ops.get(name);
            ops.put(name, (call, in) -> {
                var out = h.handle(call, in);
                changes.changed(call.account(), call.region());
                return out;
            });
        }
        return ops;
    }

    private static Map<String, OperationHandler> all(ControlContext cx) {
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
