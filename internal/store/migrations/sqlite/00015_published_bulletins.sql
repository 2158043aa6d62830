-- +goose Up
-- Published bulletins (issue 12): a supervisor freezes a period's figures
-- and the portal shows them to everyone. The figures are stored as they
-- were published (JSON of the bulletin: department and centre names and
-- counts, no personal data), so later events never change a published
-- page. Publishing the same period, grouping and county again is a new
-- version (version + 1), asked for explicitly; the earlier one stays on
-- the record and on the portal marked as replaced. A withdrawn bulletin
-- keeps its row, with who withdrew it and why.
CREATE TABLE published_bulletins (
  id              INTEGER PRIMARY KEY,
  period_kind     TEXT    NOT NULL CHECK (period_kind IN ('month','quarter','half','year','range')),
  period_from     TEXT    NOT NULL, -- YYYY-MM-DD, inclusive
  period_to       TEXT    NOT NULL, -- YYYY-MM-DD, inclusive
  group_by        TEXT    NOT NULL CHECK (group_by IN ('department','centre','township','county')),
  county_code     TEXT    NOT NULL REFERENCES regions(code),
  version         INTEGER NOT NULL,
  title           TEXT    NOT NULL,
  figures         TEXT    NOT NULL,
  published_by    BIGINT  NOT NULL REFERENCES staff(id),
  published_at    TIMESTAMP NOT NULL,
  withdrawn_by    BIGINT  REFERENCES staff(id),
  withdrawn_at    TIMESTAMP,
  withdrawn_reason TEXT   NOT NULL DEFAULT '',
  UNIQUE (period_kind, period_from, period_to, group_by, county_code, version)
);
CREATE INDEX published_bulletins_county ON published_bulletins(county_code, published_at);

-- +goose Down
DROP TABLE published_bulletins;
