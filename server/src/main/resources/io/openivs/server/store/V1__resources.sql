-- Every IVS resource is one row: the API representation as a JSON document
-- plus the few columns that queries, uniqueness and ordering need. The same
-- SQL runs on SQLite and PostgreSQL.
CREATE TABLE resources (
  arn      TEXT PRIMARY KEY,
  account  TEXT NOT NULL,
  region   TEXT NOT NULL,
  type     TEXT NOT NULL,
  id       TEXT NOT NULL,
  created  BIGINT NOT NULL,
  parent   TEXT,
  lookup   TEXT,
  version  BIGINT NOT NULL,
  doc      TEXT NOT NULL
);
CREATE INDEX resources_by_owner ON resources (account, region, type, created, id);
-- Stream keys: at most one per channel (the IVS quota), enforced by the database
-- so that two nodes racing on CreateStreamKey cannot both win.
CREATE UNIQUE INDEX resources_by_parent ON resources (type, parent);
-- Stream keys by value (ingest authorisation), playback keys by fingerprint.
CREATE UNIQUE INDEX resources_by_lookup ON resources (type, lookup);

-- One row per stream session (one RTMP publish). A session is live while
-- end_time is NULL; the node that owns the publisher refreshes heartbeat,
-- health and viewers, and watches stop_requested (StopStream from any node).
CREATE TABLE stream_sessions (
  stream_id      TEXT PRIMARY KEY,
  channel_arn    TEXT NOT NULL,
  account        TEXT NOT NULL,
  region         TEXT NOT NULL,
  start_time     BIGINT NOT NULL,
  end_time       BIGINT,
  node           TEXT NOT NULL,
  heartbeat      BIGINT NOT NULL,
  stop_requested INTEGER NOT NULL DEFAULT 0,
  has_error      INTEGER NOT NULL DEFAULT 0,
  doc            TEXT NOT NULL
);
CREATE INDEX stream_sessions_by_channel ON stream_sessions (channel_arn, start_time);
CREATE INDEX stream_sessions_live ON stream_sessions (account, region, end_time);
