-- +goose Up
-- Evaluation (好差评, issue 13 §4; docs/DOMAIN.md §7). A window's rating
-- pad authenticates with its own key, kept here only as a hash.
CREATE TABLE rating_devices (
  id            INTEGER PRIMARY KEY,
  window_id     BIGINT    NOT NULL REFERENCES windows(id),
  name          TEXT      NOT NULL,
  key_hash      TEXT      NOT NULL UNIQUE,
  issued_by     BIGINT    NOT NULL REFERENCES staff(id),
  issued_at     TIMESTAMP NOT NULL,
  revoked_by    BIGINT    REFERENCES staff(id),
  revoked_at    TIMESTAMP
);
CREATE INDEX rating_devices_window ON rating_devices (window_id);

-- One rating per case and channel (portal, qr, pad). case_no, item_code,
-- level (the satisfaction 1–5) and rated_at are the fields the national
-- 好差评 exchange sends, kept as rated so a later exchange needs no
-- migration. window, staff member, department and centre are who the
-- rating is about, fixed when it is given. The one addition (追评) is
-- addition/added_at.
CREATE TABLE ratings (
  id            INTEGER PRIMARY KEY,
  case_id       BIGINT    NOT NULL REFERENCES cases(id),
  case_no       TEXT      NOT NULL,
  item_code     TEXT      NOT NULL,
  channel       TEXT      NOT NULL CHECK (channel IN ('portal','qr','pad')),
  level         INTEGER   NOT NULL CHECK (level BETWEEN 1 AND 5),
  comment       TEXT      NOT NULL,
  reasons       TEXT      NOT NULL,
  named         BOOLEAN   NOT NULL,
  applicant_id  BIGINT    REFERENCES applicants(id),
  window_id     BIGINT    REFERENCES windows(id),
  staff_id      BIGINT    REFERENCES staff(id),
  department_id BIGINT    NOT NULL REFERENCES departments(id),
  centre_id     BIGINT    NOT NULL REFERENCES centres(id),
  device_id     BIGINT    REFERENCES rating_devices(id),
  rated_at      TIMESTAMP NOT NULL,
  addition      TEXT,
  added_at      TIMESTAMP,
  UNIQUE (case_id, channel)
);
CREATE INDEX ratings_department ON ratings (department_id, rated_at);
CREATE INDEX ratings_centre ON ratings (centre_id, rated_at);

-- The ledger of a bad rating (DOMAIN.md §7): verify (call back), fix or
-- explain, reply to the rater, revisit (回访), close by the supervisor;
-- or an appeal the supervisor decides. Deadlines are days counted in
-- working days from opened_at; the steps are appended, never changed.
CREATE TABLE rectifications (
  id               INTEGER PRIMARY KEY,
  rating_id        BIGINT    NOT NULL UNIQUE REFERENCES ratings(id),
  case_id          BIGINT    NOT NULL REFERENCES cases(id),
  region_code      TEXT      NOT NULL,
  department_id    BIGINT    NOT NULL REFERENCES departments(id),
  centre_id        BIGINT    NOT NULL REFERENCES centres(id),
  opened_at        TIMESTAMP NOT NULL,
  revisit_due      DATE      NOT NULL,
  fix_due          DATE      NOT NULL,
  state            TEXT      NOT NULL,
  version          INTEGER   NOT NULL,
  verified_at      TIMESTAMP,
  fixed_at         TIMESTAMP,
  outcome          TEXT      NOT NULL DEFAULT '',
  reply            TEXT      NOT NULL DEFAULT '',
  replied_at       TIMESTAMP,
  revisit_on       DATE,
  revisit_how      TEXT      NOT NULL DEFAULT '',
  revisit_opinion  TEXT      NOT NULL DEFAULT '',
  revisited_at     TIMESTAMP,
  closed_at        TIMESTAMP
);
CREATE INDEX rectifications_department ON rectifications (department_id, closed_at);
CREATE INDEX rectifications_region ON rectifications (region_code, closed_at);

CREATE TABLE rectification_steps (
  id                INTEGER PRIMARY KEY,
  rectification_id  BIGINT    NOT NULL REFERENCES rectifications(id),
  seq               INTEGER   NOT NULL,
  at                TIMESTAMP NOT NULL,
  actor_id          BIGINT    REFERENCES staff(id),
  actor             TEXT      NOT NULL,
  role              TEXT      NOT NULL,
  action            TEXT      NOT NULL,
  text              TEXT      NOT NULL,
  UNIQUE (rectification_id, seq)
);

-- The county's evaluation settings (one row, id 1), set by a supervisor
-- and recorded in the audit log; absent means the defaults. The QR
-- secret signs the rating links printed on receipts; it lives in the
-- database so every process sharing it signs alike.
CREATE TABLE rating_settings (
  id            INTEGER PRIMARY KEY,
  addition_days INTEGER   NOT NULL,
  revisit_days  INTEGER   NOT NULL,
  fix_days      INTEGER   NOT NULL,
  qr_secret     TEXT      NOT NULL,
  updated_at    TIMESTAMP NOT NULL
);

-- Ratings in supervision's running totals (internal/tally): all, the
-- satisfied (满意 and above) and the bad (不满意, 非常不满意).
ALTER TABLE supervision_totals ADD COLUMN ratings INTEGER NOT NULL DEFAULT 0;
ALTER TABLE supervision_totals ADD COLUMN ratings_satisfied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE supervision_totals ADD COLUMN ratings_bad INTEGER NOT NULL DEFAULT 0;
ALTER TABLE supervision_months ADD COLUMN ratings INTEGER NOT NULL DEFAULT 0;
ALTER TABLE supervision_months ADD COLUMN ratings_satisfied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE supervision_months ADD COLUMN ratings_bad INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE supervision_months DROP COLUMN ratings_bad;
ALTER TABLE supervision_months DROP COLUMN ratings_satisfied;
ALTER TABLE supervision_months DROP COLUMN ratings;
ALTER TABLE supervision_totals DROP COLUMN ratings_bad;
ALTER TABLE supervision_totals DROP COLUMN ratings_satisfied;
ALTER TABLE supervision_totals DROP COLUMN ratings;
DROP TABLE rating_settings;
DROP TABLE rectification_steps;
DROP TABLE rectifications;
DROP TABLE ratings;
DROP TABLE rating_devices;
