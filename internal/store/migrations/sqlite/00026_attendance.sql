-- +goose Up
-- Attendance (考勤, issue 15 §1), on the terminals and punches of 00025.
-- A centre's working hours as attendance reads them: structured times for
-- winter and summer (the season is the centre's summer_from/summer_to),
-- a grace in minutes before an arrival counts as late, the span within
-- which one person's punches count once, and the switch: a centre with
-- attendance off expects no punches (no one there is ever "absent" by
-- attendance, only by the checkbox or approved leave).
CREATE TABLE attendance_shifts (
  centre_id       BIGINT    PRIMARY KEY REFERENCES centres(id),
  enabled         BOOLEAN   NOT NULL DEFAULT FALSE,
  am_start        TEXT      NOT NULL,
  am_end          TEXT      NOT NULL,
  pm_start        TEXT      NOT NULL,
  pm_end          TEXT      NOT NULL,
  summer_am_start TEXT      NOT NULL,
  summer_am_end   TEXT      NOT NULL,
  summer_pm_start TEXT      NOT NULL,
  summer_pm_end   TEXT      NOT NULL,
  grace_minutes   INTEGER   NOT NULL DEFAULT 5,
  merge_seconds   INTEGER   NOT NULL DEFAULT 60,
  updated_by      BIGINT    REFERENCES staff(id),
  updated_at      TIMESTAMP NOT NULL
);

-- Leave (请假): filed by the person themself, decided by their
-- department's admin (the centre admin for staff of no department). Days
-- are Shanghai calendar days, both inclusive.
CREATE TABLE leave_requests (
  id              INTEGER   PRIMARY KEY,
  staff_id        BIGINT    NOT NULL REFERENCES staff(id),
  centre_id       BIGINT    NOT NULL REFERENCES centres(id),
  department_id   BIGINT    REFERENCES departments(id),
  kind            TEXT      NOT NULL CHECK (kind IN ('personal','sick','annual','business','other')),
  from_day        TEXT      NOT NULL,
  to_day          TEXT      NOT NULL,
  reason          TEXT      NOT NULL,
  state           TEXT      NOT NULL CHECK (state IN ('pending','approved','rejected')),
  filed_at        TIMESTAMP NOT NULL,
  decided_by      BIGINT    REFERENCES staff(id),
  decided_at      TIMESTAMP,
  decision_reason TEXT      NOT NULL DEFAULT ''
);
CREATE INDEX leave_requests_staff ON leave_requests(staff_id, from_day);
CREATE INDEX leave_requests_pending ON leave_requests(department_id, state);

-- +goose Down
DROP TABLE leave_requests;
DROP TABLE attendance_shifts;
