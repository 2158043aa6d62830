// Package duty is leaders' window duty (一把手窗口值守, issue 15 §3): each
// department's head sits at one of the department's windows on scheduled
// working days, at least the centre's required number a month (default
// 2, the county's house rule, docs/DOMAIN.md §1 and §25). A scheduled day
// is recorded by the head's punch at a terminal bound to a window of the
// department at that centre (punches, migration 00025, written by the
// attendance package; read here), or by the centre admin's manual record
// with a reason. A month short of the requirement raises a supervision
// anomaly (rule D01) once it is over (sweep.go).
package duty

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Rule is the supervision rule code a duty shortfall is listed under.
const Rule = "D01"

// Service schedules and reads duty days.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// Day is one scheduled duty day.
type Day struct {
	ID           int64         `json:"id"`
	DepartmentID int64         `json:"department_id"`
	CentreID     int64         `json:"centre_id"`
	WindowID     int64         `json:"window_id"`
	WindowNumber string        `json:"window_number"`
	StaffID      int64         `json:"staff_id"`
	Day          calendar.Date `json:"-"`
	Date         string        `json:"day"`
	// Recorded: the head punched at a window of the department that day,
	// or the centre admin recorded it by hand (Manual, with Reason).
	Recorded bool   `json:"recorded"`
	Manual   bool   `json:"manual"`
	Reason   string `json:"manual_reason,omitempty"`
}

// ScheduleInput is one day to schedule.
type ScheduleInput struct {
	DepartmentID int64  `json:"department_id"`
	WindowID     int64  `json:"window_id"`
	Day          string `json:"day"` // YYYY-MM-DD, Shanghai
}

// schedules: the county hall's centre admin for any department of the
// county, a department admin for its own.
func schedules(a org.Actor, deptID int64) bool {
	return (a.Role == org.CentreAdmin && a.CountyWide()) || (a.Role == org.DeptAdmin && a.DepartmentID == deptID)
}

// Schedule adds a duty day for the department's head at one of the
// department's active windows, on a working day (the State Council's
// holiday arrangement, internal/calendar).
func (s *Service) Schedule(ctx context.Context, a org.Actor, in ScheduleInput) (Day, error) {
	// A department admin schedules for their own department: a form that
	// names none means theirs, never "any".
	if a.Role == org.DeptAdmin && in.DepartmentID == 0 {
		in.DepartmentID = a.DepartmentID
	}
	if !schedules(a, in.DepartmentID) {
		return Day{}, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	f := apperr.Fields{}
	d, err := calendar.ParseDate(in.Day)
	if err != nil {
		f.Add("day", "duty.day_format")
	}
	var cal *calendar.Calendar
	if err == nil {
		if cal, err = cases.Calendar(ctx, s.DB.Read()); err != nil {
			return Day{}, err
		}
		if working, known := cal.IsWorkingDay(d); !working || !known {
			f.Add("day", "duty.not_working_day")
		}
	}
	out := Day{DepartmentID: in.DepartmentID, WindowID: in.WindowID, Day: d, Date: d.String()}
	now := s.Now().UTC()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var head sql.NullInt64
		var region sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT head_id, region_code FROM departments WHERE id = $1 AND retired_at IS NULL`, in.DepartmentID).Scan(&head, &region)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && region.Valid && !a.CoversRegion(region.String)) {
			return apperr.NotFoundf("entity.department")
		}
		if err != nil {
			return err
		}
		if !head.Valid {
			f.Add("department_id", "duty.no_head")
		}
		out.StaffID = head.Int64
		err = tx.QueryRowContext(ctx, `SELECT centre_id, number FROM windows WHERE id = $1 AND department_id = $2 AND retired_at IS NULL`,
			in.WindowID, in.DepartmentID).Scan(&out.CentreID, &out.WindowNumber)
		if errors.Is(err, sql.ErrNoRows) {
			f.Add("window_id", "duty.window_not_department")
		} else if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO duty_days (department_id, centre_id, window_id, staff_id, day, scheduled_by, scheduled_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, out.DepartmentID, out.CentreID, out.WindowID, out.StaffID, out.Date, a.StaffID, now).Scan(&out.ID)
		if store.IsUnique(err) {
			f.Add("day", "duty.already_scheduled")
			return f.Err()
		}
		if err != nil {
			return fmt.Errorf("schedule duty: %w", err)
		}
		return audit.Write(ctx, tx, now, a.Who(), "schedule", "duty_day", fmt.Sprint(out.ID), out.CentreID, out.DepartmentID, nil, out)
	})
	return out, err
}

// maxReason bounds a manual record's reason.
const maxReason = 500

// RecordManually records a scheduled day the terminal missed (a broken
// terminal, a power cut); only the county hall's centre admin may, with a
// reason, and the audit log keeps who and why.
func (s *Service) RecordManually(ctx context.Context, a org.Actor, id int64, reason string) error {
	if !(a.Role == org.CentreAdmin && a.CountyWide()) {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	f := apperr.Fields{}
	reason = f.Para("reason", reason, true, maxReason)
	if err := f.Err(); err != nil {
		return err
	}
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var centreID, deptID int64
		var region sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT d.centre_id, d.department_id, c.region_code FROM duty_days d JOIN centres c ON c.id = d.centre_id
			WHERE d.id = $1 AND d.cancelled_at IS NULL AND d.manual_at IS NULL`, id).Scan(&centreID, &deptID, &region)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.CoversRegion(region.String)) {
			return apperr.NotFoundf("entity.duty_day")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE duty_days SET manual_by = $1, manual_at = $2, manual_reason = $3 WHERE id = $4`,
			a.StaffID, now, reason, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "record_manually", "duty_day", fmt.Sprint(id), centreID, deptID, nil, map[string]any{"reason": reason})
	})
}

// dayBounds is the UTC span of a Shanghai civil day.
func dayBounds(d calendar.Date) (time.Time, time.Time) {
	return d.Time(clock.Shanghai).UTC(), d.AddDays(1).Time(clock.Shanghai).UTC()
}
