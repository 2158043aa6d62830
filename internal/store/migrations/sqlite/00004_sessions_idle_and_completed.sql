-- +goose Up
-- Sessions: the idle timeout is kept by the store (seen_at, touched at
-- most every few minutes) instead of scs rewriting the whole session on
-- every request, which cost one durable commit per page view.
ALTER TABLE sessions ADD COLUMN seen_at TIMESTAMP;

-- A month's completions per department (the supervision bulletin and the
-- bench's month counts) read cases by completion time.
CREATE INDEX cases_completed ON cases(completed_at) WHERE completed_at IS NOT NULL;

-- +goose Down
DROP INDEX cases_completed;
ALTER TABLE sessions DROP COLUMN seen_at;
