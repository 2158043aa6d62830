-- +goose Up
-- The annual disclosure report (政府信息公开工作年度报告, issue 16 item 3;
-- docs/DOMAIN.md §29): one per organ and year, in the national format of
-- 国办公开办函〔2021〕30号. computed holds the table cells as counted from
-- the record (JSON object, cell key → integer; keys in
-- internal/disclosure/annual/cells.go); adjusted holds the cells an
-- officer set by hand (same shape), each change kept with its reason in
-- disclosure_report_adjustments. A cell's value is adjusted's when present,
-- else computed's. Sections 一, 五 and 六 are edited text; 二, 三 and 四
-- are the tables. status: draft (editable, regenerable) → approved (by the
-- office head, only when the tables add up) → published (a
-- disclosure_entries row, entry_id). version guards concurrent edits.
CREATE TABLE disclosure_reports (
  id            INTEGER PRIMARY KEY,
  organ_id      BIGINT    NOT NULL REFERENCES disclosure_organs(id),
  year          INTEGER   NOT NULL,
  status        TEXT      NOT NULL CHECK (status IN ('draft','approved','published')),
  version       INTEGER   NOT NULL DEFAULT 1,
  overview      TEXT      NOT NULL DEFAULT '',
  problems      TEXT      NOT NULL DEFAULT '',
  other_matters TEXT      NOT NULL DEFAULT '',
  computed      TEXT      NOT NULL,
  adjusted      TEXT      NOT NULL DEFAULT '{}',
  generated_by  BIGINT    NOT NULL REFERENCES staff(id),
  generated_at  TIMESTAMP NOT NULL,
  approved_by   BIGINT    REFERENCES staff(id),
  approved_at   TIMESTAMP,
  published_by  BIGINT    REFERENCES staff(id),
  published_at  TIMESTAMP,
  published_on  TEXT,
  entry_id      BIGINT    REFERENCES disclosure_entries(id),
  created_at    TIMESTAMP NOT NULL,
  updated_at    TIMESTAMP NOT NULL,
  UNIQUE (organ_id, year),
  CHECK ((status = 'draft') = (approved_at IS NULL)),
  CHECK ((status = 'published') = (published_at IS NOT NULL))
);

-- Every hand adjustment of a cell: the value counted from the record at
-- the time, the value before and after, and why (a first year whose
-- carried-over requests predate OneStop, a decision recorded elsewhere).
CREATE TABLE disclosure_report_adjustments (
  id         INTEGER PRIMARY KEY,
  report_id  BIGINT    NOT NULL REFERENCES disclosure_reports(id),
  cell       TEXT      NOT NULL,
  computed   BIGINT    NOT NULL,
  value_was  BIGINT    NOT NULL,
  value_set  BIGINT    NOT NULL,
  reason     TEXT      NOT NULL,
  staff_id   BIGINT    NOT NULL REFERENCES staff(id),
  at         TIMESTAMP NOT NULL
);
CREATE INDEX disclosure_report_adjustments_report ON disclosure_report_adjustments (report_id, id);

-- +goose Down
DROP TABLE disclosure_report_adjustments;
DROP TABLE disclosure_reports;
