-- +goose Up
-- Consultations, complaints and help requests (咨询、投诉、求助, issue 13 §3):
-- a citizen files one on the portal (or a civic app through Open311, or
-- staff at a window or on the phone), gets a tracking number and a reply
-- deadline in working days; the department, the centre or supervision
-- answers; the asker reads the reply and may close it. The asker's phone
-- and name stay in this table: lists and Open311 never read them.
CREATE TABLE enquiries (
  id            INTEGER PRIMARY KEY,
  no            TEXT    NOT NULL UNIQUE,
  kind          TEXT    NOT NULL CHECK (kind IN ('consult','complaint','help')),
  state         TEXT    NOT NULL CHECK (state IN ('open','answered','closed')),
  region_code   TEXT    NOT NULL REFERENCES regions(code),
  department_id BIGINT  REFERENCES departments(id),
  centre_id     BIGINT  NOT NULL REFERENCES centres(id),
  case_id       BIGINT  REFERENCES cases(id),
  subject       TEXT    NOT NULL,
  body          TEXT    NOT NULL,
  name          TEXT    NOT NULL DEFAULT '',
  phone         TEXT    NOT NULL DEFAULT '',
  email         TEXT    NOT NULL DEFAULT '',
  applicant_id  BIGINT  REFERENCES applicants(id),
  channel       TEXT    NOT NULL,
  address       TEXT    NOT NULL DEFAULT '',
  lat           REAL,
  lng           REAL,
  device_id     TEXT    NOT NULL DEFAULT '',
  account_id    TEXT    NOT NULL DEFAULT '',
  media_url     TEXT    NOT NULL DEFAULT '',
  public        BOOLEAN NOT NULL DEFAULT FALSE,
  client_id     BIGINT,
  received_at   TIMESTAMP NOT NULL,
  reply_days    INTEGER NOT NULL,
  due           DATE    NOT NULL,
  reply         TEXT    NOT NULL DEFAULT '',
  replied_at    TIMESTAMP,
  replied_by    BIGINT  REFERENCES staff(id),
  closed_at     TIMESTAMP,
  version       INTEGER NOT NULL,
  updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX enquiries_open ON enquiries (region_code, state, due);
CREATE INDEX enquiries_department ON enquiries (department_id, state, due);
CREATE INDEX enquiries_centre ON enquiries (centre_id, state, due);
CREATE INDEX enquiries_applicant ON enquiries (applicant_id);
CREATE INDEX enquiries_received ON enquiries (received_at);

-- The tracking number: ZX/TS/QZ-YYYYMMDD-NNNN, counted per kind and
-- Shanghai day (the case_numbers upsert).
CREATE TABLE enquiry_numbers (
  prefix TEXT    NOT NULL,
  day    TEXT    NOT NULL,
  last   INTEGER NOT NULL,
  PRIMARY KEY (prefix, day)
);

-- Who did what when: filed, answered, referred to an order, closed.
CREATE TABLE enquiry_events (
  id         INTEGER PRIMARY KEY,
  enquiry_id BIGINT  NOT NULL REFERENCES enquiries(id),
  at         TIMESTAMP NOT NULL,
  actor_id   BIGINT,
  actor      TEXT    NOT NULL,
  role       TEXT    NOT NULL,
  action     TEXT    NOT NULL,
  text       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX enquiry_events_enquiry ON enquiry_events (enquiry_id, id);

-- A county's reply limits per kind, set by its supervisor; a county
-- without a row uses the defaults in internal/voice (deadlines.go).
CREATE TABLE enquiry_deadlines (
  region_code TEXT    NOT NULL REFERENCES regions(code),
  kind        TEXT    NOT NULL,
  reply_days  INTEGER NOT NULL,
  updated_at  TIMESTAMP NOT NULL,
  PRIMARY KEY (region_code, kind)
);

-- Recent filings per sender (an address, a phone, an account), for the
-- public forms' limits (internal/voice Limits); rows older than a day are
-- removed as new ones come, so no address is kept longer.
CREATE TABLE enquiry_filings (
  key TEXT NOT NULL,
  at  TIMESTAMP NOT NULL
);
CREATE INDEX enquiry_filings_key ON enquiry_filings (key, at);
CREATE INDEX enquiry_filings_at ON enquiry_filings (at);

-- A complaint turned into a correction order: the order says which one,
-- so accepting the department's reply can answer it.
ALTER TABLE correction_orders ADD COLUMN enquiry_id BIGINT REFERENCES enquiries(id);
CREATE INDEX correction_orders_enquiry ON correction_orders (enquiry_id);

-- +goose Down
DROP INDEX correction_orders_enquiry;
ALTER TABLE correction_orders DROP COLUMN enquiry_id;
DROP TABLE enquiry_filings;
DROP TABLE enquiry_deadlines;
DROP TABLE enquiry_events;
DROP TABLE enquiry_numbers;
DROP TABLE enquiries;
