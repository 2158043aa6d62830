-- +goose Up
-- Queue tickets (排队叫号, issue 15 §4). A queue group is a set of windows
-- of one centre serving the same business (不动产, 社保 …), with the letter
-- its tickets start with. Tickets are numbered per group and Shanghai day
-- (A001 …) from queue_counters, in the transaction that inserts them.
CREATE TABLE queue_groups (
  id            INTEGER PRIMARY KEY,
  centre_id     BIGINT    NOT NULL REFERENCES centres(id),
  department_id BIGINT    REFERENCES departments(id),
  prefix        TEXT      NOT NULL,
  name          TEXT      NOT NULL,
  position      INTEGER   NOT NULL DEFAULT 0,
  created_at    TIMESTAMP NOT NULL,
  retired_at    TIMESTAMP
);
CREATE UNIQUE INDEX queue_groups_prefix ON queue_groups(centre_id, prefix) WHERE retired_at IS NULL;

-- The windows that call a group's tickets (a window may serve several).
CREATE TABLE queue_group_windows (
  group_id  BIGINT NOT NULL REFERENCES queue_groups(id),
  window_id BIGINT NOT NULL REFERENCES windows(id),
  PRIMARY KEY (group_id, window_id)
);

CREATE TABLE queue_counters (
  group_id BIGINT NOT NULL REFERENCES queue_groups(id),
  day      TEXT   NOT NULL,
  last     INTEGER NOT NULL,
  PRIMARY KEY (group_id, day)
);

-- One ticket. A transfer closes the ticket (state transferred) and opens a
-- new row in the other group with the same number and place_at (its place
-- in the line is its first issue time) and issued_at = the transfer; seq is
-- 0 on such a row. Every state change is a column here (the figures) and a
-- row in queue_events (the record, recalls included).
CREATE TABLE queue_tickets (
  id              INTEGER PRIMARY KEY,
  group_id        BIGINT    NOT NULL REFERENCES queue_groups(id),
  centre_id       BIGINT    NOT NULL REFERENCES centres(id),
  day             TEXT      NOT NULL,
  seq             INTEGER   NOT NULL,
  no              TEXT      NOT NULL,
  channel         TEXT      NOT NULL CHECK (channel IN ('kiosk','portal','window')),
  phone           TEXT      NOT NULL DEFAULT '',
  state           TEXT      NOT NULL CHECK (state IN ('waiting','called','serving','done','no_show','transferred')),
  place_at        TIMESTAMP NOT NULL,
  issued_at       TIMESTAMP NOT NULL,
  issued_by       BIGINT    REFERENCES staff(id),
  window_id       BIGINT    REFERENCES windows(id),
  staff_id        BIGINT    REFERENCES staff(id),
  first_called_at TIMESTAMP,
  called_at       TIMESTAMP,
  calls           INTEGER   NOT NULL DEFAULT 0,
  serving_at      TIMESTAMP,
  ended_at        TIMESTAMP,
  from_id         BIGINT    REFERENCES queue_tickets(id),
  case_no         TEXT      NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX queue_tickets_number ON queue_tickets(group_id, day, seq) WHERE seq > 0;
CREATE INDEX queue_tickets_line ON queue_tickets(group_id, state, place_at);
CREATE INDEX queue_tickets_centre_day ON queue_tickets(centre_id, day);
CREATE INDEX queue_tickets_window ON queue_tickets(window_id, issued_at);
CREATE INDEX queue_tickets_phone ON queue_tickets(phone, day) WHERE phone <> '';

CREATE TABLE queue_events (
  id        INTEGER PRIMARY KEY,
  ticket_id BIGINT    NOT NULL REFERENCES queue_tickets(id),
  centre_id BIGINT    NOT NULL REFERENCES centres(id),
  action    TEXT      NOT NULL,
  window_id BIGINT    REFERENCES windows(id),
  staff_id  BIGINT    REFERENCES staff(id),
  at        TIMESTAMP NOT NULL
);
CREATE INDEX queue_events_ticket ON queue_events(ticket_id);
CREATE INDEX queue_events_centre_at ON queue_events(centre_id, at);

-- +goose Down
DROP TABLE queue_events;
DROP TABLE queue_tickets;
DROP TABLE queue_counters;
DROP TABLE queue_group_windows;
DROP TABLE queue_groups;
