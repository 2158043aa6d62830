// Package monitor is electronic supervision's live monitor (实时监控): every
// open case with its light, counted by department, centre, township or
// county, with the most urgent cases listed, and a hub that pushes new
// counts to the pages that watch them (live.go).
//
// The light is the case engine's (cases.ListLight over clock.Stand), the
// same rule the inbox shows; the benchmark times this package's grouped
// query instead of keeping a copy of its own.
package monitor

import (
	"context"
	"fmt"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// Counts are the open cases of a group by light. Paused (the clock stopped
// for a legal reason: correction, hearing, expert review) and Received
// (not yet accepted: measured against the notice deadline) are counted
// again apart, as a supervisor reads them separately.
type Counts struct {
	Open     int `json:"open"`
	Green    int `json:"green"`
	Yellow   int `json:"yellow"`
	Red      int `json:"red"`
	Paused   int `json:"paused"`
	Received int `json:"received"`
}

func (c *Counts) add(o Counts) {
	c.Open += o.Open
	c.Green += o.Green
	c.Yellow += o.Yellow
	c.Red += o.Red
	c.Paused += o.Paused
	c.Received += o.Received
}

// Column is what the grouped query groups by: a case's department or its
// centre (townships and counties are read from the centre).
type Column string

const (
	ByDepartmentID Column = "department_id"
	ByCentreID     Column = "centre_id"
)

// LightsSQL groups the open cases (cond, from a store.Where, ANDed with
// closed_at IS NULL) by col and due day. The partial index
// cases_open_deadline (WHERE closed_at IS NULL) keeps closed cases out of
// it; the colour is then given in Go once per (group, due day) with the
// real working-day calendar (cases.ListLight): the promised deadline, or
// the notice deadline for cases not yet accepted; decided cases are green.
//
// The unary plus on the grouped column matters: without it SQLite reads
// the whole table through cases_department to get the groups in order
// (600 ms at 100k cases, growing with history) instead of the open cases
// through the partial index (14 ms). PostgreSQL accepts the same text.
func LightsSQL(col Column, cond string) string {
	if cond == "" {
		cond = " WHERE c.closed_at IS NULL"
	} else {
		cond += " AND c.closed_at IS NULL"
	}
	g := "+c." + string(col) + ", c.deadline, c.notice_due, c.decided_at IS NOT NULL"
	return `SELECT ` + g + `, COUNT(*), SUM(CASE WHEN c.paused THEN 1 ELSE 0 END), SUM(CASE WHEN c.state = 'received' THEN 1 ELSE 0 END)
	FROM cases c` + cond + ` GROUP BY ` + g
}

// Tally counts the open cases matching w by light per col as of today.
func Tally(ctx context.Context, db *store.DB, cal *calendar.Calendar, rule clock.LightRule, today calendar.Date, col Column, w *store.Where) (map[int64]*Counts, error) {
	if col != ByDepartmentID && col != ByCentreID {
		return nil, fmt.Errorf("monitor: cannot group by %q", col)
	}
	if w == nil {
		w = &store.Where{}
	}
	rows, err := db.Read().QueryContext(ctx, LightsSQL(col, w.String()), w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("lights: %w", err)
	}
	defer rows.Close()
	out := map[int64]*Counts{}
	for rows.Next() {
		var id int64
		var deadline, notice any
		var decided bool
		var n, paused, received int
		if err := rows.Scan(&id, &deadline, &notice, &decided, &n, &paused, &received); err != nil {
			return nil, err
		}
		c := out[id]
		if c == nil {
			c = &Counts{}
			out[id] = c
		}
		due, ok := calendar.FromColumn(deadline)
		if !ok {
			due, ok = calendar.FromColumn(notice)
		}
		var dp *calendar.Date
		if ok {
			dp = &due
		}
		c.Open += n
		c.Paused += paused
		c.Received += received
		switch cases.ListLight(cal, dp, decided, today, rule) {
		case clock.Red:
			c.Red += n
		case clock.Yellow:
			c.Yellow += n
		default:
			c.Green += n
		}
	}
	return out, rows.Err()
}

// OpenByLight answers "open cases by light per department" as of today
// over the whole database: the benchmark's figure.
func OpenByLight(ctx context.Context, db *store.DB, cal *calendar.Calendar, rule clock.LightRule, today calendar.Date) (map[int64]*Counts, error) {
	return Tally(ctx, db, cal, rule, today, ByDepartmentID, nil)
}
