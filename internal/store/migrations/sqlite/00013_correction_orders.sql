-- +goose Up
-- Correction orders (督办/纠错, issue 12 item 3): the supervisor orders a
-- department to put something right, by a day counted in working days;
-- the department replies; the supervisor accepts, returns or escalates to
-- the leader. Every step appends a hash-chained event (the case record's
-- hash rule, cases.HashEvent); the order row holds the state for lists and
-- a version for optimistic locking. Nothing is deleted.
CREATE TABLE correction_orders (
  id            INTEGER PRIMARY KEY,
  no            TEXT    NOT NULL,
  region_code   TEXT    NOT NULL REFERENCES regions(code),
  department_id BIGINT  NOT NULL REFERENCES departments(id),
  centre_id     BIGINT  NOT NULL REFERENCES centres(id),
  issued_by     BIGINT  NOT NULL REFERENCES staff(id),
  issued_at     TIMESTAMP NOT NULL,
  subject       TEXT    NOT NULL,
  instruction   TEXT    NOT NULL,
  deadline_days INTEGER NOT NULL,
  due           DATE    NOT NULL,
  state         TEXT    NOT NULL,
  version       INTEGER NOT NULL,
  escalated_at  TIMESTAMP,
  closed_at     TIMESTAMP,
  last_hash     TEXT    NOT NULL,
  updated_at    TIMESTAMP NOT NULL,
  UNIQUE (region_code, no)
);
CREATE INDEX correction_orders_open ON correction_orders (region_code, closed_at, due);
CREATE INDEX correction_orders_department ON correction_orders (department_id, closed_at, due);

-- The number of an order: 督-YYYY-NNNN, counted per county and year.
CREATE TABLE correction_order_numbers (
  region_code TEXT    NOT NULL,
  year        INTEGER NOT NULL,
  last        INTEGER NOT NULL,
  PRIMARY KEY (region_code, year)
);

-- What an order is about: a case, an anomaly (the anomalies table of
-- migration 00012, referenced by id without a foreign key so the two
-- migrations stay independent), or both.
CREATE TABLE correction_order_items (
  id         INTEGER PRIMARY KEY,
  order_id   BIGINT NOT NULL REFERENCES correction_orders(id),
  case_id    BIGINT REFERENCES cases(id),
  anomaly_id BIGINT
);
CREATE INDEX correction_order_items_order ON correction_order_items (order_id);
CREATE INDEX correction_order_items_case ON correction_order_items (case_id);

CREATE TABLE correction_order_events (
  id        INTEGER PRIMARY KEY,
  order_id  BIGINT  NOT NULL REFERENCES correction_orders(id),
  seq       INTEGER NOT NULL,
  at        TIMESTAMP NOT NULL,
  actor_id  BIGINT,
  actor     TEXT    NOT NULL,
  role      TEXT    NOT NULL,
  action    TEXT    NOT NULL,
  text      TEXT    NOT NULL,
  facts     TEXT    NOT NULL,
  prev_hash TEXT    NOT NULL,
  hash      TEXT    NOT NULL,
  UNIQUE (order_id, seq)
);

-- +goose Down
DROP TABLE correction_order_events;
DROP TABLE correction_order_items;
DROP TABLE correction_order_numbers;
DROP TABLE correction_orders;
