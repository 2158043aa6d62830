package disclosure

import (
	"context"
	"database/sql"
	"time"

	"onestop/internal/store"
)

// EnsureOrgans registers, for a county (its 6-digit division code), the
// county government and every active department of the county as organs,
// skipping those already registered. A county's disclosure duty exists by
// law (条例 Art. 3, 4), so an installation starts with its organs rather
// than waiting for someone to think of them; offices are still granted
// one by one (Grant).
func EnsureOrgans(ctx context.Context, db *store.DB, now time.Time, county string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT name FROM regions WHERE code = $1`, county).Scan(&name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_organs (region_code, kind, name, created_at, updated_at)
			SELECT $1, 'government', $2, $3, $3 WHERE NOT EXISTS (SELECT 1 FROM disclosure_organs WHERE region_code = $1 AND kind = 'government')`,
			county, name+"人民政府", now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO disclosure_organs (region_code, kind, department_id, name, created_at, updated_at)
			SELECT $1, 'department', d.id, d.name, $2, $2 FROM departments d
			WHERE d.retired_at IS NULL AND (d.region_code = $1 OR d.region_code IS NULL)
			  AND NOT EXISTS (SELECT 1 FROM disclosure_organs o WHERE o.department_id = d.id OR o.name = d.name)
			ORDER BY d.id`, county, now)
		return err
	})
}
