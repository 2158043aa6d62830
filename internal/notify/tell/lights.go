package tell

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/notify"
	"onestop/internal/store"
)

// LightSweep tells a case's staff member when its light turns yellow or
// red, once per change: case_light_notes keeps the last light told, and
// the note is written in the same transaction as the conditional update
// of that row, so two processes sweeping at once tell it once.
type LightSweep struct {
	DB    *store.DB
	Cases *cases.Service
	Now   func() time.Time
}

// Sweep checks the open, undecided, running cases and reports how many
// notes it wrote.
func (l *LightSweep) Sweep(ctx context.Context) (int, error) {
	now := l.Now().UTC()
	turns, err := l.Turned(ctx, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range turns {
		told, err := l.Tell(ctx, t, now)
		if err != nil {
			return n, fmt.Errorf("light sweep %s: %w", t.no, err)
		}
		if told {
			n++
		}
	}
	return n, nil
}

// LightTurn is a case whose light differs from the one last told.
type LightTurn struct {
	id, staff       int64
	no, item, reg   string
	light, deadline string
}

// Turned lists the cases whose light is yellow or red and not yet told.
// The light is the inbox's (cases.ListLight): the promised deadline, or
// the notice deadline of a case not yet accepted.
func (l *LightSweep) Turned(ctx context.Context, now time.Time) ([]LightTurn, error) {
	cal, err := l.Cases.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	today := clock.Today(now)
	rows, err := l.DB.Read().QueryContext(ctx, `SELECT c.id, c.no, c.deadline, c.notice_due, c.assignee_id, COALESCE(n.light, 'green'), i.name, r.code
		FROM cases c JOIN items i ON i.id = c.item_id JOIN centres ce ON ce.id = c.centre_id JOIN regions r ON r.code = ce.region_code
		LEFT JOIN case_light_notes n ON n.case_id = c.id
		WHERE c.closed_at IS NULL AND c.decided_at IS NULL AND NOT c.paused AND c.assignee_id IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("light sweep: %w", err)
	}
	defer rows.Close()
	var turns []LightTurn
	for rows.Next() {
		var t LightTurn
		var deadline, notice any
		var told string
		if err := rows.Scan(&t.id, &t.no, &deadline, &notice, &t.staff, &told, &t.item, &t.reg); err != nil {
			return nil, err
		}
		due, ok := calendar.FromColumn(deadline)
		if !ok {
			due, ok = calendar.FromColumn(notice)
		}
		if !ok {
			continue
		}
		light := cases.ListLight(cal, &due, false, today, l.Cases.Light)
		if light != clock.Green && string(light) != told {
			t.light, t.deadline = string(light), due.String()
			turns = append(turns, t)
		}
	}
	return turns, rows.Err()
}

// Tell records the light and writes the note in one transaction; false
// when another process told this light first (its row already says so).
func (l *LightSweep) Tell(ctx context.Context, t LightTurn, now time.Time) (bool, error) {
	told := false
	err := l.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := l.DB.InTx(tx)
		res, err := q.ExecContext(ctx, `INSERT INTO case_light_notes (case_id, light, at) VALUES ($1,$2,$3)
			ON CONFLICT (case_id) DO UPDATE SET light = excluded.light, at = excluded.at WHERE case_light_notes.light <> excluded.light`, t.id, t.light, now)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return nil
		}
		told = true
		return notify.TellStaff(ctx, q, t.staff, t.id, t.reg, "notify.staff.light."+t.light,
			map[string]any{"No": t.no, "Item": t.item, "Deadline": t.deadline}, now)
	})
	return told, err
}
