package assessment

import (
	"context"
	"database/sql"
	"time"

	"onestop/internal/attendance"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/duty"
	"onestop/internal/queue"
	"onestop/internal/ratings"
	"onestop/internal/store"
	"onestop/internal/tally"
)

// Levels an assessment is made at.
const (
	Window     = "window"
	Person     = "person"
	Department = "department"
)

// Levels in report order.
var Levels = []string{Window, Person, Department}

// Subject is one window, person or department assessed.
type Subject struct {
	Level string `json:"level"`
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	// DepartmentID is the department of a window or person.
	DepartmentID int64 `json:"department_id,omitempty"`
}

// Member is who sat at which window of which department when the
// assessment was run. A case is the window's by its first contact
// (首问/受理人, as a rating's window is); the members are stored with the
// assessment so that moving a clerk later does not move past cases.
type Member struct {
	StaffID      int64 `json:"staff_id"`
	WindowID     int64 `json:"window_id,omitempty"`
	DepartmentID int64 `json:"department_id"`
}

// Record is what an assessment reads: the facts of one centre dated in
// the period, as they stood at its end.
type Record struct {
	Members    []Member
	Cases      []CaseFact
	Ratings    []RatingFact
	BadReviews []RatingFact
	Anomalies  []AnomalyFact
	Orders     []int64 // the department of each correction order issued
	// Attendance is each member's days judged by the attendance sheets'
	// own rule (attendance.PeriodTotals); members not expected to punch
	// are not in it.
	Attendance map[int64]attendance.Total
	// Waits are the queue's waits (issued → first call, queue.Figures),
	// by level (window, department) and id: seconds in all over tickets.
	Waits map[string]map[int64]Input
	// Duty is each department's leaders' duty over the period's months
	// (duty.Figures as of the period's end): Num the required days met
	// (recorded, at most the required, per month), Den the required days.
	Duty   map[int64]Input
	window map[int64]int64
}

// CaseFact is a case received or completed in the period.
type CaseFact struct {
	DepartmentID, StaffID int64
	Received, Completed   bool // in the period
	OnTime                bool // when Completed
}

// RatingFact is a rating given in the period, or a bad review due for
// rectification in it (InTime: fixed or explained by its due day).
type RatingFact struct {
	DepartmentID, WindowID, StaffID int64
	Content, InTime                 bool
}

// AnomalyFact is an anomaly raised in the period, with its case's first
// contact.
type AnomalyFact struct{ DepartmentID, StaffID int64 }

func (r *Record) windowOf(staffID int64) int64 { return r.window[staffID] }

// has reports whether a fact of (department, window, person) is s's.
func (r *Record) has(s Subject, dept, window, staff int64) bool {
	switch s.Level {
	case Window:
		return window != 0 && window == s.ID
	case Person:
		return staff != 0 && staff == s.ID
	}
	return dept == s.ID
}

