package io.openivs.model;

/**
 * How a list operation pages: the request member carrying the token, the response member returning the
 * next one, the request member limiting the page size and the response member holding the items.
 */
public record Paginator(String operation, String inputToken, String outputToken, String limitKey, String resultKey) {}
