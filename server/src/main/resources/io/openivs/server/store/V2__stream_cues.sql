-- Timed metadata and ad breaks asked for on a node that does not own the stream:
-- the owner takes them at its next heartbeat. Rows live only until taken.
CREATE TABLE stream_cues (
  id        TEXT PRIMARY KEY,
  stream_id TEXT NOT NULL,
  created   BIGINT NOT NULL,
  kind      TEXT NOT NULL,
  body      TEXT NOT NULL
);
CREATE INDEX stream_cues_by_stream ON stream_cues (stream_id, id);
-- End of the stream's running ad break (epoch ms): one break at a time, across nodes.
ALTER TABLE stream_sessions ADD COLUMN ad_break_until BIGINT NOT NULL DEFAULT 0;
