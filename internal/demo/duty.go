package demo

import (
	"context"
	"fmt"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/duty"
	"onestop/internal/store"
)

// seedDuty shows leaders' window duty (issue 15 §3): three departments of
// the hall (not the showcase clerk's, whose tests start from a clean
// slate) get their department admin named head and their approver chief
// representative, two duty days last month and two this month. Two heads
// punched on both of last month's days; the third only on one, so last
// month's sweep raises its D01 and the bulletin marks it red.
func seedDuty(ctx context.Context, db *store.DB, now time.Time) error {
	if err := cases.EnsureCalendar(ctx, db, now); err != nil {
		return err
	}
	cal, err := cases.Calendar(ctx, db.Read())
	if err != nil {
		return err
	}
	rows, err := db.R.QueryContext(ctx, `SELECT d.id, MIN(w.id), MIN(w.centre_id), (SELECT MIN(s.id) FROM staff s WHERE s.department_id = d.id AND s.role = 'dept_admin'),
		(SELECT MIN(s.id) FROM staff s WHERE s.department_id = d.id AND s.role = 'approver')
		FROM departments d JOIN windows w ON w.department_id = d.id JOIN centres c ON c.id = w.centre_id AND c.kind = 'hall'
		WHERE d.id <> (SELECT department_id FROM staff WHERE username = 'clerk') GROUP BY d.id ORDER BY d.id LIMIT 3`)
	if err != nil {
		return err
	}
	type dept struct{ id, win, centre, head, chief int64 }
	var ds []dept
	for rows.Next() {
		var d dept
		if err := rows.Scan(&d.id, &d.win, &d.centre, &d.head, &d.chief); err != nil {
			rows.Close()
			return err
		}
		ds = append(ds, d)
	}
	rows.Close()
	var admin int64
	if err := db.R.QueryRowContext(ctx, `SELECT id FROM staff WHERE username = 'admin'`).Scan(&admin); err != nil {
		return err
	}
	today := clock.Today(now)
	this := calendar.Date{Year: today.Year, Month: today.Month, Day: 1}
	last := calendar.Date{Year: this.AddDays(-1).Year, Month: this.AddDays(-1).Month, Day: 1}
	for i, d := range ds {
		if _, err := db.W.ExecContext(ctx, `UPDATE departments SET head_id = $1, chief_rep_id = $2 WHERE id = $3`, d.head, d.chief, d.id); err != nil {
			return err
		}
		for _, month := range []calendar.Date{last, this} {
			days := workingDays(cal, month, 2, 3+i*2)
			for j, day := range days {
				if _, err := db.W.ExecContext(ctx, `INSERT INTO duty_days (department_id, centre_id, window_id, staff_id, day, scheduled_by, scheduled_at)
					VALUES ($1,$2,$3,$4,$5,$6,$7)`, d.id, d.centre, d.win, d.head, day.String(), admin, now); err != nil {
					return fmt.Errorf("demo duty day: %w", err)
				}
				punched := day.Before(today) && !(i == 2 && j == 1)
				if punched {
					at := day.Time(clock.Shanghai).Add(8*time.Hour + 50*time.Minute).UTC()
					if _, err := db.W.ExecContext(ctx, `INSERT INTO punches (staff_id, centre_id, window_id, at, direction, source, created_at)
						VALUES ($1,$2,$3,$4,'in','device',$4)`, d.head, d.centre, d.win, at); err != nil {
						return fmt.Errorf("demo duty punch: %w", err)
					}
				}
			}
		}
	}
	_, err = (&duty.Service{DB: db, Now: func() time.Time { return now }}).Sweep(ctx, last)
	return err
}

// workingDays returns n working days of the month from its from-th day on.
func workingDays(cal *calendar.Calendar, month calendar.Date, n, from int) []calendar.Date {
	var out []calendar.Date
	for d := month.AddDays(from - 1); d.Month == month.Month && len(out) < n; d = d.AddDays(1) {
		if ok, known := cal.IsWorkingDay(d); ok && known {
			out = append(out, d)
		}
	}
	return out
}
