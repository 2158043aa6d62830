package bench

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/store"
)

// The live monitor's lights are timed through internal/monitor itself
// (one rule, one query); the bulletin is the real one (tally.Bulletin,
// bulletin.go). What stays here is the deadline scans.

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
