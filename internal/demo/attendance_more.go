package demo

import (
	"context"
	"database/sql"
	"time"

	"onestop/internal/attendance"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// SeedAttendanceMore adds to the demo hall's attendance (SeedAttendance)
// what the issue-15 remainder built: a terminal bound to the first
// clerk's window (its punches are that window's), an approved morning's
// leave three working days ago for the third enrolled clerk (who came in
// for the afternoon, so the sheet shows a half day judged from the
// afternoon's start), and a pending afternoon's leave on the next working
// day for the fourth, waiting for their department admin. Run once: a
// hall with a half-day leave on record is left alone.
func SeedAttendanceMore(ctx context.Context, db *store.DB, until time.Time) error {
	var hall, admin int64
	if err := db.R.QueryRowContext(ctx, `SELECT s.centre_id, s.id FROM staff s WHERE s.username = 'admin'`).Scan(&hall, &admin); err != nil {
		return err
	}
	var n int
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM leave_requests WHERE centre_id = $1 AND half <> ''`, hall).Scan(&n); err != nil || n > 0 {
		return err
	}
	type clerk struct{ id, dept, window int64 }
	rows, err := db.R.QueryContext(ctx, `SELECT id, COALESCE(department_id, 0), window_id FROM staff WHERE centre_id = $1 AND role = 'clerk'
		AND attendance_pin <> '' AND window_id IS NOT NULL AND retired_at IS NULL ORDER BY id LIMIT 4`, hall)
	if err != nil {
		return err
	}
	var clerks []clerk
	for rows.Next() {
		var c clerk
		if err := rows.Scan(&c.id, &c.dept, &c.window); err != nil {
			rows.Close()
			return err
		}
		clerks = append(clerks, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(clerks) < 4 {
		return err // SeedAttendance has not enrolled the hall yet
	}
	cal, err := cases.Calendar(ctx, db.R)
	if err != nil {
		return err
	}
	now := until.UTC()
	today := clock.Today(now)
	working := func(from calendar.Date, step, count int) calendar.Date {
		d := from
		for count > 0 {
			d = d.AddDays(step)
			if w, _ := cal.IsWorkingDay(d); w {
				count--
			}
		}
		return d
	}
	past, next := working(today, -1, 3), working(today, 1, 1)
	var shift attendance.Shift
	if shift, err = (&attendance.Service{DB: db, Now: func() time.Time { return now }}).Shift(ctx, hall); err != nil {
		return err
	}
	at := func(d calendar.Date, hhmm string, minutes int) time.Time {
		t, _ := time.ParseInLocation("2006-01-02 15:04", d.String()+" "+hhmm, clock.Shanghai)
		return t.Add(time.Duration(minutes) * time.Minute).UTC()
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO attendance_devices (centre_id, window_id, name, protocol, serial, issued_by, issued_at)
			VALUES ($1, $2, '1号窗口指纹机', 'iclock', 'CEXJ201260124', $3, $4) ON CONFLICT DO NOTHING`, hall, clerks[0].window, admin, now); err != nil {
			return err
		}
		c := clerks[2]
		if _, err := tx.ExecContext(ctx, `INSERT INTO leave_requests (staff_id, centre_id, department_id, kind, from_day, to_day, reason, state,
			filed_at, decided_by, decided_at, half) VALUES ($1, $2, $3, 'personal', $4, $4, '上午到医院陪护家人', 'approved', $5, $6, $5, 'am')`,
			c.id, hall, store.NullID(c.dept), past.String(), now.Add(-4*24*time.Hour), admin); err != nil {
			return err
		}
		// That day's punches: in for the afternoon only.
		if _, err := tx.ExecContext(ctx, `DELETE FROM punches WHERE staff_id = $1 AND at >= $2 AND at < $3`, c.id, at(past, "00:00", 0), at(past, "00:00", 24*60)); err != nil {
			return err
		}
		times := shift.On(past)
		for _, p := range []struct {
			t   time.Time
			dir string
		}{{at(past, times.PMStart, -4), "in"}, {at(past, times.PMEnd, 12), "out"}} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO punches (staff_id, centre_id, at, direction, verify, source, created_at)
				VALUES ($1, $2, $3, $4, 'fingerprint', 'iclock', $3) ON CONFLICT DO NOTHING`, c.id, hall, p.t, p.dir); err != nil {
				return err
			}
		}
		c = clerks[3]
		_, err := tx.ExecContext(ctx, `INSERT INTO leave_requests (staff_id, centre_id, department_id, kind, from_day, to_day, reason, state, filed_at, half)
			VALUES ($1, $2, $3, 'business', $4, $4, '下午到市局参加业务培训', 'pending', $5, 'pm')`, c.id, hall, store.NullID(c.dept), next.String(), now)
		return err
	})
}
