package io.openivs.server.store;

/** A live session and where its owner node is reached (its internal address). */
public record LiveOwnerRow(String streamId, String channelArn, String node, String address) {}
