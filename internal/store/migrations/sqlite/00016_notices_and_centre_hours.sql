-- +goose Up
-- Notices (通知公告, issue 13): a centre's admin drafts, publishes,
-- withdraws and edits them; the portal shows the published ones. A notice
-- belongs to the centre whose admin wrote it, so a township's admin
-- never edits the county hall's. The body is plain text (paragraphs split
-- on blank lines when shown), never HTML. Nothing is deleted: a withdrawn
-- notice keeps its row and the audit log keeps every change.
CREATE TABLE notices (
  id           INTEGER PRIMARY KEY,
  centre_id    BIGINT  NOT NULL REFERENCES centres(id),
  title        TEXT    NOT NULL,
  body         TEXT    NOT NULL,
  state        TEXT    NOT NULL CHECK (state IN ('draft','published','withdrawn')),
  version      INTEGER NOT NULL,
  created_by   BIGINT  NOT NULL REFERENCES staff(id),
  created_at   TIMESTAMP NOT NULL,
  updated_at   TIMESTAMP NOT NULL,
  published_at TIMESTAMP,
  withdrawn_at TIMESTAMP
);
CREATE INDEX notices_published ON notices(state, published_at);
CREATE INDEX notices_centre ON notices(centre_id, updated_at);

-- A centre's summer opening hours (docs/DOMAIN.md §11: two seasons, each
-- with its dates): the portal shows the hours of the day's season.
-- summer_from and summer_to are MM-DD, both empty when the centre keeps
-- one timetable all year.
ALTER TABLE centres ADD COLUMN summer_hours TEXT NOT NULL DEFAULT '';
ALTER TABLE centres ADD COLUMN summer_from  TEXT NOT NULL DEFAULT '';
ALTER TABLE centres ADD COLUMN summer_to    TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE centres DROP COLUMN summer_to;
ALTER TABLE centres DROP COLUMN summer_from;
ALTER TABLE centres DROP COLUMN summer_hours;
DROP TABLE notices;
