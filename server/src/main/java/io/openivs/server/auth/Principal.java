package io.openivs.server.auth;

/** An identity that may call the API: one access key of one account. */
public record Principal(String accessKeyId, String accountId) {}
