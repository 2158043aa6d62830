-- +goose Up
-- The daily signed checkpoints over the record (issue 10): one row per
-- Asia/Shanghai calendar day, written once by whichever server process
-- gets there first (the day is the key; the others' INSERT does nothing).
CREATE TABLE checkpoints (
  day        TEXT PRIMARY KEY,   -- YYYY-MM-DD in Asia/Shanghai
  events     BIGINT NOT NULL,    -- events of the day
  root       TEXT NOT NULL,      -- Merkle root over their hashes
  prev       TEXT NOT NULL,      -- SHA-256 of the previous day's signed statement
  key_id     TEXT NOT NULL,
  signature  TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL
);

-- Every public key that has signed: rotation adds one, none is removed,
-- so old checkpoints stay checkable.
CREATE TABLE checkpoint_keys (
  key_id     TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,
  created_at TIMESTAMP NOT NULL
);

-- A day's events are read by time for its checkpoint and its check.
CREATE INDEX case_events_at ON case_events(at);

-- +goose Down
DROP INDEX case_events_at;
DROP TABLE checkpoint_keys;
DROP TABLE checkpoints;
