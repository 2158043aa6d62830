package duty

import (
	"context"
	"fmt"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
)

// DepartmentMonth is one department's duty in one month at one centre.
type DepartmentMonth struct {
	DepartmentID   int64  `json:"department_id"`
	DepartmentName string `json:"department_name"`
	CentreID       int64  `json:"centre_id"`
	HeadID         int64  `json:"head_id"`
	HeadName       string `json:"head_name"`
	Required       int    `json:"required"`
	Scheduled      int    `json:"scheduled"`
	Recorded       int    `json:"recorded"`
	Days           []Day  `json:"days"`
	// Short: the month is over and fewer days were recorded than
	// required (the red mark). AtRisk: the month is not over and the
	// recorded days plus those still to come fall short.
	Short  bool `json:"short"`
	AtRisk bool `json:"at_risk"`
}

// ParseMonth reads YYYY-MM; the first day of the month.
func ParseMonth(s string) (calendar.Date, error) {
	d, err := calendar.ParseDate(s + "-01")
	if len(s) != 7 || err != nil {
		f := apperr.Fields{}
		f.Add("month", "duty.month_format")
		return calendar.Date{}, f.Err()
	}
	return d, nil
}

// reads: the head and staff of a department read their own department's
// plan; the centre admin, supervisors and leaders their scope.
func scope(w *store.Where, a org.Actor) {
	switch {
	case a.Role == org.CentreAdmin || a.Role == org.Supervisor || a.Role == org.Leader:
		if a.CountyWide() {
			if cond, args := a.CountyCentres("w.centre_id"); cond != "" {
				w.Add(cond, args...)
			}
		} else {
			w.Add("w.centre_id = ?", a.CentreID)
		}
	case a.Role.InDepartment() && a.DepartmentID != 0:
		w.Add("d.id = ?", a.DepartmentID)
	default:
		w.Add("1 = 0")
	}
}

// Month returns each department's duty in the month (first day: month),
// for the departments with a head named (as of the month's end) that have
// a window at a centre in the actor's scope; deptID 0 is every such
// department.
func (s *Service) Month(ctx context.Context, a org.Actor, month calendar.Date, deptID int64) ([]DepartmentMonth, error) {
	var w store.Where
	w.Add("d.retired_at IS NULL")
	scope(&w, a)
	if deptID != 0 {
		w.Add("d.id = ?", deptID)
	}
	return s.month(ctx, w, month)
}

// CountyMonth is Month for every department of a county's centres (a
// division code), without a viewer: what a published bulletin freezes
// (its publisher is checked there).
func (s *Service) CountyMonth(ctx context.Context, county string, month calendar.Date) ([]DepartmentMonth, error) {
	var w store.Where
	w.Add("d.retired_at IS NULL")
	w.Add(`w.centre_id IN (SELECT id FROM centres WHERE region_code LIKE ? ESCAPE '\')`, store.Prefix(county))
	return s.month(ctx, w, month)
}

// headAt and requiredAt are a department's head and a centre's required
// days at the instant bound as at: a past month is read by who was head
// and what was required when it ended (org.DatedAt, migration 00035), so
// a later change rewrites no past month and no assessment of it.
func headAt(dept, at string) string {
	return org.DatedAt("department_head_history", "department_id", "head_id", dept+".id", dept+".head_id", at)
}

func requiredAt(centre, at string) string {
	return org.DatedAt("duty_required_history", "centre_id", "required", centre+".id", centre+".duty_days_required", at)
}

// monthEnd is the instant a month (first day) ends: the next month's
// first Shanghai midnight. A month's head and requirement are those in
// force then (for the running month: now).
func monthEnd(month calendar.Date) time.Time { return nextMonth(month).Time(clock.Shanghai).UTC() }

