// Package demo loads the demo county (docs/DOMAIN.md §1) into an empty database:
// the same seed always gives the same regions, centres, departments, windows
// and staff. Later issues add the catalogue and a year of cases on top; each
// part is a step in Ensure so it can be added without touching the others.
package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"onestop/internal/audit"
	"onestop/internal/auth"
	"onestop/internal/cases"
	"onestop/internal/store"
)

// Password is every demo account's password (printed by `onestop demo`).
const Password = "demo1234"

// Login is one account printed for people trying the demo.
type Login struct {
	Username  string
	Role      string
	RoleLabel string
	Where     string
}

// Ensure loads the demo county once; on later starts it only returns the
// logins. A database that already holds other data is left alone.
func Ensure(ctx context.Context, db *store.DB, seed int64) ([]Login, error) {
	var loaded string
	err := db.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'demo_seed'`).Scan(&loaded)
	switch {
	case err == nil:
		if loaded != strconv.FormatInt(seed, 10) {
			return nil, fmt.Errorf("this data directory holds the demo generated with seed %s, not %d: use another --data directory", loaded, seed)
		}
		return logins(ctx, db)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, err
	}
	var n int
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions`).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, errors.New("this database already holds a county that is not the demo: use an empty --data directory for the demo")
	}
	if err := cases.EnsureCalendar(ctx, db, time.Now()); err != nil {
		return nil, err
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		g := &gen{ctx: ctx, tx: tx, now: now, hash: hash, seed: seed}
		if err := g.organisation(demoCounty); err != nil {
			return err
		}
		items, err := loadCatalogue(g, db, demoCounty)
		if err != nil {
			return err
		}
		g.items = items
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('demo_seed', $1)`, strconv.FormatInt(seed, 10)); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, audit.Who{Name: "demo", Address: "console"}, "create", "demo", strconv.FormatInt(seed, 10), 0, 0, nil,
			map[string]int{"regions": g.regions, "centres": g.centres, "departments": g.departments, "windows": g.windows, "staff": g.staff, "items": g.items})
	})
	if err != nil {
		return nil, err
	}
	if err := seedNotices(ctx, db, now); err != nil {
		return nil, fmt.Errorf("demo notices: %w", err)
	}
	if err := seedModes(ctx, db, now); err != nil {
		return nil, fmt.Errorf("demo acceptance modes: %w", err)
	}
	if err := seedCameras(ctx, db, now); err != nil {
		return nil, fmt.Errorf("demo cameras: %w", err)
	}
	if err := seedQueueGroups(ctx, db, now); err != nil {
		return nil, fmt.Errorf("demo queue groups: %w", err)
	}
	if err := seedDuty(ctx, db, now); err != nil {
		return nil, fmt.Errorf("demo window duty: %w", err)
	}
	if err := seedDisclosure(ctx, db, now); err != nil {
		return nil, fmt.Errorf("demo information disclosure: %w", err)
	}
	return logins(ctx, db)
}

// showcase are the accounts printed at start, one per role, with fixed
// usernames so the README and tests can name them.
var showcase = []struct{ username, role, label string }{
	{"admin", "centre_admin", "中心管理员 centre admin"},
	{"clerk", "clerk", "窗口受理 window clerk"},
	{"reviewer", "reviewer", "一审 reviewer"},
	{"approver", "approver", "一核/首席代表 approver"},
	{"deptadmin", "dept_admin", "部门管理员 dept admin"},
	{"township", "centre_admin", "乡镇中心管理员 township admin"},
	{"tclerk", "clerk", "乡镇窗口 township clerk"},
	{"supervisor", "supervisor", "效能监察 supervisor"},
	{"leader", "leader", "领导 leader (read-only)"},
}

func logins(ctx context.Context, db *store.DB) ([]Login, error) {
	var out []Login
	for _, s := range showcase {
		var where string
		err := db.R.QueryRowContext(ctx, `SELECT COALESCE(c.name, '') || CASE WHEN d.short_name IS NULL THEN '' ELSE ' · ' || d.short_name END
			FROM staff s LEFT JOIN centres c ON c.id = s.centre_id LEFT JOIN departments d ON d.id = s.department_id WHERE s.username = $1`, s.username).Scan(&where)
		if err != nil {
			return nil, fmt.Errorf("demo login %s: %w", s.username, err)
		}
		out = append(out, Login{Username: s.username, Role: s.role, RoleLabel: s.label, Where: where})
	}
	return out, nil
}
