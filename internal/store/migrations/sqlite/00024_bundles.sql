-- +goose Up
-- Bundles (issue 14 §1, 并联审批 / 一件事一次办): one application for a
-- composite by one applicant, accepted once at the lead department's window;
-- at acceptance each participating item opens as an ordinary case (a
-- sub-case) linked back by cases.bundle_id. The refusal rule is the
-- composite's: all_or_nothing ends the open siblings, keep_rest lets them run.
ALTER TABLE composites ADD COLUMN refusal_rule TEXT NOT NULL DEFAULT 'all_or_nothing';

CREATE TABLE bundles (
  id                 INTEGER PRIMARY KEY,
  no                 TEXT    NOT NULL UNIQUE,
  composite_id       BIGINT  NOT NULL REFERENCES composites(id),
  lead_department_id BIGINT  NOT NULL REFERENCES departments(id),
  centre_id          BIGINT  NOT NULL REFERENCES centres(id),
  applicant_id       BIGINT  NOT NULL REFERENCES applicants(id),
  channel            TEXT    NOT NULL,
  refusal_rule       TEXT    NOT NULL,
  promised_days      INTEGER NOT NULL,
  state              TEXT    NOT NULL,
  outcome            TEXT    NOT NULL DEFAULT '',
  version            INTEGER NOT NULL DEFAULT 0,
  received_at        TIMESTAMP NOT NULL,
  accepted_at        TIMESTAMP,
  accepted_by        BIGINT  REFERENCES staff(id),
  decided_at         TIMESTAMP,
  delivered_at       TIMESTAMP,
  delivered_by       BIGINT  REFERENCES staff(id),
  created_at         TIMESTAMP NOT NULL,
  updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX bundles_applicant ON bundles(applicant_id, id);
CREATE INDEX bundles_lead ON bundles(lead_department_id, state);

-- Shared materials, entered once at the bundle and shown on every sub-case.
CREATE TABLE bundle_materials (
  bundle_id  BIGINT  NOT NULL REFERENCES bundles(id),
  seq        INTEGER NOT NULL,
  name       TEXT    NOT NULL,
  required   BOOLEAN NOT NULL,
  status     TEXT    NOT NULL,
  PRIMARY KEY (bundle_id, seq)
);

-- A bundle number is issued per centre and day like a case number, from
-- its own counter so the case-number audit (cases.numbers) is untouched.
CREATE TABLE bundle_numbers (
  centre_id BIGINT  NOT NULL REFERENCES centres(id),
  day       TEXT    NOT NULL,
  last      INTEGER NOT NULL,
  PRIMARY KEY (centre_id, day)
);

ALTER TABLE cases ADD COLUMN bundle_id BIGINT REFERENCES bundles(id);
CREATE INDEX cases_bundle ON cases(bundle_id);

-- +goose Down
DROP INDEX cases_bundle;
ALTER TABLE cases DROP COLUMN bundle_id;
DROP TABLE bundle_numbers;
DROP TABLE bundle_materials;
DROP TABLE bundles;
ALTER TABLE composites DROP COLUMN refusal_rule;
