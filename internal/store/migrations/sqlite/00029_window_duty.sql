-- +goose Up
-- Leaders' window duty (一把手窗口值守, issue 15 §3; docs/DOMAIN.md §1 and
-- §25) and the chief representative's cover (首席代表, DOMAIN.md §3).
-- A department names its head (the person whose duty days are counted)
-- and its chief representative (who acts when a step's A and B are both
-- away). Both are staff of the department; either may be left unnamed.
ALTER TABLE departments ADD COLUMN head_id BIGINT REFERENCES staff(id);
ALTER TABLE departments ADD COLUMN chief_rep_id BIGINT REFERENCES staff(id);

-- The required duty days per month, per centre (default 2, the county's
-- house rule; a local convention, so configurable).
ALTER TABLE centres ADD COLUMN duty_days_required INTEGER NOT NULL DEFAULT 2;

-- One scheduled duty day of a department's head at one of its windows.
-- day is the Shanghai civil date (YYYY-MM-DD). A day is recorded by the
-- head's punch at a window of the department at that centre (read from
-- punches, never copied here) or by the centre admin's manual record with
-- a reason (manual_by/manual_reason, audited). A cancelled day keeps its
-- row (cancelled_at) so the plan's history stays on the record.
CREATE TABLE duty_days (
  id            INTEGER PRIMARY KEY,
  department_id BIGINT    NOT NULL REFERENCES departments(id),
  centre_id     BIGINT    NOT NULL REFERENCES centres(id),
  window_id     BIGINT    NOT NULL REFERENCES windows(id),
  staff_id      BIGINT    NOT NULL REFERENCES staff(id),
  day           TEXT      NOT NULL,
  scheduled_by  BIGINT    NOT NULL REFERENCES staff(id),
  scheduled_at  TIMESTAMP NOT NULL,
  manual_by     BIGINT    REFERENCES staff(id),
  manual_at     TIMESTAMP,
  manual_reason TEXT      NOT NULL DEFAULT '',
  cancelled_by  BIGINT    REFERENCES staff(id),
  cancelled_at  TIMESTAMP
);
CREATE UNIQUE INDEX duty_days_once ON duty_days(department_id, centre_id, day) WHERE cancelled_at IS NULL;
CREATE INDEX duty_days_centre_day ON duty_days(centre_id, day);

-- A month a department's head sat fewer days than required: a supervision
-- anomaly (rule D01), raised once per department, centre and month when
-- the month is over; the figures are those of the sweep that raised it.
CREATE TABLE duty_shortfalls (
  id            INTEGER PRIMARY KEY,
  department_id BIGINT    NOT NULL REFERENCES departments(id),
  centre_id     BIGINT    NOT NULL REFERENCES centres(id),
  month         TEXT      NOT NULL, -- YYYY-MM
  head_id       BIGINT    REFERENCES staff(id),
  required      INTEGER   NOT NULL,
  scheduled     INTEGER   NOT NULL,
  recorded      INTEGER   NOT NULL,
  raised_at     TIMESTAMP NOT NULL,
  UNIQUE (department_id, centre_id, month)
);
CREATE INDEX duty_shortfalls_centre ON duty_shortfalls(centre_id, month);

-- When a step's A, B and the chief representative are all away, the
-- department admin names who acts on that case's step (DOMAIN.md §3); the
-- acting event then records acting_for and assigned_by. One row per case
-- and step; a later assignment for the same step replaces it.
CREATE TABLE cover_assignments (
  id           INTEGER PRIMARY KEY,
  case_id      BIGINT    NOT NULL REFERENCES cases(id),
  step         INTEGER   NOT NULL,
  for_id       BIGINT    NOT NULL REFERENCES staff(id),
  staff_id     BIGINT    NOT NULL REFERENCES staff(id),
  assigned_by  BIGINT    NOT NULL REFERENCES staff(id),
  assigned_at  TIMESTAMP NOT NULL,
  UNIQUE (case_id, step)
);
CREATE INDEX cover_assignments_staff ON cover_assignments(staff_id);

-- +goose Down
DROP TABLE cover_assignments;
DROP TABLE duty_shortfalls;
DROP TABLE duty_days;
ALTER TABLE centres DROP COLUMN duty_days_required;
ALTER TABLE departments DROP COLUMN chief_rep_id;
ALTER TABLE departments DROP COLUMN head_id;
