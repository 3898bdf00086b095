package io.openivs.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.openivs.client.protocol.RestJson;
import io.openivs.client.protocol.WireRequest;
import io.openivs.client.protocol.WireResponse;
import io.openivs.client.transport.HttpTransport;
import io.openivs.model.Operation;
import io.openivs.model.ServiceModel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One call of an operation, whatever its shapes: check the required members, place them by the model,
 * send, then read the output or turn the error into its typed exception. The generated clients only name
 * the operation and the conversions of their typed shapes.
 */
final class Invoker {

    private final ServiceModel model;
    private final HttpTransport transport;

    Invoker(ServiceModel model, HttpTransport transport) {
        this.model = Objects.requireNonNull(model, "model");
        this.transport = Objects.requireNonNull(transport, "transport");
    }

    /** @param output reads the response members; null for operations that return nothing */
    <R> R call(String operationName, JsonNode input, Function<JsonNode, R> output) {
        Operation operation = operation(operationName);
        WireRequest request = prepare(operation, input);
        return read(operation, transport.send(request), output);
    }

    /** As {@link #call}; a missing required member fails the future, as does any other error. */
    <R> CompletableFuture<R> callAsync(String operationName, JsonNode input, Function<JsonNode, R> output) {
        Operation operation;
        WireRequest request;
        try {
            operation = operation(operationName);
            request = prepare(operation, input);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return transport.sendAsync(request).thenApply(response -> read(operation, response, output));
    }

    private static WireRequest prepare(Operation operation, JsonNode input) {
        RestJson.checkRequired(operation, input);
        return RestJson.marshal(operation, input);
    }

    private static <R> R read(Operation operation, WireResponse response, Function<JsonNode, R> output) {
        if (!response.successful()) {
            throw ModeledErrors.create(RestJson.error(response));
        }
        return output == null ? null : output.apply(RestJson.unmarshal(operation, response));
    }

    private Operation operation(String name) {
        Operation operation = model.operation(name);
        if (operation == null) {
            throw new IllegalStateException("The service model has no operation " + name);
        }
        return operation;
    }
}
