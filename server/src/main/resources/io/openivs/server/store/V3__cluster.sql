-- Cluster membership: every node sharing the database says where other nodes reach it
-- (its internal playback address) and that it is alive (heartbeat, epoch ms).
CREATE TABLE cluster_nodes (
  node      TEXT PRIMARY KEY,
  address   TEXT NOT NULL,
  heartbeat BIGINT NOT NULL
);
-- Viewers a node serves of a stream it relays from the owner (an edge), written with its
-- heartbeat: GetStream adds the fresh ones to the owner's own count.
CREATE TABLE cluster_viewers (
  node      TEXT NOT NULL,
  stream_id TEXT NOT NULL,
  viewers   INTEGER NOT NULL,
  heartbeat BIGINT NOT NULL,
  PRIMARY KEY (node, stream_id)
);
CREATE INDEX cluster_viewers_by_stream ON cluster_viewers (stream_id);
