-- +goose Up
-- Organisation, people, sessions and the audit log (issue 2).

CREATE TABLE regions (
  code        TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  level       TEXT NOT NULL CHECK (level IN ('county','township','village')),
  kind        TEXT NOT NULL DEFAULT '',
  parent_code TEXT REFERENCES regions(code),
  retired_at  TIMESTAMP,
  created_at  TIMESTAMP NOT NULL,
  updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX regions_parent ON regions(parent_code);

CREATE TABLE centres (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('hall','township','community')),
  region_code TEXT NOT NULL REFERENCES regions(code),
  address     TEXT NOT NULL DEFAULT '',
  phone       TEXT NOT NULL DEFAULT '',
  hours       TEXT NOT NULL DEFAULT '',
  retired_at  TIMESTAMP,
  created_at  TIMESTAMP NOT NULL,
  updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE departments (
  id          INTEGER PRIMARY KEY,
  code        TEXT NOT NULL UNIQUE,
  name        TEXT NOT NULL UNIQUE,
  short_name  TEXT NOT NULL,
  mode        TEXT NOT NULL CHECK (mode IN ('seated','commissioned')),
  phone       TEXT NOT NULL DEFAULT '',
  retired_at  TIMESTAMP,
  created_at  TIMESTAMP NOT NULL,
  updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE windows (
  id            INTEGER PRIMARY KEY,
  centre_id     BIGINT NOT NULL REFERENCES centres(id),
  department_id BIGINT NOT NULL REFERENCES departments(id),
  number        TEXT NOT NULL,
  name          TEXT NOT NULL DEFAULT '',
  retired_at    TIMESTAMP,
  created_at    TIMESTAMP NOT NULL,
  updated_at    TIMESTAMP NOT NULL
);
-- A retired window's number may be given to a new window.
CREATE UNIQUE INDEX windows_number ON windows(centre_id, number) WHERE retired_at IS NULL;
CREATE INDEX windows_department ON windows(department_id);

CREATE TABLE staff (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('clerk','reviewer','approver','dept_admin','centre_admin','supervisor','leader')),
  centre_id     BIGINT REFERENCES centres(id),
  department_id BIGINT REFERENCES departments(id),
  window_id     BIGINT REFERENCES windows(id),
  backup_id     BIGINT REFERENCES staff(id),
  phone         TEXT NOT NULL DEFAULT '',
  absent        BOOLEAN NOT NULL DEFAULT FALSE,
  password_hash TEXT NOT NULL,
  must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
  retired_at    TIMESTAMP,
  created_at    TIMESTAMP NOT NULL,
  updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX staff_department ON staff(department_id);
CREATE INDEX staff_centre ON staff(centre_id);

CREATE TABLE applicants (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('citizen','organisation')),
  id_number     TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  contact_name  TEXT NOT NULL DEFAULT '',
  phone         TEXT NOT NULL DEFAULT '',
  email         TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL DEFAULT '',
  check_override BOOLEAN NOT NULL DEFAULT FALSE,
  created_at    TIMESTAMP NOT NULL,
  updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
  token  TEXT PRIMARY KEY,
  data   BLOB NOT NULL,
  expiry TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expiry);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY,
  staff_id     BIGINT NOT NULL REFERENCES staff(id),
  token_hash   TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL,
  created_at   TIMESTAMP NOT NULL,
  last_used_at TIMESTAMP,
  revoked_at   TIMESTAMP
);

CREATE TABLE login_failures (
  id      INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  address TEXT NOT NULL,
  at      TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_account ON login_failures(account, at);
CREATE INDEX login_failures_address ON login_failures(address, at);

CREATE TABLE audit_log (
  id            INTEGER PRIMARY KEY,
  at            TIMESTAMP NOT NULL,
  actor_id      BIGINT,
  actor         TEXT NOT NULL,
  role          TEXT NOT NULL DEFAULT '',
  address       TEXT NOT NULL DEFAULT '',
  action        TEXT NOT NULL,
  entity        TEXT NOT NULL,
  entity_id     TEXT NOT NULL,
  centre_id     BIGINT,
  department_id BIGINT,
  before        TEXT NOT NULL DEFAULT '',
  after         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

-- Small key/value facts about this installation (e.g. which demo seed was loaded).
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE audit_log;
DROP TABLE login_failures;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE applicants;
DROP TABLE staff;
DROP TABLE windows;
DROP TABLE departments;
DROP TABLE centres;
DROP TABLE regions;
