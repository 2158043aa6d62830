package demo

import (
	"context"
	"fmt"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// seedDutyQuarter gives the heads seedDuty named their duty days in the
// months of the quarter from..to (the one the demo's assessment checks),
// so its department ranking shows a leaders'-duty score: two days a
// month, sat, except that the third department's head missed one day in
// the quarter's middle month. Days already there are left alone.
func seedDutyQuarter(ctx context.Context, db *store.DB, from, to calendar.Date) error {
	cal, err := cases.Calendar(ctx, db.Read())
	if err != nil {
		return err
	}
	rows, err := db.R.QueryContext(ctx, `SELECT d.id, d.head_id, MIN(w.id), MIN(w.centre_id) FROM departments d
		JOIN windows w ON w.department_id = d.id AND w.retired_at IS NULL JOIN centres c ON c.id = w.centre_id AND c.kind = 'hall'
		WHERE d.head_id IS NOT NULL GROUP BY d.id, d.head_id ORDER BY d.id`)
	if err != nil {
		return err
	}
	type dept struct{ id, head, win, centre int64 }
	var ds []dept
	for rows.Next() {
		var d dept
		if err := rows.Scan(&d.id, &d.head, &d.win, &d.centre); err != nil {
			rows.Close()
			return err
		}
		ds = append(ds, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var admin int64
	if err := db.R.QueryRowContext(ctx, `SELECT id FROM staff WHERE username = 'admin'`).Scan(&admin); err != nil {
		return err
	}
	for i, d := range ds {
		for month, k := from, 0; !month.After(to); k++ {
			for j, day := range workingDays(cal, month, 2, 16+i) {
				at := day.Time(clock.Shanghai).Add(9 * time.Hour).UTC()
				if _, err := db.W.ExecContext(ctx, `INSERT INTO duty_days (department_id, centre_id, window_id, staff_id, day, scheduled_by, scheduled_at)
					VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING`, d.id, d.centre, d.win, d.head, day.String(), admin, month.Time(clock.Shanghai).UTC()); err != nil {
					return fmt.Errorf("demo quarter duty day: %w", err)
				}
				if i == 2 && k == 1 && j == 1 {
					continue // missed
				}
				if _, err := db.W.ExecContext(ctx, `INSERT INTO punches (staff_id, centre_id, window_id, at, direction, source, created_at)
					VALUES ($1,$2,$3,$4,'in','device',$4) ON CONFLICT DO NOTHING`, d.head, d.centre, d.win, at); err != nil {
					return fmt.Errorf("demo quarter duty punch: %w", err)
				}
			}
			next := time.Date(month.Year, month.Month+1, 1, 0, 0, 0, 0, time.UTC)
			month = calendar.Date{Year: next.Year(), Month: next.Month(), Day: 1}
		}
	}
	return nil
}
