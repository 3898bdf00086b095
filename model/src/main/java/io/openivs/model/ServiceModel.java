package io.openivs.model;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * The IVS service model (operations, shapes, paginators) that drives both the server's API layer and the
 * client. Immutable and safe to share between threads.
 */
public final class ServiceModel {

    static final String MODEL_RESOURCE = "ivs-2020-07-14.json";
    static final String PAGINATORS_RESOURCE = "ivs-2020-07-14.paginators.json";

    private final String signingName;
    private final String apiVersion;
    private final Map<String, Operation> operations;
    private final Map<String, Shape> shapes;
    private final Map<String, Paginator> paginators;

    ServiceModel(
            String signingName,
            String apiVersion,
            Map<String, Operation> operationsByName,
            Map<String, Shape> shapes,
            Map<String, Paginator> paginatorsByOperation) {
        this.signingName = signingName;
        this.apiVersion = apiVersion;
        this.operations = Collections.unmodifiableMap(operationsByName);
        this.shapes = Map.copyOf(shapes);
        this.paginators = Collections.unmodifiableMap(paginatorsByOperation);
    }

    /** The bundled Amazon IVS model, loaded on first use and shared afterwards. */
    public static ServiceModel ivs() {
        return Bundled.IVS;
    }

    /**
     * Reads a model in the botocore JSON layout. The streams are read fully and left open.
     *
     * @param paginatorsJson the matching {@code *.paginators.json}, or null for a model without paginators
     * @throws IllegalArgumentException if the model is malformed or a pattern does not compile
     */
    public static ServiceModel parse(InputStream modelJson, InputStream paginatorsJson) {
        Objects.requireNonNull(modelJson, "modelJson");
        ObjectMapper mapper = new ObjectMapper();
        mapper.getFactory().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
        try {
            JsonNode model = mapper.readTree(modelJson);
            JsonNode paginators = paginatorsJson == null ? null : mapper.readTree(paginatorsJson);
            return ModelReader.read(model, paginators);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read service model", e);
        }
    }

    /** The SigV4 service name ("ivs"). */
    public String signingName() {
        return signingName;
    }

    public String apiVersion() {
        return apiVersion;
    }

    /** All operations by name, iterated in name order. */
    public Map<String, Operation> operations() {
        return operations;
    }

    /** The operation with this name, or null. */
    public Operation operation(String name) {
        return operations.get(name);
    }

    /** @throws IllegalArgumentException if the model has no shape of that name */
    public Shape shape(String name) {
        Shape shape = shapes.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("Unknown shape: " + name);
        }
        return shape;
    }

    /** Paginators by the name of the operation they page, in name order. */
    public Map<String, Paginator> paginators() {
        return paginators;
    }

    @Override
    public String toString() {
        return "ServiceModel[" + signingName + " " + apiVersion + ", " + operations.size() + " operations]";
    }

    /** Holder idiom: the JVM loads the resource once, on first call of {@link #ivs()}, thread-safely. */
    private static final class Bundled {
        static final ServiceModel IVS = load();

        private static ServiceModel load() {
            try (InputStream model = open(MODEL_RESOURCE);
                    InputStream paginators = open(PAGINATORS_RESOURCE)) {
                return parse(model, paginators);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static InputStream open(String resource) {
            InputStream in = ServiceModel.class.getResourceAsStream(resource);
            if (in == null) {
                throw new IllegalStateException("Missing classpath resource io/openivs/model/" + resource);
            }
            return in;
        }
    }
}
