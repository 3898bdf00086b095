package io.openivs.server.store;

/** One node of the cluster: its id, the internal address other nodes reach it at, its last heartbeat (epoch ms). */
public record ClusterNodeRow(String node, String address, long heartbeat) {}
