package io.openivs.client;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The items of a paginated list operation, fetched lazily: a page is requested only when the items of the
 * previous one are used up, so breaking out of a loop (or a short-circuiting stream) stops the requests.
 * Each iteration starts again from the first page. Not thread-safe per iterator.
 *
 * @param <R> the response type of one page
 * @param <T> the item type
 */
public final class PageIterable<R, T> implements Iterable<T> {

    private final Function<String, R> fetch;
    private final Function<R, String> nextToken;
    private final Function<R, List<T>> items;

    /**
     * @param fetch     fetches the page after a token; with null, the first page the request asks for
     * @param nextToken the token of the following page; null or empty on the last page
     * @param items     the items of a page (null reads as none)
     */
    PageIterable(Function<String, R> fetch, Function<R, String> nextToken, Function<R, List<T>> items) {
        this.fetch = Objects.requireNonNull(fetch, "fetch");
        this.nextToken = Objects.requireNonNull(nextToken, "nextToken");
        this.items = Objects.requireNonNull(items, "items");
    }

    /** The responses themselves, page by page, e.g. to see each page's size or token. */
    public Iterable<R> pages() {
        return Pages::new;
    }

    @Override
    public Iterator<T> iterator() {
        return new Items();
    }

    /** The items as a sequential stream; pages are fetched as the stream is consumed. */
    public Stream<T> stream() {
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    private final class Pages implements Iterator<R> {
        private R pending;
        private String token;
        private boolean started;
        private boolean done;

        @Override
        public boolean hasNext() {
            if (pending != null) {
                return true;
            }
            if (done) {
                return false;
            }
            R page = fetch.apply(started ? token : null);
            started = true;
            String next = nextToken.apply(page);
            if (next == null || next.isEmpty()) {
                done = true;
            } else if (next.equals(token)) {
                // A service that hands back the token it was given would have us loop forever.
                throw new IllegalStateException("The service returned the same nextToken twice");
            }
            token = next;
            pending = page;
            return true;
        }

        @Override
        public R next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            R page = pending;
            pending = null;
            return page;
        }
    }

    private final class Items implements Iterator<T> {
        private final Pages pages = new Pages();
        private Iterator<T> current = Collections.emptyIterator();

        @Override
        public boolean hasNext() {
            while (!current.hasNext()) {
                if (!pages.hasNext()) {
                    return false;
                }
                List<T> page = items.apply(pages.next());
                current = page == null ? Collections.emptyIterator() : page.iterator();
            }
            return true;
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current.next();
        }
    }
}
