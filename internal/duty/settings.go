package duty

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/calendar"
	"onestop/internal/org"
)

// MaxRequired bounds the required days a month: a month has about 21
// working days, and a head who must sit more than a working week a month
// is no longer heading the department. (The county's rule is at least 2,
// docs/DOMAIN.md §25; a centre may ask more, never none.)
const MaxRequired = 10

// Required is a centre's duty days a month in force now.
func (s *Service) Required(ctx context.Context, centreID int64) (int, error) {
	var n int
	err := s.DB.Read().QueryRowContext(ctx, `SELECT duty_days_required FROM centres WHERE id = $1`, centreID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.NotFoundf("entity.centre")
	}
	return n, err
}

// SetRequired sets a centre's required duty days a month, from now on:
// the centre's admin (a hall's admin for every centre of the county). The
// change is audited and dated (duty_required_history), so a month already
// over keeps the requirement it had (Figures, Month).
func (s *Service) SetRequired(ctx context.Context, a org.Actor, centreID int64, n int) error {
	if a.Role != org.CentreAdmin {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	if n < 1 || n > MaxRequired {
		f := apperr.Fields{}
		f.Add("required", "duty.required_range", "Max", MaxRequired)
		return f.Err()
	}
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var was int
		var region sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT duty_days_required, region_code FROM centres WHERE id = $1 AND retired_at IS NULL`, centreID).Scan(&was, &region)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.AdministersCentre(centreID, region.String)) {
			return apperr.NotFoundf("entity.centre")
		}
		if err != nil || was == n {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE centres SET duty_days_required = $1 WHERE id = $2`, n, centreID); err != nil {
			return fmt.Errorf("duty required: %w", err)
		}
		if err := org.AppendDated(ctx, tx, "duty_required_history", "centre_id", "required", centreID, was, n, now, a.StaffID); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "set_duty_required", "centre", fmt.Sprint(centreID), centreID, 0,
			map[string]int{"required": was}, map[string]int{"required": n})
	})
}

// Cancel withdraws a scheduled duty day that is not recorded (a recorded
// day is a fact, not a plan). Whoever may schedule the department's days
// may cancel them; the row stays (cancelled_by/at) and the audit log says
// who. A day in the past stays cancellable only while unrecorded: the plan
// is corrected, never the sitting.
func (s *Service) Cancel(ctx context.Context, a org.Actor, id int64) error {
	// Only those who schedule: the county hall's admin or a department
	// admin (for their own department's days, checked on the row).
	if !(a.Role == org.CentreAdmin && a.CountyWide()) && a.Role != org.DeptAdmin {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	now := s.Now().UTC()
	return s.DB.Tx(ctx, func(tx *sql.Tx) error {
		var deptID, centreID int64
		var region sql.NullString
		var d Day
		err := tx.QueryRowContext(ctx, `SELECT dd.department_id, dd.centre_id, c.region_code, dd.day FROM duty_days dd JOIN centres c ON c.id = dd.centre_id
			WHERE dd.id = $1 AND dd.cancelled_at IS NULL`, id).Scan(&deptID, &centreID, &region, &d.Date)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (!schedules(a, deptID) || !a.CoversRegion(region.String))) {
			return apperr.NotFoundf("entity.duty_day")
		}
		if err != nil {
			return err
		}
		// Recorded by the one rule (days): a punch or a manual record.
		day, err := calendar.ParseDate(d.Date)
		if err != nil {
			return err
		}
		ds, err := days(ctx, tx, deptID, centreID, day, day.AddDays(1), known)
		if err != nil {
			return err
		}
		for _, x := range ds {
			if x.ID == id && x.Recorded {
				return apperr.New(apperr.Conflict, "duty.cancel_recorded")
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE duty_days SET cancelled_by = $1, cancelled_at = $2 WHERE id = $3 AND cancelled_at IS NULL`,
			a.StaffID, now, id); err != nil {
			return fmt.Errorf("cancel duty day: %w", err)
		}
		return audit.Write(ctx, tx, now, a.Who(), "cancel", "duty_day", fmt.Sprint(id), centreID, deptID, nil, map[string]string{"day": d.Date})
	})
}
