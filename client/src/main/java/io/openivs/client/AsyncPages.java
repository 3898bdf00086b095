package io.openivs.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/** The callback form of pagination for the async client: one page in flight at a time, in order. */
final class AsyncPages {

    private AsyncPages() {}

    /** As {@link PageIterable}'s arguments; {@code action} runs on the thread that completed each page. */
    static <R, T> CompletableFuture<Void> forEach(
            Function<String, CompletableFuture<R>> fetch,
            Function<R, String> nextToken,
            Function<R, List<T>> items,
            Consumer<? super T> action) {
        return page(fetch, null, nextToken, items, action);
    }

    private static <R, T> CompletableFuture<Void> page(
            Function<String, CompletableFuture<R>> fetch,
            String token,
            Function<R, String> nextToken,
            Function<R, List<T>> items,
            Consumer<? super T> action) {
        return fetch.apply(token).thenCompose(page -> {
            List<T> list = items.apply(page);
            if (list != null) {
                list.forEach(action);
            }
            String next = nextToken.apply(page);
            if (next == null || next.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            if (next.equals(token)) {
                return CompletableFuture.failedFuture(
                        new IllegalStateException("The service returned the same nextToken twice"));
            }
            return page(fetch, next, nextToken, items, action);
        });
    }
}
