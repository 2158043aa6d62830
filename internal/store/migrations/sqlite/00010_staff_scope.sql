-- +goose Up
-- An account's reach is explicit (issue 10): every account is bound to a
-- centre (and its department) except an installation-wide one, which says
-- so here. Before this, an admin with no centre counted as county-wide, so
-- anyone able to clear their own centre became one.
ALTER TABLE staff ADD COLUMN scope TEXT NOT NULL DEFAULT '' CHECK (scope IN ('', 'province'));
-- The only accounts without a centre until now were the console's first
-- admins (and readers): they keep the reach they had, now said explicitly.
UPDATE staff SET scope = 'province' WHERE centre_id IS NULL AND role IN ('centre_admin', 'supervisor', 'leader');

-- +goose Down
ALTER TABLE staff DROP COLUMN scope;
