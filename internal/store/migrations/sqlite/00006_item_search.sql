-- +goose Up
-- Keyword search reads the version in force's name and search text from
-- the narrow items row (issue 5). In a province's catalogue (52 000 items)
-- scanning item_versions, whose rows carry the whole content, took
-- 170–280 ms a search; items is a tenth of its size. The catalogue
-- service writes both with every new version.
ALTER TABLE items ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE items SET
  name = (SELECT v.name FROM item_versions v WHERE v.item_id = items.id AND v.version = items.current_version),
  search_text = (SELECT v.search_text FROM item_versions v WHERE v.item_id = items.id AND v.version = items.current_version);

-- items_status (three values) led SQLite, which keeps no statistics, to
-- read every item in force before the county's departments: one county's
-- search scanned the province's catalogue. Without it the plan starts
-- from departments_region and items_department.
DROP INDEX items_status;

-- +goose Down
CREATE INDEX items_status ON items(status);
ALTER TABLE items DROP COLUMN search_text;
ALTER TABLE items DROP COLUMN name;
