package duty

import (
	"context"
	"fmt"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Shortfall is a raised D01 anomaly: a month a head sat too few days.
type Shortfall struct {
	ID             int64     `json:"id"`
	Rule           string    `json:"rule"`
	DepartmentID   int64     `json:"department_id"`
	DepartmentName string    `json:"department_name"`
	CentreID       int64     `json:"centre_id"`
	Month          string    `json:"month"`
	HeadName       string    `json:"head_name"`
	Required       int       `json:"required"`
	Scheduled      int       `json:"scheduled"`
	Recorded       int       `json:"recorded"`
	RaisedAt       time.Time `json:"raised_at"`
}

// Sweep raises a D01 anomaly for every department short in month, once
// the month is over (a month still running is only "at risk"). It is
// idempotent: a department and month already raised is left as it was.
// It returns how many it raised now.
func (s *Service) Sweep(ctx context.Context, month calendar.Date) (int, error) {
	if clock.Today(s.Now()).Before(nextMonth(month)) {
		return 0, nil
	}
	var w store.Where
	w.Add("d.retired_at IS NULL")
	ms, err := s.month(ctx, w, month)
	if err != nil {
		return 0, err
	}
	now := s.Now().UTC()
	key := month.String()[:7]
	raised := 0
	for _, m := range ms {
		if !m.Short {
			continue
		}
		res, err := s.DB.W.ExecContext(ctx, `INSERT INTO duty_shortfalls (department_id, centre_id, month, head_id, required, scheduled, recorded, raised_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (department_id, centre_id, month) DO NOTHING`,
			m.DepartmentID, m.CentreID, key, m.HeadID, m.Required, m.Scheduled, m.Recorded, now)
		if err != nil {
			return raised, fmt.Errorf("duty shortfall: %w", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			raised++
		}
	}
	return raised, nil
}

// SweepDue raises the shortfalls of the month that ended last (the
// monthly sweep, run on demand or by the scheduler at month end).
func (s *Service) SweepDue(ctx context.Context) (int, error) {
	t := clock.Today(s.Now())
	last := time.Date(t.Year, t.Month-1, 1, 0, 0, 0, 0, time.UTC)
	return s.Sweep(ctx, calendar.Date{Year: last.Year(), Month: last.Month(), Day: 1})
}

// Shortfalls lists the raised D01 anomalies the actor may read
// (supervisors and leaders, as for case anomalies), newest first.
func (s *Service) Shortfalls(ctx context.Context, a org.Actor) ([]Shortfall, error) {
	var w store.Where
	switch {
	case a.Role != org.Supervisor && a.Role != org.Leader:
		w.Add("1 = 0")
	case a.CountyWide():
		if cond, args := a.CountyCentres("f.centre_id"); cond != "" {
			w.Add(cond, args...)
		}
	default:
		w.Add("f.centre_id = ?", a.CentreID)
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT f.id, f.department_id, d.short_name, f.centre_id, f.month, COALESCE(h.name, ''),
		f.required, f.scheduled, f.recorded, f.raised_at FROM duty_shortfalls f JOIN departments d ON d.id = f.department_id
		LEFT JOIN staff h ON h.id = f.head_id`+w.String()+` ORDER BY f.month DESC, d.short_name LIMIT 200`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("duty shortfalls: %w", err)
	}
	defer rows.Close()
	out := []Shortfall{}
	for rows.Next() {
		x := Shortfall{Rule: Rule}
		if err := rows.Scan(&x.ID, &x.DepartmentID, &x.DepartmentName, &x.CentreID, &x.Month, &x.HeadName, &x.Required, &x.Scheduled,
			&x.Recorded, &x.RaisedAt); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