// load reads centre's record of [from, to] (Shanghai days). Every fact is
// selected by a date inside the period, and every state by what had
// happened by its end, so facts written after it change nothing.
func load(ctx context.Context, q store.Querier, centre int64, from, to calendar.Date, members []Member, subs []Subject) (*Record, error) {
	lo, hi := from.Time(clock.Shanghai).UTC(), to.AddDays(1).Time(clock.Shanghai).UTC()
	r := &Record{Members: members, window: map[int64]int64{}, Duty: map[int64]Input{},
		Waits: map[string]map[int64]Input{Window: {}, Department: {}}}
	for _, m := range members {
		r.window[m.StaffID] = m.WindowID
	}
	cal, err := cases.Calendar(ctx, q)
	if err != nil {
		return nil, err
	}
	// Cases: the on-time rule is the bulletin's (tally.Late) on the same
	// columns the tally witness reads.
	rows, err := q.QueryContext(ctx, `SELECT department_id, COALESCE(first_contact_id, 0), received_at, completed_at, decided_at, deadline
		FROM cases WHERE centre_id = $1 AND ((received_at >= $2 AND received_at < $3) OR (completed_at >= $2 AND completed_at < $3))`, centre, lo, hi)
	if err != nil {
		return nil, err
	}
	if err := each(rows, func() error {
		var f CaseFact
		var received time.Time
		var completed, decided sql.NullTime
		var deadline any
		if err := rows.Scan(&f.DepartmentID, &f.StaffID, &received, &completed, &decided, &deadline); err != nil {
			return err
		}
		f.Received = !received.Before(lo) && received.Before(hi)
		if completed.Valid && !completed.Time.Before(lo) && completed.Time.Before(hi) {
			f.Completed = true
			c := &cases.Case{}
			if decided.Valid {
				c.DecidedAt = &decided.Time
			}
			if d, ok := calendar.FromColumn(deadline); ok {
				c.Deadline = &d
			}
			f.OnTime = !tally.Late(c, cal)
		}
		r.Cases = append(r.Cases, f)
		return nil
	}); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT department_id, COALESCE(window_id, 0), COALESCE(staff_id, 0), level FROM ratings
		WHERE centre_id = $1 AND rated_at >= $2 AND rated_at < $3`, centre, lo, hi)
	if err != nil {
		return nil, err
	}
	if err := each(rows, func() error {
		var f RatingFact
		var level int
		if err := rows.Scan(&f.DepartmentID, &f.WindowID, &f.StaffID, &level); err != nil {
			return err
		}
		f.Content = ratings.Content(level)
		r.Ratings = append(r.Ratings, f)
		return nil
	}); err != nil {
		return nil, err
	}
	// Bad reviews due in the period: fix_due is a DATE, compared in Go so
	// both engines read it alike.
	rows, err = q.QueryContext(ctx, `SELECT r.department_id, COALESCE(r.window_id, 0), COALESCE(r.staff_id, 0), x.fix_due, x.fixed_at
		FROM rectifications x JOIN ratings r ON r.id = x.rating_id
		WHERE x.centre_id = $1 AND x.opened_at < $2`, centre, hi)
	if err != nil {
		return nil, err
	}
	if err := each(rows, func() error {
		var f RatingFact
		var due any
		var fixed sql.NullTime
		if err := rows.Scan(&f.DepartmentID, &f.WindowID, &f.StaffID, &due, &fixed); err != nil {
			return err
		}
		d, ok := calendar.FromColumn(due)
		if !ok || d.Before(from) || d.After(to) {
			return nil
		}
		f.InTime = fixed.Valid && !clock.Today(fixed.Time).After(d)
		r.BadReviews = append(r.BadReviews, f)
		return nil
	}); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT a.department_id, COALESCE(c.first_contact_id, 0) FROM anomalies a JOIN cases c ON c.id = a.case_id
		WHERE a.centre_id = $1 AND a.raised_at >= $2 AND a.raised_at < $3`, centre, lo, hi)
	if err != nil {
		return nil, err
	}
	if err := each(rows, func() error {
		var f AnomalyFact
		if err := rows.Scan(&f.DepartmentID, &f.StaffID); err != nil {
			return err
		}
		r.Anomalies = append(r.Anomalies, f)
		return nil
	}); err != nil {
		return nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT department_id FROM correction_orders WHERE centre_id = $1 AND issued_at >= $2 AND issued_at < $3`, centre, lo, hi)
	if err != nil {
		return nil, err
	}
	if err := each(rows, func() error {
		var d int64
		if err := rows.Scan(&d); err != nil {
			return err
		}
		r.Orders = append(r.Orders, d)
		return nil
	}); err != nil {
		return nil, err
	}
	// Attendance: every member's days judged by the sheets' rule, as
	// the record stood at the period's end (punches received and leave
	// approved by then).
	ids := make([]int64, len(members))
	for i, m := range members {
		ids[i] = m.StaffID
	}
	if r.Attendance, err = attendance.PeriodTotals(ctx, q, cal, centre, ids, from, to, hi); err != nil {
		return nil, err
	}
	// Queue waits: the queue's own figures of the period's days. A
	// ticket's times are written on its day and never after, so a later
	// reading gives the same sums.
	qf, err := queue.FiguresIn(ctx, q, centre, from, to)
	if err != nil {
		return nil, err
	}
	for level, list := range map[string][]queue.Row{Window: qf.Windows, Department: qf.Departments} {
		for _, x := range list {
			r.Waits[level][x.ID] = Input{Num: int(x.Wait.Total / time.Second), Den: x.Wait.Count}
		}
	}
	// Leaders' duty: duty's own month figures, with the head and the
	// required days in force at each month's end and the days as recorded
	// by the period's end (hi), so a later change of head, requirement or
	// a late manual record changes nothing here.
	for _, s := range subs {
		if s.Level != Department {
			continue
		}
		fs, err := duty.Figures(ctx, q, s.ID, centre, from, to, hi)
		if err != nil {
			return nil, err
		}
		var in Input
		for _, f := range fs {
			in.Den += f.Required
			in.Num += min(f.Recorded, f.Required)
		}
		if len(fs) > 0 {
			r.Duty[s.ID] = in
		}
	}
	return r, nil
}

func each(rows *sql.Rows, f func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := f(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// subjects reads the centre's windows, the people who work at them and
// their departments, as they are now: the snapshot a new assessment
// stores.
func subjects(ctx context.Context, q store.Querier, centre int64) ([]Subject, []Member, error) {
	var subs []Subject
	var members []Member
	rows, err := q.QueryContext(ctx, `SELECT w.id, w.number || CASE WHEN w.name = '' THEN '' ELSE ' ' || w.name END, w.department_id
		FROM windows w WHERE w.centre_id = $1 AND w.retired_at IS NULL ORDER BY w.number, w.id`, centre)
	if err != nil {
		return nil, nil, err
	}
	if err := each(rows, func() error {
		s := Subject{Level: Window}
		if err := rows.Scan(&s.ID, &s.Name, &s.DepartmentID); err != nil {
			return err
		}
		subs = append(subs, s)
		return nil
	}); err != nil {
		return nil, nil, err
	}
	// People assessed: those who handle cases at the centre's windows.
	rows, err = q.QueryContext(ctx, `SELECT s.id, s.name, COALESCE(s.department_id, 0), COALESCE(s.window_id, 0) FROM staff s
		WHERE s.centre_id = $1 AND s.retired_at IS NULL AND s.role IN ('clerk', 'reviewer', 'approver') AND s.department_id IS NOT NULL
		ORDER BY s.department_id, s.name, s.id`, centre)
	if err != nil {
		return nil, nil, err
	}
	if err := each(rows, func() error {
		s, m := Subject{Level: Person}, Member{}
		if err := rows.Scan(&s.ID, &s.Name, &s.DepartmentID, &m.WindowID); err != nil {
			return err
		}
		m.StaffID, m.DepartmentID = s.ID, s.DepartmentID
		subs, members = append(subs, s), append(members, m)
		return nil
	}); err != nil {
		return nil, nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT d.id, d.name FROM departments d
		WHERE d.id IN (SELECT department_id FROM windows WHERE centre_id = $1 AND retired_at IS NULL) ORDER BY d.id`, centre)
	if err != nil {
		return nil, nil, err
	}
	if err := each(rows, func() error {
		s := Subject{Level: Department}
		if err := rows.Scan(&s.ID, &s.Name); err != nil {
			return err
		}
		s.DepartmentID = s.ID
		subs = append(subs, s)
		return nil
	}); err != nil {
		return nil, nil, err
	}
	return subs, members, nil
}