func (s *Service) month(ctx context.Context, w store.Where, month calendar.Date) ([]DepartmentMonth, error) {
	r := s.DB.Read()
	at := w.Bind(monthEnd(month))
	rows, err := r.QueryContext(ctx, `SELECT x.id, x.short_name, x.centre_id, x.head_id, h.name, x.required FROM (
		SELECT DISTINCT d.id, d.short_name, w.centre_id, `+headAt("d", at)+` AS head_id, `+requiredAt("c", at)+` AS required
		FROM departments d JOIN windows w ON w.department_id = d.id AND w.retired_at IS NULL
		JOIN centres c ON c.id = w.centre_id`+w.String()+`) x JOIN staff h ON h.id = x.head_id ORDER BY x.short_name, x.centre_id`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("duty departments: %w", err)
	}
	var out []DepartmentMonth
	for rows.Next() {
		var m DepartmentMonth
		if err := rows.Scan(&m.DepartmentID, &m.DepartmentName, &m.CentreID, &m.HeadID, &m.HeadName, &m.Required); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	next := nextMonth(month)
	now := s.Now().UTC()
	today := clock.Today(now)
	over := !today.Before(next)
	for i := range out {
		m := &out[i]
		if m.Days, err = days(ctx, r, m.DepartmentID, m.CentreID, month, next, known); err != nil {
			return nil, err
		}
		ahead := 0
		for _, d := range m.Days {
			m.Scheduled++
			if d.Recorded {
				m.Recorded++
			} else if !d.Day.Before(today) {
				ahead++
			}
		}
		m.Short = over && m.Recorded < m.Required
		m.AtRisk = !over && m.Recorded+ahead < m.Required
	}
	return out, nil
}

// days reads a department's scheduled days in [from, to) and whether each
// is recorded, as the record stood at instant asOf: a day scheduled,
// cancelled, punched or recorded by hand after it is read as not yet so.
// A punch at any window of the department at that centre counts, not only
// the scheduled one: the head sits with the department's windows, and a
// last-minute change of seat must not lose the day.
func days(ctx context.Context, q store.Querier, deptID, centreID int64, from, to calendar.Date, asOf time.Time) ([]Day, error) {
	rows, err := q.QueryContext(ctx, `SELECT dd.id, dd.window_id, w.number, dd.staff_id, dd.day, dd.manual_at IS NOT NULL AND dd.manual_at < $5,
		CASE WHEN dd.manual_at < $5 THEN dd.manual_reason ELSE '' END
		FROM duty_days dd JOIN windows w ON w.id = dd.window_id
		WHERE dd.department_id = $1 AND dd.centre_id = $2 AND dd.day >= $3 AND dd.day < $4 AND dd.scheduled_at < $5
		AND (dd.cancelled_at IS NULL OR dd.cancelled_at >= $5) ORDER BY dd.day`,
		deptID, centreID, from.String(), to.String(), asOf)
	if err != nil {
		return nil, fmt.Errorf("duty days: %w", err)
	}
	var out []Day
	for rows.Next() {
		d := Day{DepartmentID: deptID, CentreID: centreID}
		if err := rows.Scan(&d.ID, &d.WindowID, &d.WindowNumber, &d.StaffID, &d.Date, &d.Manual, &d.Reason); err != nil {
			rows.Close()
			return nil, err
		}
		if d.Day, err = calendar.ParseDate(d.Date); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		d := &out[i]
		if d.Manual {
			d.Recorded = true
			continue
		}
		lo, hi := dayBounds(d.Day)
		var n int
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM punches p JOIN windows w ON w.id = p.window_id
			WHERE p.staff_id = $1 AND w.department_id = $2 AND w.centre_id = $3 AND p.at >= $4 AND p.at < $5 AND p.created_at < $6`,
			d.StaffID, deptID, centreID, lo, hi, asOf).Scan(&n); err != nil {
			return nil, err
		}
		d.Recorded = n > 0
	}
	return out, nil
}

// known reads the record as it stands: the live view's "as of", later
// than anything written.
var known = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

func nextMonth(d calendar.Date) calendar.Date {
	t := time.Date(d.Year, d.Month+1, 1, 0, 0, 0, 0, time.UTC)
	return calendar.Date{Year: t.Year(), Month: t.Month(), Day: 1}
}
