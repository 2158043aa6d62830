-- +goose Up
-- Where the applicant collects the result (issue 14 §5, docs/DOMAIN.md
-- §17): NULL means the centre that accepted the case, which is the rule
-- (a township centre accepts for a county department, 代办, and the
-- result travels back to it). A value is stored only when the applicant
-- chose another centre, so the clerk's scope stays a test on the case row
-- and the partial index below stays small.
ALTER TABLE cases ADD COLUMN pickup_centre_id BIGINT REFERENCES centres(id);
CREATE INDEX cases_pickup_open ON cases(pickup_centre_id) WHERE closed_at IS NULL AND pickup_centre_id IS NOT NULL;

-- +goose Down
DROP INDEX cases_pickup_open;
ALTER TABLE cases DROP COLUMN pickup_centre_id;
