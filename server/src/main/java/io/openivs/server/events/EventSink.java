package io.openivs.server.events;

/** Somewhere events go. Called on the publisher's own executor, in event order; must not block long. */
public interface EventSink extends AutoCloseable {
    void publish(IvsEvent event);

    @Override
    default void close() {}
}
