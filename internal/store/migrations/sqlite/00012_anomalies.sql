-- +goose Up
-- Supervision's anomaly rules (预警纠错, issue 12; docs/DOMAIN.md §6). One
-- row per rule: the supervisor switches it on or off and sets its
-- threshold (the audit log keeps every change); the codes and their
-- meaning live in internal/anomaly.
CREATE TABLE anomaly_rules (
  code       TEXT PRIMARY KEY,
  enabled    BOOLEAN NOT NULL DEFAULT TRUE,
  threshold  INTEGER,
  severity   TEXT NOT NULL CHECK (severity IN ('info','warning','serious')),
  updated_at TIMESTAMP,
  updated_by TEXT NOT NULL DEFAULT ''
);
INSERT INTO anomaly_rules (code, threshold, severity) VALUES
  ('T01', NULL, 'info'), ('T02', NULL, 'warning'), ('T03', NULL, 'serious'),
  ('T04', NULL, 'warning'), ('T05', NULL, 'warning'), ('T06', 5, 'warning'),
  ('P01', NULL, 'warning'), ('P02', NULL, 'serious'), ('P03', NULL, 'serious'),
  ('P04', NULL, 'serious'), ('P05', NULL, 'serious'), ('P06', NULL, 'warning'),
  ('F01', NULL, 'warning'), ('F02', NULL, 'serious');

-- Each anomaly raised: which case, rule and fact. UNIQUE (case_id, rule,
-- fact_key) is what makes raising idempotent: the witness, the periodic
-- scan and a replay of the record may all find the same fact, and it is
-- stored once. events lists the event seqs that raised it (JSON array).
-- Nothing is deleted: a resolved anomaly keeps who resolved it and why.
CREATE TABLE anomalies (
  id            INTEGER PRIMARY KEY,
  case_id       BIGINT NOT NULL REFERENCES cases(id),
  department_id BIGINT NOT NULL REFERENCES departments(id),
  centre_id     BIGINT NOT NULL REFERENCES centres(id),
  rule          TEXT NOT NULL REFERENCES anomaly_rules(code),
  severity      TEXT NOT NULL,
  fact_key      TEXT NOT NULL,
  raised_at     TIMESTAMP NOT NULL,
  events        TEXT NOT NULL DEFAULT '[]',
  detail        TEXT NOT NULL DEFAULT '{}',
  status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved')),
  resolved_by   BIGINT REFERENCES staff(id),
  resolved_at   TIMESTAMP,
  resolve_note  TEXT NOT NULL DEFAULT '',
  UNIQUE (case_id, rule, fact_key)
);
CREATE INDEX anomalies_department ON anomalies (department_id, raised_at);
CREATE INDEX anomalies_status ON anomalies (status, raised_at);
CREATE INDEX anomalies_centre ON anomalies (centre_id, raised_at);

-- The deemed approvals flagged before this migration become T05 anomalies
-- with the same fact key the rule uses, so a later replay finds them
-- already raised. supervision_flags stays as it is (the engine still
-- writes it); nothing is lost.
INSERT INTO anomalies (case_id, department_id, centre_id, rule, severity, fact_key, raised_at, events, detail)
SELECT f.case_id, f.department_id, c.centre_id, 'T05', 'warning', 'deemed_approve', f.at,
  COALESCE((SELECT '[' || MAX(e.seq) || ']' FROM case_events e WHERE e.case_id = f.case_id AND e.action = 'deemed_approve'), '[]'),
  json_object('note', f.note)
FROM supervision_flags f JOIN cases c ON c.id = f.case_id
WHERE f.kind = 'deemed_approval';

-- +goose Down
DROP TABLE anomalies;
DROP TABLE anomaly_rules;
