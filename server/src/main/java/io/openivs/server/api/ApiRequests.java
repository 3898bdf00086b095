package io.openivs.server.api;

import io.openivs.server.net.LatencyHistogram;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** API requests answered, by operation and HTTP status; read by the metrics scrape. */
public final class ApiRequests {
    /** The operation of requests refused before one was known (signature, route). */
    public static final String NO_OPERATION = "none";

    private final ConcurrentHashMap<String, ConcurrentHashMap<Integer, LongAdder>> byOperation =
            new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LatencyHistogram> latency = new ConcurrentHashMap<>();

    public ApiRequests() {}

    void count(String operation, int status) {
        byOperation
                .computeIfAbsent(operation, o -> new ConcurrentHashMap<>())
                .computeIfAbsent(status, s -> new LongAdder())
                .increment();
    }

    /** An answered request's time from its arrival (signature checked, body read) to its answer being written. */
    void took(String operation, long nanos) {
        latency.computeIfAbsent(operation, o -> new LatencyHistogram()).observe(nanos);
    }

    /** Each operation's latency histogram, for the scrape. */
    public void forEachLatency(java.util.function.BiConsumer<String, LatencyHistogram> each) {
        latency.forEach(each);
    }

    /** What a scrape reads. */
    public interface Visitor {
        void visit(String operation, int status, long count);
    }

    public void forEach(Visitor visitor) {
        for (Map.Entry<String, ConcurrentHashMap<Integer, LongAdder>> op : byOperation.entrySet()) {
            for (Map.Entry<Integer, LongAdder> st : op.getValue().entrySet()) {
                visitor.visit(op.getKey(), st.getKey(), st.getValue().sum());
            }
        }
    }
}
