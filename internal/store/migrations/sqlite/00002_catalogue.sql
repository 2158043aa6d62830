-- +goose Up
-- The service catalogue (issue 3): items with versions, composites for parallel approval.

-- Item types are data: provinces differ (DOMAIN.md §2).
CREATE TABLE item_types (
  code  TEXT PRIMARY KEY,
  name  TEXT NOT NULL,
  power BOOLEAN NOT NULL,      -- administrative power item (vs public service)
  seq   INTEGER NOT NULL
);
INSERT INTO item_types (code, name, power, seq) VALUES
  ('licensing', '行政许可', TRUE, 1), ('confirmation', '行政确认', TRUE, 2), ('adjudication', '行政裁决', TRUE, 3),
  ('benefit', '行政给付', TRUE, 4), ('reward', '行政奖励', TRUE, 5), ('filing', '行政备案', TRUE, 6),
  ('other_power', '其他行政权力', TRUE, 7), ('public_service', '公共服务', FALSE, 8);

-- One row per item: its identity, status and the version in force. The
-- content lives in item_versions; a case keeps the version it was accepted under.
CREATE TABLE items (
  id              INTEGER PRIMARY KEY,
  code            TEXT NOT NULL UNIQUE,
  department_id   BIGINT NOT NULL REFERENCES departments(id),
  status          TEXT NOT NULL CHECK (status IN ('in_force','suspended','cancelled')),
  current_version INTEGER NOT NULL,
  status_reason   TEXT NOT NULL DEFAULT '',
  cancelled_on    DATE,
  created_at      TIMESTAMP NOT NULL,
  updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX items_department ON items(department_id);
CREATE INDEX items_status ON items(status);

CREATE TABLE item_versions (
  id              INTEGER PRIMARY KEY,
  item_id         BIGINT NOT NULL REFERENCES items(id),
  version         INTEGER NOT NULL,
  name            TEXT NOT NULL,
  type            TEXT NOT NULL REFERENCES item_types(code),
  audience        TEXT NOT NULL CHECK (audience IN ('citizen','organisation','both')),
  themes          TEXT NOT NULL DEFAULT '',
  legal_basis     TEXT NOT NULL,
  conditions      TEXT NOT NULL DEFAULT '',
  statutory_days  INTEGER NOT NULL,
  promised_days   INTEGER NOT NULL,
  immediate       BOOLEAN NOT NULL,
  visits          INTEGER NOT NULL,
  online          BOOLEAN NOT NULL,
  at_hall         BOOLEAN NOT NULL,
  at_township     BOOLEAN NOT NULL,
  commissioned    BOOLEAN NOT NULL,
  deemed_approval BOOLEAN NOT NULL,
  deemed_note     TEXT NOT NULL DEFAULT '',
  materials       TEXT NOT NULL,
  fees            TEXT NOT NULL,
  steps           TEXT NOT NULL,
  search_text     TEXT NOT NULL,
  change_note     TEXT NOT NULL DEFAULT '',
  created_by      TEXT NOT NULL,
  created_at      TIMESTAMP NOT NULL,
  UNIQUE (item_id, version)
);

-- Parallel approval (并联审批): a bundle of several departments' items.
CREATE TABLE composites (
  id                 INTEGER PRIMARY KEY,
  code               TEXT NOT NULL UNIQUE,
  name               TEXT NOT NULL,
  lead_department_id BIGINT NOT NULL REFERENCES departments(id),
  statutory_days     INTEGER NOT NULL,
  promised_days      INTEGER NOT NULL,
  retired_at         TIMESTAMP,
  created_at         TIMESTAMP NOT NULL,
  updated_at         TIMESTAMP NOT NULL
);
CREATE TABLE composite_items (
  composite_id BIGINT NOT NULL REFERENCES composites(id),
  item_id      BIGINT NOT NULL REFERENCES items(id),
  seq          INTEGER NOT NULL,
  PRIMARY KEY (composite_id, item_id)
);

-- +goose Down
DROP TABLE composite_items;
DROP TABLE composites;
DROP TABLE item_versions;
DROP TABLE items;
DROP TABLE item_types;
