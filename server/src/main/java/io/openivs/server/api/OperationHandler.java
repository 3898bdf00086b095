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

    /**
     * The answer if it can be given from memory, without blocking, else null (then {@link #handle} runs on a
     * worker). Called on the event loop first, which saves a read the hand-off to a worker and back. Errors it
     * throws are answered as from {@link #handle}.
     */
    default ObjectNode answerFromMemory(Call call, ObjectNode input) {
        return null;
    }

    /** A handler that tries {@code fromMemory} on the event loop before running {@code handler} on a worker. */
    static OperationHandler withMemoryAnswer(OperationHandler handler, OperationHandler fromMemory) {
        return new OperationHandler() {
            @Override
            public ObjectNode handle(Call call, ObjectNode input) {
                return handler.handle(call, input);
            }

            @Override
            public ObjectNode answerFromMemory(Call call, ObjectNode input) {
                return fromMemory.handle(call, input);
            }
        };
    }
}
