-- +goose Up
-- Issue 14 §4: one outbox for every message to a person. sms_outbox keeps
-- its name (the claims, voice and ratings code and the operators' queries
-- know it) and grows into the outbox of every channel: an e-mail row has
-- channel 'email', its address in email and phone ''. A row written from a
-- template (template_key, params as JSON) is rendered when it is sent, in
-- lang; an older row carries its text already rendered.
ALTER TABLE sms_outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'sms' CHECK (channel IN ('sms','email'));
ALTER TABLE sms_outbox ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE sms_outbox ADD COLUMN template_key TEXT NOT NULL DEFAULT '';
ALTER TABLE sms_outbox ADD COLUMN params TEXT NOT NULL DEFAULT '';
ALTER TABLE sms_outbox ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';
-- The county whose admin sees the row on /admin/outbox ('' for a message
-- not tied to a county, seen by installation-wide admins only).
ALTER TABLE sms_outbox ADD COLUMN region_code TEXT NOT NULL DEFAULT '';
-- pending → sent, or failed after the last attempt (an admin may put a
-- failed row back to pending). lease_until is the claim of the dispatcher
-- sending it now: another process leaves the row alone until it passes.
ALTER TABLE sms_outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed'));
ALTER TABLE sms_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sms_outbox ADD COLUMN next_attempt_at TIMESTAMP;
ALTER TABLE sms_outbox ADD COLUMN lease_until TIMESTAMP;
ALTER TABLE sms_outbox ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
UPDATE sms_outbox SET status = 'sent' WHERE sent_at IS NOT NULL;
UPDATE sms_outbox SET next_attempt_at = created_at;
CREATE INDEX sms_outbox_due ON sms_outbox(next_attempt_at) WHERE status = 'pending';
CREATE INDEX sms_outbox_admin ON sms_outbox(region_code, status, id);

-- How an applicant wants to be told: 'sms' (the default, to the phone on
-- the account), 'email' or 'both'.
ALTER TABLE applicants ADD COLUMN notify_by TEXT NOT NULL DEFAULT 'sms' CHECK (notify_by IN ('sms','email','both'));
ALTER TABLE applicants ADD COLUMN notify_lang TEXT NOT NULL DEFAULT 'zh-CN';
-- A staff member's address for copies of their notes ('' for none).
ALTER TABLE staff ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- The in-app notes of a staff member (the bell): new work, yellow and red
-- lights. Rendered in the reader's language from key and params.
CREATE TABLE staff_notes (
  id           INTEGER PRIMARY KEY,
  staff_id     BIGINT NOT NULL REFERENCES staff(id),
  case_id      BIGINT REFERENCES cases(id),
  template_key TEXT NOT NULL,
  params       TEXT NOT NULL DEFAULT '',
  created_at   TIMESTAMP NOT NULL,
  read_at      TIMESTAMP
);
CREATE INDEX staff_notes_staff ON staff_notes(staff_id, id);

-- The last light a case's staff were told of: the clock sweep tells them
-- once per change, whichever process sweeps.
CREATE TABLE case_light_notes (
  case_id BIGINT PRIMARY KEY REFERENCES cases(id),
  light   TEXT NOT NULL,
  at      TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE case_light_notes;
DROP TABLE staff_notes;
ALTER TABLE staff DROP COLUMN email;
ALTER TABLE applicants DROP COLUMN notify_lang;
ALTER TABLE applicants DROP COLUMN notify_by;
DROP INDEX sms_outbox_admin;
DROP INDEX sms_outbox_due;
ALTER TABLE sms_outbox DROP COLUMN last_error;
ALTER TABLE sms_outbox DROP COLUMN lease_until;
ALTER TABLE sms_outbox DROP COLUMN next_attempt_at;
ALTER TABLE sms_outbox DROP COLUMN attempts;
ALTER TABLE sms_outbox DROP COLUMN status;
ALTER TABLE sms_outbox DROP COLUMN region_code;
ALTER TABLE sms_outbox DROP COLUMN lang;
ALTER TABLE sms_outbox DROP COLUMN params;
ALTER TABLE sms_outbox DROP COLUMN template_key;
ALTER TABLE sms_outbox DROP COLUMN email;
ALTER TABLE sms_outbox DROP COLUMN channel;
