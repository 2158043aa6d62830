-- +goose Up
-- Disclosure requests (issue 16, docs/DOMAIN.md §28): the request number
-- GK-YYYYMMDD-NNNN (公开), counted per Shanghai day with the enquiry
-- numbers' upsert so concurrent filings never share one.
CREATE TABLE disclosure_request_numbers (
  day  TEXT    NOT NULL PRIMARY KEY,
  last INTEGER NOT NULL
);

-- +goose Down
DROP TABLE disclosure_request_numbers;
