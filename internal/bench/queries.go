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

// The supervision queries: the live monitor's lights are timed through
// internal/monitor itself (one rule, one query); the month's counts are
// still the bench's own reference version until the bulletin replaces it.

// MonthCounts is a month's figures for one department.
type MonthCounts struct {
	Received, Completed, OnTime int
	// AvgWorkingDays is the mean number of working days from acceptance to
	// decision over the cases completed in the month.
	AvgWorkingDays float64
}

// monthSQL: the completed cases of the month grouped by department and by
// the Shanghai calendar days of acceptance and decision and the stored
// deadline; "on time" is decided on or before the deadline day, and the
// working days between the two days come from the calendar in Go (a
// working-day count in SQL would need the holiday table joined per case).
func monthSQL(d store.Dialect) string {
	day := func(col string) string { return "date(" + col + ", '+8 hours')" }
	if d == store.Postgres {
		day = func(col string) string { return "(" + col + " AT TIME ZONE 'Asia/Shanghai')::date" }
	}
	return `SELECT department_id, ` + day("accepted_at") + `, ` + day("decided_at") + `, deadline, COUNT(*) FROM cases
	WHERE completed_at >= $1 AND completed_at < $2 GROUP BY department_id, ` + day("accepted_at") + `, ` + day("decided_at") + `, deadline`
}

const receivedSQL = `SELECT department_id, COUNT(*) FROM cases WHERE received_at >= $1 AND received_at < $2 GROUP BY department_id`

// Month answers a month's counts per department: received, completed, on
// time, average working days. from and to are Shanghai calendar days
// [from, to).
func Month(ctx context.Context, db *store.DB, cal *calendar.Calendar, from, to calendar.Date) (map[int64]*MonthCounts, error) {
	lo, hi := from.Time(clock.Shanghai).UTC(), to.Time(clock.Shanghai).UTC()
	out := map[int64]*MonthCounts{}
	get := func(dept int64) *MonthCounts {
		if out[dept] == nil {
			out[dept] = &MonthCounts{}
		}
		return out[dept]
	}
	rows, err := db.R.QueryContext(ctx, receivedSQL, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("month received: %w", err)
	}
	for rows.Next() {
		var dept int64
		var n int
		if err := rows.Scan(&dept, &n); err != nil {
			rows.Close()
			return nil, err
		}
		get(dept).Received = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.R.QueryContext(ctx, monthSQL(db.Dialect), lo, hi)
	if err != nil {
		return nil, fmt.Errorf("month completed: %w", err)
	}
	defer rows.Close()
	days := map[int64]int{}
	for rows.Next() {
		var dept int64
		var acc, dec, dl any
		var n int
		if err := rows.Scan(&dept, &acc, &dec, &dl, &n); err != nil {
			return nil, err
		}
		m := get(dept)
		m.Completed += n
		a, okA := toDate(acc)
		d, okD := toDate(dec)
		deadline, okDL := toDate(dl)
		if okD && okDL && !d.After(deadline) {
			m.OnTime += n
		}
		if okA && okD {
			days[dept] += n * cal.WorkingDaysBetween(a, d)
		}
	}
	for dept, m := range out {
		if m.Completed > 0 {
			m.AvgWorkingDays = float64(days[dept]) / float64(m.Completed)
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
