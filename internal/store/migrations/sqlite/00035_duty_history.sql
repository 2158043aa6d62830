-- +goose Up
-- Leaders' duty as of a past month (issue 15 §3 and §6; docs/DOMAIN.md
-- §25): who was a department's head and how many duty days a month the
-- centre required change over time, and an assessment of a past period
-- must read them as they stood then. Every change appends a row here
-- (org.SetDepartmentLeads, duty.SetRequired); the value in force at an
-- instant is the newest row from before it. A department or centre with
-- no row yet has never changed: its current column is the value. On the
-- first change the value before it is written first, dated 2000-01-01,
-- so that earlier instants keep reading it.
CREATE TABLE department_head_history (
  id            INTEGER PRIMARY KEY,
  department_id BIGINT    NOT NULL REFERENCES departments(id),
  head_id       BIGINT    REFERENCES staff(id), -- NULL: no head named
  from_at       TIMESTAMP NOT NULL,
  set_by        BIGINT    REFERENCES staff(id)
);
CREATE INDEX department_head_history_at ON department_head_history(department_id, from_at);

CREATE TABLE duty_required_history (
  id         INTEGER PRIMARY KEY,
  centre_id  BIGINT    NOT NULL REFERENCES centres(id),
  required   INTEGER   NOT NULL,
  from_at    TIMESTAMP NOT NULL,
  set_by     BIGINT    REFERENCES staff(id)
);
CREATE INDEX duty_required_history_at ON duty_required_history(centre_id, from_at);

-- A month's published bulletin freezes its leaders' duty table with its
-- figures (JSON: department, required, scheduled, recorded, short), so the
-- public document keeps the red marks it was published with.
ALTER TABLE published_bulletins ADD COLUMN duty TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE published_bulletins DROP COLUMN duty;
DROP TABLE duty_required_history;
DROP TABLE department_head_history;
