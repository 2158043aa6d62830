package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"onestop/internal/audit"
	"onestop/internal/demo/data"
	"onestop/internal/store"
)

// county is one county the demo builds: the demo county itself (showcase:
// the fixed logins, the data tables' codes and names, its villages) or a
// synthetic county of a province (issue 5), built from the same tables
// with its own division code, name, codes and usernames.
//
// A province keeps its counties in one database (docs/ARCHITECTURE.md §1). Codes and
// names stay unique across it the way they are in life: a department's
// seal names its county (宜章县民政局), an item's implementation code
// carries the division code, a hall is known by its division code.
type county struct {
	Code, Name string
	Hall       data.Hall
	showcase   bool
	salt       int64 // varies the people's names between counties
}

var demoCounty = county{Code: data.County.Code, Name: data.County.Name, Hall: data.County.Hall, showcase: true}

// dept is a department's code in this county: the tables' code, with the
// division code appended outside the demo county (MZJ431021).
func (c county) dept(code string) string {
	if c.showcase {
		return code
	}
	return code + c.Code
}

// item is an item's or composite's code in this county.
func (c county) item(code string) string {
	if c.showcase {
		return code
	}
	return c.Code + "-" + code
}

// user is a staff username in this county.
func (c county) user(u string) string {
	if c.showcase {
		return u
	}
	return "c" + c.Code + "." + u
}

// township maps a demo township code to this county's.
func (c county) township(code string) string { return c.Code + code[6:] }

// text replaces the demo county's name in names and texts.
func (c county) text(s string) string {
	if c.showcase {
		return s
	}
	return strings.ReplaceAll(s, "宜章", strings.TrimSuffix(c.Name, "县"))
}

// deptName is a department's seal name in this county. A city organ that
// serves the demo county without a county office of its own (郴州市邮政管理局)
// gets a county contact point in the others, so names stay unique.
func (c county) deptName(name string) string {
	if c.showcase || strings.Contains(name, "宜章") {
		return c.text(name)
	}
	return name + c.Name + "联络点"
}

// MaxCounties is the most counties a synthetic province may have: Hunan
// has 122 county-level divisions.
const MaxCounties = 150

// syntheticCounty is county k (2 ≤ k ≤ MaxCounties) of the synthetic
// province. Codes follow GB/T 2260's shape in Hunan (43), over the
// prefecture numbers 01–13 and 31 and the county numbers 21–29, 81, 82;
// names are drawn from two character lists. Both are invented: some may
// match a real county, and none is meant to.
func syntheticCounty(k int) county {
	prefectures := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 31}
	numbers := []int{21, 22, 23, 24, 25, 26, 27, 28, 29, 81, 82}
	var codes []string
	for _, p := range prefectures {
		for _, n := range numbers {
			if c := fmt.Sprintf("43%02d%02d", p, n); c != data.County.Code {
				codes = append(codes, c)
			}
		}
	}
	const first, second = "安宝长城大德东福广桂汉和华嘉金靖临隆泸南祁清", "川丰江乐陵宁平山水溪阳源州林田"
	f, s := []rune(first), []rune(second)
	i := k - 2
	name := string(f[(i/len(s))%len(f)]) + string(s[i%len(s)]) + "县"
	code := codes[i%len(codes)]
	return county{Code: code, Name: name, showcase: false, salt: int64(k) << 20,
		Hall: data.Hall{Name: name + "政务服务中心", Address: "湖南省" + name + "人民路" + strconv.Itoa(k) + "号",
			Phone: fmt.Sprintf("0731-%08d", 80000000+k), Hours: data.County.Hall.Hours}}
}

// EnsureProvince grows the demo county (Ensure must have run) into a
// synthetic province of n counties, each with the demo county's townships,
// departments, windows, staff and catalogue. Counties already present are
// kept; each new one is committed on its own, and progress, if set, is
// called after each.
func EnsureProvince(ctx context.Context, db *store.DB, seed int64, n int, progress func(done, total int)) error {
	if n < 1 || n > MaxCounties {
		return fmt.Errorf("counties: %d is not between 1 and %d", n, MaxCounties)
	}
	have := 1
	var v string
	err := db.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'demo_counties'`).Scan(&v)
	switch {
	case err == nil:
		if have, err = strconv.Atoi(v); err != nil {
			return fmt.Errorf("settings demo_counties %q: %w", v, err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for k := have + 1; k <= n; k++ {
		c := syntheticCounty(k)
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			g := &gen{ctx: ctx, tx: tx, now: now, seed: seed}
			if err := tx.QueryRowContext(ctx, `SELECT password_hash FROM staff WHERE username = 'admin'`).Scan(&g.hash); err != nil {
				return fmt.Errorf("demo county's admin: %w", err)
			}
			if err := g.organisation(c); err != nil {
				return fmt.Errorf("county %s %s: %w", c.Code, c.Name, err)
			}
			items, err := loadCatalogue(g, db, c)
			if err != nil {
				return err
			}
			g.items = items
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('demo_counties', $1)
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.Itoa(k)); err != nil {
				return err
			}
			return audit.Write(ctx, tx, now, audit.Who{Name: "demo", Address: "console"}, "create", "county", c.Code, 0, 0, nil,
				map[string]int{"regions": g.regions, "centres": g.centres, "departments": g.departments, "windows": g.windows, "staff": g.staff, "items": g.items})
		})
		if err != nil {
			return err
		}
		if progress != nil {
			progress(k, n)
		}
	}
	// Fresh statistics for the planner, as after any bulk load (see
	// bulk.Generate): a province's catalogue is 120 times the county's.
	if db.Dialect == store.Postgres && n > have {
		if _, err := db.W.ExecContext(ctx, `ANALYZE regions, centres, departments, windows, staff, items, item_versions`); err != nil {
			return fmt.Errorf("analyze after loading counties: %w", err)
		}
	}
	return nil
}
