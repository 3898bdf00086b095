package io.openivs.server.store;

/** Position in a listing ordered by (created, id): the next page starts after it. */
public record Cursor(long created, String id) {}
