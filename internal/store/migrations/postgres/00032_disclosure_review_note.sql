-- +goose Up
-- Publication (issue 16, docs/DOMAIN.md §27): the office head returns an
-- entry under review to its drafter with a reason; the drafter reads it
-- on the entry until the entry is submitted again. The reason is also on
-- the audit record; this column is the drafter's current instruction.
ALTER TABLE disclosure_entries ADD COLUMN review_note TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE disclosure_entries DROP COLUMN review_note;
