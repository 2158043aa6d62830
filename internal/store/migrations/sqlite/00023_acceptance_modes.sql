-- +goose Up
-- Acceptance modes (issue 14 §3, docs/DOMAIN.md §20): 告知承诺
-- (国办发〔2020〕42号) and 容缺受理 (local rules, Shenzhen 2019 limits).
-- item_modes is the catalogue admin's per-item setting; material lists are
-- JSON arrays of the item's material names. case_modes is the mode a case
-- was accepted under, its owed materials' supply deadline and its
-- verification after approval. credit_marks are false commitments: an
-- applicant with one may no longer use 告知承诺.
CREATE TABLE item_modes (
  item_id              BIGINT PRIMARY KEY REFERENCES items(id),
  commitment           BOOLEAN NOT NULL DEFAULT FALSE,
  commitment_materials TEXT    NOT NULL DEFAULT '[]',
  verify_days          INTEGER NOT NULL DEFAULT 0,
  commitment_terms     TEXT    NOT NULL DEFAULT '',
  lenient              BOOLEAN NOT NULL DEFAULT FALSE,
  minor_materials      TEXT    NOT NULL DEFAULT '[]',
  supply_days          INTEGER NOT NULL DEFAULT 0,
  supply_margin        INTEGER NOT NULL DEFAULT 2,
  updated_by           BIGINT  REFERENCES staff(id),
  updated_at           TIMESTAMP NOT NULL
);
CREATE TABLE case_modes (
  case_id      BIGINT PRIMARY KEY REFERENCES cases(id),
  mode         TEXT   NOT NULL CHECK (mode IN ('commitment','lenient')),
  materials    TEXT   NOT NULL DEFAULT '[]',
  terms        TEXT   NOT NULL DEFAULT '',
  supply_due   DATE,
  supplied_at  TIMESTAMP,
  days         INTEGER NOT NULL DEFAULT 0,
  verify_due   DATE,
  verified_at  TIMESTAMP,
  verified_by  BIGINT REFERENCES staff(id),
  outcome      TEXT   NOT NULL DEFAULT '' CHECK (outcome IN ('','passed','false')),
  outcome_note TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX case_modes_supply ON case_modes(supply_due) WHERE supplied_at IS NULL;
CREATE INDEX case_modes_verify ON case_modes(verify_due) WHERE verified_at IS NULL;
CREATE TABLE credit_marks (
  id           INTEGER PRIMARY KEY,
  applicant_id BIGINT NOT NULL REFERENCES applicants(id),
  case_id      BIGINT NOT NULL UNIQUE REFERENCES cases(id),
  reason       TEXT   NOT NULL,
  marked_by    BIGINT NOT NULL REFERENCES staff(id),
  marked_at    TIMESTAMP NOT NULL
);
CREATE INDEX credit_marks_applicant ON credit_marks(applicant_id);
-- Supervision sees both modes (internal/anomaly/modes.go): P07 a 容缺 case
-- ended for owed materials, P08 a false commitment revoked.
INSERT INTO anomaly_rules (code, threshold, severity) VALUES ('P07', NULL, 'warning'), ('P08', NULL, 'serious');

-- +goose Down
DELETE FROM anomalies WHERE rule IN ('P07', 'P08');
DELETE FROM anomaly_rules WHERE code IN ('P07', 'P08');
DROP TABLE credit_marks;
DROP TABLE case_modes;
DROP TABLE item_modes;
