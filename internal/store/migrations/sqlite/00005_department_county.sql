-- +goose Up
-- A department serves one county (issue 5: a province is one database of
-- many counties, DESIGN.md §1). Codes and names stay unique across the
-- database: a department's seal name carries its county ("宜章县民政局")
-- and its code is the installation's own. NULL only while no county
-- region exists yet; an installation of one county gets that county.
ALTER TABLE departments ADD COLUMN region_code TEXT REFERENCES regions(code);
UPDATE departments SET region_code = (SELECT MIN(code) FROM regions WHERE level = 'county')
  WHERE (SELECT COUNT(*) FROM regions WHERE level = 'county') = 1;
CREATE INDEX departments_region ON departments(region_code);

-- +goose Down
DROP INDEX departments_region;
ALTER TABLE departments DROP COLUMN region_code;
