package io.openivs.server.events;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans events out to the configured sinks on one dedicated thread, so the
 * order a user sees is the order they happened in, and a slow sink (a webhook
 * retrying) never stalls ingest or the API.
 */
public final class EventBus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventBus.class);
    private final List<EventSink> sinks;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "openivs-events");
        t.setDaemon(true);
        return t;
    });

    public EventBus(List<EventSink> sinks) {
        this.sinks = List.copyOf(sinks);
    }

    public void publish(IvsEvent event) {
        try {
            thread.execute(() -> {
                for (EventSink s : sinks) {
                    try {
                        s.publish(event);
                    } catch (RuntimeException e) {
                        log.warn("event sink {} failed on {}: {}", s, event.eventName(), e.toString());
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.warn("event {} dropped: shutting down", event.eventName());
        }
    }

    /**
     * Runs {@code then} on the bus thread once every event published before it has been handed to the sinks
     * (the events file written): for state that must outlive the process until its event is out. Dropped at
     * shutdown, so the state stays and is acted on again at the next start.
     */
    public void afterPublished(Runnable then) {
        try {
            thread.execute(() -> {
                try {
                    then.run();
                } catch (RuntimeException e) {
                    log.warn("after-publish work failed: {}", e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("after-publish work dropped: shutting down");
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            // Every sink only writes locally (webhooks deliver from their own outbox), so this is quick.
            if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("events still queued at shutdown after 30 s; the events file may miss the last ones");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sinks.forEach(EventSink::close);
    }
}
