-- +goose Up
-- Assessments (考核, issue 15 §6; DOMAIN.md §26): quarterly checks,
-- half-year and year-end assessments of a centre's windows, people and
-- departments by weighted indicators.
--
-- The weights and grade thresholds a centre sets, versioned: a change
-- appends a row, so the version an assessment used stays readable. No row
-- for a centre means the defaults (version 0).
CREATE TABLE assessment_settings (
  id         INTEGER PRIMARY KEY,
  centre_id  BIGINT    NOT NULL REFERENCES centres(id),
  version    INTEGER   NOT NULL,
  weights    TEXT      NOT NULL,
  grades     TEXT      NOT NULL,
  set_by     BIGINT    NOT NULL REFERENCES staff(id),
  set_at     TIMESTAMP NOT NULL,
  UNIQUE (centre_id, version)
);

-- One run of an assessment. Everything a recomputation needs besides the
-- record itself is stored with it: the weights and thresholds used (JSON,
-- copied, never a reference to the settings row), the subjects and who
-- sat at which window when it was run (members), and the results with the
-- counts behind each value. from_day/to_day are Shanghai days, YYYY-MM-DD.
CREATE TABLE assessments (
  id               INTEGER PRIMARY KEY,
  centre_id        BIGINT    NOT NULL REFERENCES centres(id),
  kind             TEXT      NOT NULL CHECK (kind IN ('quarter','half','year')),
  year             INTEGER   NOT NULL,
  n                INTEGER   NOT NULL,
  from_day         TEXT      NOT NULL,
  to_day           TEXT      NOT NULL,
  settings_version INTEGER   NOT NULL,
  weights          TEXT      NOT NULL,
  grades           TEXT      NOT NULL,
  members          TEXT      NOT NULL,
  results          TEXT      NOT NULL,
  run_by           BIGINT    NOT NULL REFERENCES staff(id),
  run_at           TIMESTAMP NOT NULL
);
CREATE INDEX assessments_centre ON assessments (centre_id, from_day);

-- +goose Down
DROP TABLE assessments;
DROP TABLE assessment_settings;
