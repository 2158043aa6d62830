-- +goose Up
-- Supervision's running totals (issue 12): one row per (day, department,
-- centre), kept by the case engine's witnesses in the same transaction as
-- the event that changes them, so a bulletin sums a few thousand rows
-- instead of scanning every case. supervision_months holds the same
-- figures per calendar month (day = the month's first day) so a
-- province's year is a few hundred thousand rows, not millions. Days are
-- Shanghai calendar days. `onestop verify` recounts both from the cases.
CREATE TABLE supervision_totals (
  day             DATE    NOT NULL,
  department_id   BIGINT  NOT NULL REFERENCES departments(id),
  centre_id       BIGINT  NOT NULL REFERENCES centres(id),
  received        INTEGER NOT NULL DEFAULT 0,
  received_online INTEGER NOT NULL DEFAULT 0,
  accepted        INTEGER NOT NULL DEFAULT 0,
  completed       INTEGER NOT NULL DEFAULT 0,
  on_time         INTEGER NOT NULL DEFAULT 0,
  overdue         INTEGER NOT NULL DEFAULT 0,
  used_days       INTEGER NOT NULL DEFAULT 0,
  promised_days   INTEGER NOT NULL DEFAULT 0,
  deemed_accepted INTEGER NOT NULL DEFAULT 0,
  deemed_approved INTEGER NOT NULL DEFAULT 0,
  anomalies       INTEGER NOT NULL DEFAULT 0,
  orders          INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, department_id, centre_id)
);
CREATE TABLE supervision_months (
  day             DATE    NOT NULL,
  department_id   BIGINT  NOT NULL REFERENCES departments(id),
  centre_id       BIGINT  NOT NULL REFERENCES centres(id),
  received        INTEGER NOT NULL DEFAULT 0,
  received_online INTEGER NOT NULL DEFAULT 0,
  accepted        INTEGER NOT NULL DEFAULT 0,
  completed       INTEGER NOT NULL DEFAULT 0,
  on_time         INTEGER NOT NULL DEFAULT 0,
  overdue         INTEGER NOT NULL DEFAULT 0,
  used_days       INTEGER NOT NULL DEFAULT 0,
  promised_days   INTEGER NOT NULL DEFAULT 0,
  deemed_accepted INTEGER NOT NULL DEFAULT 0,
  deemed_approved INTEGER NOT NULL DEFAULT 0,
  anomalies       INTEGER NOT NULL DEFAULT 0,
  orders          INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, department_id, centre_id)
);

-- +goose Down
DROP TABLE supervision_months;
DROP TABLE supervision_totals;
