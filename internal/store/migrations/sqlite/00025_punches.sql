-- +goose Up
-- Attendance (考勤, issue 15 §1): the terminals and the punches they send,
-- shared by attendance sheets, A/B cover and leaders' window duty. A
-- terminal sits at a centre, or at one window (a punch there is also a
-- sitting at that window, which is how a leader's duty day is recorded).
-- HTTP terminals authenticate with their own key, kept only as a hash;
-- iclock (ZKTeco push) terminals are known by their serial number.
CREATE TABLE attendance_devices (
  id          INTEGER PRIMARY KEY,
  centre_id   BIGINT    NOT NULL REFERENCES centres(id),
  window_id   BIGINT    REFERENCES windows(id),
  name        TEXT      NOT NULL,
  protocol    TEXT      NOT NULL CHECK (protocol IN ('http','iclock')),
  serial      TEXT      NOT NULL DEFAULT '',
  key_hash    TEXT      NOT NULL DEFAULT '',
  issued_by   BIGINT    NOT NULL REFERENCES staff(id),
  issued_at   TIMESTAMP NOT NULL,
  last_seen_at TIMESTAMP,
  revoked_by  BIGINT    REFERENCES staff(id),
  revoked_at  TIMESTAMP
);
CREATE UNIQUE INDEX attendance_devices_serial ON attendance_devices(serial) WHERE serial <> '' AND revoked_at IS NULL;
CREATE UNIQUE INDEX attendance_devices_key ON attendance_devices(key_hash) WHERE key_hash <> '';

-- The number a terminal knows a person by (PIN, 考勤号), unique at a centre.
ALTER TABLE staff ADD COLUMN attendance_pin TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX staff_attendance_pin ON staff(centre_id, attendance_pin) WHERE attendance_pin <> '';

-- One row per punch that counts. A terminal re-sending a punch (an iclock
-- stamp of 0 re-uploads everything) meets punches_once and changes
-- nothing. source: device (HTTP API), iclock, manual (entered by the centre
-- admin with a reason, on the audit record). direction: in, out or '' when
-- the terminal does not say.
CREATE TABLE punches (
  id          INTEGER PRIMARY KEY,
  staff_id    BIGINT    NOT NULL REFERENCES staff(id),
  centre_id   BIGINT    NOT NULL REFERENCES centres(id),
  window_id   BIGINT    REFERENCES windows(id),
  device_id   BIGINT    REFERENCES attendance_devices(id),
  at          TIMESTAMP NOT NULL,
  direction   TEXT      NOT NULL DEFAULT '' CHECK (direction IN ('', 'in', 'out')),
  verify      TEXT      NOT NULL DEFAULT '',
  source      TEXT      NOT NULL CHECK (source IN ('device','iclock','manual')),
  reason      TEXT      NOT NULL DEFAULT '',
  entered_by  BIGINT    REFERENCES staff(id),
  created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX punches_once ON punches(staff_id, at);
CREATE INDEX punches_centre_at ON punches(centre_id, at);
CREATE INDEX punches_window_at ON punches(window_id, at);

-- +goose Down
DROP TABLE punches;
DROP INDEX staff_attendance_pin;
ALTER TABLE staff DROP COLUMN attendance_pin;
DROP TABLE attendance_devices;
