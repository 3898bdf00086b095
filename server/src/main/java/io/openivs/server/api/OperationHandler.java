package io.openivs.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The business logic of one IVS operation. Input arrives parsed and already
 * validated against the model (body, path and query members merged by wire
 * name); the returned object is the response body (null for an empty body).
 * Runs on a worker thread, so it may block on the store.
 */
@FunctionalInterface
public interface OperationHandler {
    ObjectNode handle(Call call, ObjectNode input);
}
