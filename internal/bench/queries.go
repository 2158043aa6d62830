package bench

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// The live monitor's reference query is written here as the bench's own
// version until the live monitor lands; the bulletin is the real one
// (tally.Bulletin, bulletin.go).

// LightCounts is open cases by light for one department.
type LightCounts struct{ Green, Yellow, Red int }

// lightsSQL groups the open cases by department and due day. The partial
// index cases_open_deadline (WHERE closed_at IS NULL) keeps closed cases
// out of it; the colour is then given in Go, once per (department, due
// day) group, with the real working-day calendar, the same rule as the
// engine's inbox light (quickLight): the promised deadline, or the notice
// deadline for cases not yet accepted; decided cases are green; red after
// the due day, yellow when at most one working day is left.
//
// The unary plus on department_id matters: without it SQLite reads the
// whole table through cases_department to get the groups in order (600 ms
// at 100k cases, growing with history) instead of the open cases through
// the partial index (14 ms). PostgreSQL accepts the same text.
const lightsSQL = `SELECT +department_id, deadline, notice_due, decided_at IS NOT NULL, COUNT(*) FROM cases
	WHERE closed_at IS NULL GROUP BY +department_id, deadline, notice_due, decided_at IS NOT NULL`

// OpenByLight answers "open cases by light per department" as of today.
func OpenByLight(ctx context.Context, db *store.DB, cal *calendar.Calendar, today calendar.Date) (map[int64]*LightCounts, error) {
	rows, err := db.R.QueryContext(ctx, lightsSQL)
	if err != nil {
		return nil, fmt.Errorf("lights: %w", err)
	}
	defer rows.Close()
	out := map[int64]*LightCounts{}
	for rows.Next() {
		var dept int64
		var deadline, notice any
		var decided bool
		var n int
		if err := rows.Scan(&dept, &deadline, &notice, &decided, &n); err != nil {
			return nil, err
		}
		lc := out[dept]
		if lc == nil {
			lc = &LightCounts{}
			out[dept] = lc
		}
		due, ok := toDate(deadline)
		if !ok {
			due, ok = toDate(notice)
		}
		switch {
		case !ok || decided:
			lc.Green += n
		case today.After(due):
			lc.Red += n
		case cal.WorkingDaysBetween(today, due) <= clock.DefaultLightRule.YellowDaysLeft:
			lc.Yellow += n
		default:
			lc.Green += n
		}
	}
	return out, rows.Err()
}

// sweepSQL is the engine's deemed-approval scan (cases.Sweep), verbatim:
// open cases past their deadline, read through the partial index on open
// cases so its cost follows the open set, not the history.
const sweepSQL = `SELECT no FROM cases WHERE closed_at IS NULL AND deadline < $1 AND state = 'in_progress' AND deemed_allowed AND NOT paused
		ORDER BY deadline LIMIT 500`

// overdueSQL finds every open case that is red or turns yellow by the
// given day (the lights' "what changed colour" scan), on the same index.
const overdueSQL = `SELECT id, deadline FROM cases WHERE closed_at IS NULL AND deadline <= $1 ORDER BY deadline`

// scanDue runs the two deadline scans and returns how many rows the
// overdue scan found.
func scanDue(ctx context.Context, db *store.DB, today, yellowBy calendar.Date) (int, error) {
	rows, err := db.R.QueryContext(ctx, sweepSQL, today.Time(time.UTC))
	if err != nil {
		return 0, err
	}
	for rows.Next() {
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	rows, err = db.R.QueryContext(ctx, overdueSQL, yellowBy.Time(time.UTC))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}

// toDate reads a DATE column or a computed day, whichever type the driver
// gives: time.Time (PostgreSQL; SQLite for declared DATE columns) or text
// (SQLite's date()).
func toDate(v any) (calendar.Date, bool) {
	switch x := v.(type) {
	case time.Time:
		return calendar.DateOf(x, time.UTC), true
	case string:
		if len(x) >= 10 {
			d, err := calendar.ParseDate(x[:10])
			return d, err == nil
		}
	case []byte:
		return toDate(string(x))
	}
	return calendar.Date{}, false
}

// explain prints the plan of a query for the record (--verbose).
func explain(ctx context.Context, db *store.DB, w io.Writer, title, q string, args ...any) {
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect == store.Postgres {
		prefix = "EXPLAIN "
	}
	rows, err := db.R.QueryContext(ctx, prefix+q, args...)
	if err != nil {
		fmt.Fprintf(w, "plan of %s: %v\n", title, err)
		return
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	fmt.Fprintf(w, "plan of %s (%s):\n", title, db.Dialect)
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			fmt.Fprintf(w, "  %v\n", err)
			return
		}
		// SQLite's plan is (id, parent, notused, detail): the detail says it.
		fmt.Fprintf(w, "  %s\n", strings.TrimRight(fmt.Sprint(vals[len(vals)-1]), "\n"))
	}
}

// timeQuery runs f until it has run at least 5 times and for at least
// `budget` (at most 50 times) after one warm-up run, and returns the median
// latency in milliseconds.
func timeQuery(budget time.Duration, f func() error) (float64, error) {
	if err := f(); err != nil {
		return 0, err
	}
	var v []float64
	start := time.Now()
	for len(v) < 5 || (time.Since(start) < budget && len(v) < 50) {
		t := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		v = append(v, ms(time.Since(t)))
	}
	return Median(v), nil
}
