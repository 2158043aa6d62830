-- +goose Up
-- Issue 10: a password change ends the account's other sessions, so a
-- session row names whose it is (derived from the session's data when it
-- is saved; NULL for a visitor who has not signed in). An ended session
-- keeps its row, marked, until the sweep: a request of that session still
-- in flight must not save it back to life.
ALTER TABLE sessions ADD COLUMN staff_id BIGINT;
ALTER TABLE sessions ADD COLUMN applicant_id BIGINT;
ALTER TABLE sessions ADD COLUMN ended_at TIMESTAMPTZ;
CREATE INDEX sessions_staff ON sessions(staff_id) WHERE staff_id IS NOT NULL;
CREATE INDEX sessions_applicant ON sessions(applicant_id) WHERE applicant_id IS NOT NULL;

-- API tokens expire. Tokens made before this have none and are read as
-- expiring a year after creation (auth.MaxTokenLife).
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMPTZ;
CREATE INDEX api_tokens_staff ON api_tokens(staff_id);

-- The throttle's hard delay counts failures per (account, address) pair.
CREATE INDEX login_failures_pair ON login_failures(account, address, at);

-- Addresses an account recently signed in from: there the account-wide
-- delay does not apply, so a guesser elsewhere who keeps failing cannot
-- keep the owner waiting.
CREATE TABLE login_known (
  account TEXT NOT NULL,
  address TEXT NOT NULL,
  at      TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (account, address)
);

-- +goose Down
DROP TABLE login_known;
DROP INDEX login_failures_pair;
DROP INDEX api_tokens_staff;
ALTER TABLE api_tokens DROP COLUMN expires_at;
DROP INDEX sessions_applicant;
DROP INDEX sessions_staff;
ALTER TABLE sessions DROP COLUMN ended_at;
ALTER TABLE sessions DROP COLUMN applicant_id;
ALTER TABLE sessions DROP COLUMN staff_id;
