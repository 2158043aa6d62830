package demo

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"onestop/internal/attendance"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// SeedAttendance gives the demo hall attendance (issue 15 §1): the shift
// switched on, one HTTP terminal and one iclock terminal, PINs for the
// hall's window clerks (the people a fingerprint terminal serves), a month
// of their punches up to until with a few late arrivals, and one approved
// sick leave. Only window clerks are enrolled: their own queue does not
// hang on A/B cover, so the demo's reviewers keep their cases. Run once:
// a hall with a shift already saved is left alone.
func SeedAttendance(ctx context.Context, db *store.DB, seed int64, until time.Time) error {
	var hall, admin int64
	if err := db.R.QueryRowContext(ctx, `SELECT s.centre_id, s.id FROM staff s WHERE s.username = 'admin'`).Scan(&hall, &admin); err != nil {
		return err
	}
	var n int
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM attendance_shifts WHERE centre_id = $1`, hall).Scan(&n); err != nil || n > 0 {
		return err
	}
	cal, err := cases.Calendar(ctx, db.R)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 15))
	now := until.UTC()
	sh := attendance.DefaultShift(hall)
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO attendance_shifts (centre_id, enabled, am_start, am_end, pm_start, pm_end, summer_am_start,
			summer_am_end, summer_pm_start, summer_pm_end, grace_minutes, merge_seconds, updated_by, updated_at)
			VALUES ($1, TRUE, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, hall, sh.Winter.AMStart, sh.Winter.AMEnd, sh.Winter.PMStart,
			sh.Winter.PMEnd, sh.Summer.AMStart, sh.Summer.AMEnd, sh.Summer.PMStart, sh.Summer.PMEnd, sh.GraceMinutes, sh.MergeSeconds, admin, now); err != nil {
			return err
		}
		var device int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO attendance_devices (centre_id, name, protocol, serial, issued_by, issued_at)
			VALUES ($1, '大厅中控考勤机', 'iclock', 'CEXJ201260123', $2, $3) RETURNING id`, hall, admin, now).Scan(&device); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, COALESCE(department_id, 0) FROM staff WHERE centre_id = $1 AND role = 'clerk' AND window_id IS NOT NULL
			AND retired_at IS NULL ORDER BY id LIMIT 30`, hall)
		if err != nil {
			return err
		}
		type clerk struct{ id, dept int64 }
		var clerks []clerk
		for rows.Next() {
			var c clerk
			if err := rows.Scan(&c.id, &c.dept); err != nil {
				rows.Close()
				return err
			}
			clerks = append(clerks, c)
		}
		rows.Close()
		for i, c := range clerks {
			if _, err := tx.ExecContext(ctx, `UPDATE staff SET attendance_pin = $1 WHERE id = $2`, fmt.Sprint(1001+i), c.id); err != nil {
				return err
			}
		}
		today := clock.Today(now)
		// One approved sick leave, a week ago, for the second clerk.
		leaveDay := today.AddDays(-7)
		if len(clerks) > 1 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO leave_requests (staff_id, centre_id, department_id, kind, from_day, to_day, reason, state,
				filed_at, decided_by, decided_at) VALUES ($1, $2, $3, 'sick', $4, $4, '发热就医', 'approved', $5, $6, $5)`,
				clerks[1].id, hall, store.NullID(clerks[1].dept), leaveDay.String(), now.Add(-8*24*time.Hour), admin); err != nil {
				return err
			}
		}
		at := func(d calendar.Date, hhmm string, jitter int) time.Time {
			t, _ := time.ParseInLocation("2006-01-02 15:04", d.String()+" "+hhmm, clock.Shanghai)
			return t.Add(time.Duration(jitter) * time.Second).UTC()
		}
		for d := today.AddDays(-30); !d.After(today); d = d.AddDays(1) {
			if w, _ := cal.IsWorkingDay(d); !w {
				continue
			}
			times := sh.On(d)
			for i, c := range clerks {
				if i == 1 && d == leaveDay {
					continue
				}
				in := at(d, times.AMStart, -rng.IntN(20*60)) // before the start
				if rng.IntN(25) == 0 {
					in = at(d, times.AMStart, 6*60+rng.IntN(30*60)) // a late arrival
				}
				out := at(d, times.PMEnd, rng.IntN(25*60))
				for _, p := range []struct {
					t   time.Time
					dir string
				}{{in, "in"}, {out, "out"}} {
					if p.t.After(now) {
						continue
					}
					if _, err := tx.ExecContext(ctx, `INSERT INTO punches (staff_id, centre_id, device_id, at, direction, verify, source, created_at)
						VALUES ($1, $2, $3, $4, $5, 'fingerprint', 'iclock', $4) ON CONFLICT DO NOTHING`, c.id, hall, device, p.t, p.dir); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}
