package io.openivs.server.api;

/** Who made an API request and where: the authenticated account and the server's region. */
public record Call(String accessKeyId, String account, String region, String requestId) {}
