-- +goose Up
-- The working-day calendar and the case engine (issue 4).

-- Holidays and adjusted working days (调休), one row per day, per year as
-- published by the State Council; editable by the centre admin.
CREATE TABLE calendar_years (
  year       INTEGER PRIMARY KEY,
  source     TEXT NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
CREATE TABLE calendar_days (
  day  DATE PRIMARY KEY,
  year INTEGER NOT NULL REFERENCES calendar_years(year),
  kind TEXT NOT NULL CHECK (kind IN ('holiday','workday')),
  name TEXT NOT NULL
);

-- Case numbers: centre code + date + a sequence per centre and day.
CREATE TABLE case_numbers (
  centre_id BIGINT NOT NULL REFERENCES centres(id),
  day       TEXT NOT NULL,
  last      INTEGER NOT NULL,
  PRIMARY KEY (centre_id, day)
);

-- The current state of each case: what inboxes and supervision query.
-- The history is case_events.
CREATE TABLE cases (
  id                 INTEGER PRIMARY KEY,
  no                 TEXT NOT NULL UNIQUE,
  item_id            BIGINT NOT NULL REFERENCES items(id),
  item_version_id    BIGINT NOT NULL REFERENCES item_versions(id),
  department_id      BIGINT NOT NULL REFERENCES departments(id),
  centre_id          BIGINT NOT NULL REFERENCES centres(id),
  channel            TEXT NOT NULL CHECK (channel IN ('window','township','online','commissioned')),
  applicant_id       BIGINT NOT NULL REFERENCES applicants(id),
  first_contact_id   BIGINT REFERENCES staff(id),
  state              TEXT NOT NULL,
  step               INTEGER NOT NULL DEFAULT 0,
  step_role          TEXT NOT NULL DEFAULT '',
  assignee_id        BIGINT REFERENCES staff(id),
  version            INTEGER NOT NULL,
  received_at        TIMESTAMP NOT NULL,
  notice_due         DATE,
  accepted_at        TIMESTAMP,
  decided_at         TIMESTAMP,
  completed_at       TIMESTAMP,
  delivered_at       TIMESTAMP,
  closed_at          TIMESTAMP,
  promised_days      INTEGER NOT NULL,
  statutory_days     INTEGER NOT NULL,
  extension_days     INTEGER NOT NULL DEFAULT 0,
  deadline           DATE,
  statutory_deadline DATE,
  provisional        BOOLEAN NOT NULL DEFAULT FALSE,
  paused             BOOLEAN NOT NULL DEFAULT FALSE,
  deemed_allowed     BOOLEAN NOT NULL,
  decision           TEXT NOT NULL DEFAULT '',
  deemed             BOOLEAN NOT NULL DEFAULT FALSE,
  delivery           TEXT NOT NULL DEFAULT '',
  fees_fen           BIGINT NOT NULL DEFAULT 0,
  last_hash          TEXT NOT NULL,
  created_at         TIMESTAMP NOT NULL,
  updated_at         TIMESTAMP NOT NULL
);
-- Open cases by deadline: the deadline sweep and the lights read only open
-- cases, so closed ones never slow them down.
CREATE INDEX cases_open_deadline ON cases(deadline) WHERE closed_at IS NULL;
CREATE INDEX cases_open_notice ON cases(notice_due) WHERE state = 'received';
CREATE INDEX cases_department ON cases(department_id, state);
CREATE INDEX cases_centre ON cases(centre_id, state);
CREATE INDEX cases_applicant ON cases(applicant_id);
CREATE INDEX cases_received ON cases(received_at);

-- The record: append-only, one row per action, each hashing the one before.
CREATE TABLE case_events (
  id        INTEGER PRIMARY KEY,
  case_id   BIGINT NOT NULL REFERENCES cases(id),
  seq       INTEGER NOT NULL,
  at        TIMESTAMP NOT NULL,
  actor_id  BIGINT,
  actor     TEXT NOT NULL,
  role      TEXT NOT NULL,
  place     TEXT NOT NULL,
  action    TEXT NOT NULL,
  payload   TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL,
  UNIQUE (case_id, seq)
);

-- Materials of a case: the item's list plus what was received.
CREATE TABLE case_materials (
  id           INTEGER PRIMARY KEY,
  case_id      BIGINT NOT NULL REFERENCES cases(id),
  seq          INTEGER NOT NULL,
  name         TEXT NOT NULL,
  required     BOOLEAN NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('missing','received','defective','not_applicable')),
  note         TEXT NOT NULL DEFAULT '',
  paper        BOOLEAN NOT NULL DEFAULT FALSE,
  file_sha256  TEXT NOT NULL DEFAULT '',
  file_name    TEXT NOT NULL DEFAULT '',
  file_type    TEXT NOT NULL DEFAULT '',
  file_size    BIGINT NOT NULL DEFAULT 0,
  changed_at   TIMESTAMP,
  UNIQUE (case_id, seq)
);

-- Clock pauses for special procedures (行政许可法 Art. 45).
CREATE TABLE case_pauses (
  id            INTEGER PRIMARY KEY,
  case_id       BIGINT NOT NULL REFERENCES cases(id),
  from_at       TIMESTAMP NOT NULL,
  to_at         TIMESTAMP,
  reason        TEXT NOT NULL,
  expected_days INTEGER NOT NULL
);
CREATE INDEX case_pauses_case ON case_pauses(case_id);

-- Documents issued (receipt, acceptance notice, supplement notice …).
CREATE TABLE case_documents (
  id        INTEGER PRIMARY KEY,
  case_id   BIGINT NOT NULL REFERENCES cases(id),
  kind      TEXT NOT NULL,
  event_seq INTEGER NOT NULL,
  issued_at TIMESTAMP NOT NULL
);
CREATE INDEX case_documents_case ON case_documents(case_id);

-- Messages to the applicant shown on their case page (SMS/e-mail later).
CREATE TABLE case_messages (
  id      INTEGER PRIMARY KEY,
  case_id BIGINT NOT NULL REFERENCES cases(id),
  at      TIMESTAMP NOT NULL,
  kind    TEXT NOT NULL,
  text    TEXT NOT NULL
);
CREATE INDEX case_messages_case ON case_messages(case_id);

-- Flags raised for electronic supervision (deemed approvals, late notices).
CREATE TABLE supervision_flags (
  id            INTEGER PRIMARY KEY,
  case_id       BIGINT NOT NULL REFERENCES cases(id),
  department_id BIGINT NOT NULL REFERENCES departments(id),
  at            TIMESTAMP NOT NULL,
  kind          TEXT NOT NULL,
  note          TEXT NOT NULL,
  UNIQUE (case_id, kind)
);

-- +goose Down
DROP TABLE supervision_flags;
DROP TABLE case_messages;
DROP TABLE case_documents;
DROP TABLE case_pauses;
DROP TABLE case_materials;
DROP TABLE case_events;
DROP TABLE cases;
DROP TABLE case_numbers;
DROP TABLE calendar_days;
DROP TABLE calendar_years;
