-- +goose Up
-- Open311 clients (issue 13 §5): the civic apps and kiosks that file
-- consultations and complaints through /open311/v2/. Each has its own API
-- key, of which only the SHA-256 is kept (auth.HashClientKey), issued for
-- one county (its jurisdiction) by that county's hall admin or by the
-- console (created_by empty), and revoked, never deleted: the enquiries a
-- client filed keep naming it.
CREATE TABLE open311_clients (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL,
  region_code TEXT    NOT NULL REFERENCES regions(code),
  key_hash    TEXT    NOT NULL UNIQUE,
  created_by  BIGINT  REFERENCES staff(id),
  created_at  TIMESTAMP NOT NULL,
  revoked_by  BIGINT  REFERENCES staff(id),
  revoked_at  TIMESTAMP,
  last_used_at TIMESTAMP
);
CREATE INDEX open311_clients_region ON open311_clients(region_code, created_at);

-- +goose Down
DROP TABLE open311_clients;
