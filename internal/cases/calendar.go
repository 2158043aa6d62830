package cases

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/calendar"
	"onestop/internal/org"
	"onestop/internal/store"
)

// EnsureCalendar stores the years the binary ships (2025, 2026 per
// docs/DOMAIN.md §4) when the database has none of them yet; the admin edits
// them afterwards and adds later years as the State Council publishes them.
func EnsureCalendar(ctx context.Context, db *store.DB, now time.Time) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		for _, y := range calendar.Builtin() {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM calendar_years WHERE year = $1`, y.Year).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if err := saveYear(ctx, tx, y, now); err != nil {
				return err
			}
		}
		return nil
	})
}

func saveYear(ctx context.Context, tx *sql.Tx, y calendar.YearData, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_days WHERE year = $1`, y.Year); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_years (year, source, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (year) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at`, y.Year, y.Source, now.UTC()); err != nil {
		return err
	}
	for _, d := range y.Days() {
		if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (day, year, kind, name) VALUES ($1, $2, $3, $4)`,
			d.Date.Time(time.UTC), y.Year, string(d.Kind), d.Name); err != nil {
			return fmt.Errorf("calendar day %s: %w", d.Date, err)
		}
	}
	return nil
}

// maxHolidayName bounds a holiday's name (元旦, 春节, 中秋节、国庆节 …).
const maxHolidayName = 30

// SaveYear replaces one year's holidays and adjusted days; only the county
// hall's centre admin may. Cases already open keep their stored deadlines
// until their next transition recomputes them.
func SaveYear(ctx context.Context, db *store.DB, a org.Actor, y calendar.YearData, now time.Time) error {
	if !(a.Role == org.CentreAdmin && a.CountyWide()) {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	// Free text first, through the one rule for it: the names are shown in
	// every deadline's explanation.
	f := apperr.Fields{}
	y.Source = f.Text("source", y.Source, true, 200)
	for i := range y.Holidays {
		y.Holidays[i].Name = f.Text("holidays", y.Holidays[i].Name, true, maxHolidayName)
	}
	for i := range y.Workdays {
		y.Workdays[i].Name = f.Text("workdays", y.Workdays[i].Name, false, maxHolidayName)
	}
	if err := f.Err(); err != nil {
		return err
	}
	if err := y.Validate(); err != nil {
		f.Add("days", "calendar.invalid", "Detail", err.Error())
		return f.Err()
	}
	before, _ := loadYears(ctx, db.R)
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if err := saveYear(ctx, tx, y, now); err != nil {
			return err
		}
		var old any
		for _, b := range before {
			if b.Year == y.Year {
				old = b
			}
		}
		return audit.Write(ctx, tx, now, a.Who(), "update", "calendar", fmt.Sprint(y.Year), 0, 0, old, y)
	})
}

func loadYears(ctx context.Context, q store.Querier) ([]calendar.YearData, error) {
	rows, err := q.QueryContext(ctx, `SELECT y.year, y.source, d.day, d.kind, d.name FROM calendar_years y
		LEFT JOIN calendar_days d ON d.year = y.year ORDER BY y.year, d.day`)
	if err != nil {
		return nil, fmt.Errorf("load calendar: %w", err)
	}
	defer rows.Close()
	type acc struct {
		source string
		days   []calendar.Day
	}
	years := map[int]*acc{}
	var order []int
	for rows.Next() {
		var year int
		var source string
		var day *time.Time
		var kind, name *string
		if err := rows.Scan(&year, &source, &day, &kind, &name); err != nil {
			return nil, err
		}
		a := years[year]
		if a == nil {
			a = &acc{source: source}
			years[year] = a
			order = append(order, year)
		}
		if day != nil {
			a.days = append(a.days, calendar.Day{Date: calendar.DateOf(*day, time.UTC), Kind: calendar.DayKind(*kind), Name: *name})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []calendar.YearData
	for _, y := range order {
		yd, err := calendar.YearFromDays(y, years[y].source, years[y].days)
		if err != nil {
			return nil, fmt.Errorf("calendar year %d: %w", y, err)
		}
		out = append(out, yd)
	}
	return out, nil
}

// Calendar loads the working-day calendar from the database.
func Calendar(ctx context.Context, q store.Querier) (*calendar.Calendar, error) {
	years, err := loadYears(ctx, q)
	if err != nil {
		return nil, err
	}
	return calendar.New(years...)
}

// SaveYear saves a year's calendar (see the function SaveYear) and drops
// this engine's cached calendar, so the edit holds for its next
// transition; other processes re-read within their 30-second cache.
func (s *Service) SaveYear(ctx context.Context, a org.Actor, y calendar.YearData) error {
	if err := SaveYear(ctx, s.DB, a, y, s.Now()); err != nil {
		return err
	}
	s.ForgetCalendar()
	return nil
}
