package voice

import (
	"context"
	"fmt"
	"slices"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/corrections"
	"onestop/internal/org"
	"onestop/internal/store"
)

// scope is sees as SQL (its twin, kept beside it in meaning): the
// condition that keeps the enquiries a may read.
func scope(w *store.Where, a org.Actor) {
	county := func() {
		if !a.Province {
			w.Add(`e.region_code LIKE ? ESCAPE '\'`, store.Prefix(a.County()))
		}
	}
	switch {
	case (a.Role == org.Supervisor || a.Role == org.Leader) && a.CountyWide() && (a.Province || a.County() != ""):
		county()
	case corrections.Answerer(a.Role) && a.DepartmentID != 0:
		w.Add(`((e.kind = ? AND e.department_id = ?) OR (e.kind = ? AND EXISTS (SELECT 1 FROM correction_orders o WHERE o.enquiry_id = e.id AND o.department_id = ?)))`,
			string(Consult), a.DepartmentID, string(Complaint), a.DepartmentID)
	case a.Role.InDepartment() && a.DepartmentID != 0:
		w.Add("e.kind = ? AND e.department_id = ?", string(Consult), a.DepartmentID)
	case a.Role == org.CentreAdmin && a.CountyWide() && (a.Province || a.County() != ""):
		w.Add("e.kind = ?", string(Help))
		county()
	case a.Role == org.CentreAdmin && a.CentreID != 0:
		w.Add("e.kind = ? AND e.centre_id = ?", string(Help), a.CentreID)
	default:
		w.Add("1 = 0")
	}
}

// Listed is an enquiry in a staff list, with where it stands against its
// reply deadline (the case clock's rule, clock.Stand: yellow within the
// last working day, red once the due day has passed).
type Listed struct {
	*Enquiry
	Standing clock.Standing `json:"standing"`
}

// List is a staff member's enquiries under f, open ones first by due day,
// with how many match in all. f's kinds default to every kind the staff
// member may read (scope keeps the rest out); a state filter narrows.
func (s *Service) List(ctx context.Context, a org.Actor, f Filter) ([]Listed, int, error) {
	if f.Kind == "" && len(f.Kinds) == 0 {
		f.Kinds = Kinds
	}
	w, err := f.where()
	if err != nil {
		return nil, 0, err
	}
	scope(w, a)
	var total int
	if err := s.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM enquiries e`+w.String(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count enquiries: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	q := `SELECT ` + enquiryCols + ` FROM ` + enquiryFrom + w.String()
	q += ` ORDER BY CASE WHEN e.state = 'open' THEN 0 ELSE 1 END, e.due, e.id LIMIT ` + w.Bind(min(limit, MaxLimit)) + ` OFFSET ` + w.Bind(max(f.Offset, 0))
	items, err := s.listed(ctx, q, w.Args())
	return items, total, err
}

func (s *Service) listed(ctx context.Context, q string, args []any) ([]Listed, error) {
	rows, err := s.DB.Read().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list enquiries: %w", err)
	}
	var out []Listed
	for rows.Next() {
		e, err := scanEnquiry(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, Listed{Enquiry: e})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if out == nil {
		out = []Listed{}
	}
	return out, s.stand(ctx, out)
}

// stand sets each listed enquiry's standing as of now: an answered or
// closed one is decided on the day of its reply.
func (s *Service) stand(ctx context.Context, ls []Listed) error {
	cal, err := s.Cases.WorkingCalendar(ctx)
	if err != nil {
		return err
	}
	today := clock.Today(s.now())
	for i := range ls {
		ls[i].Standing = Stand(cal, ls[i].Enquiry, today, s.Cases.Light)
	}
	return nil
}

// Stand is where one enquiry stands on today against its reply deadline.
func Stand(cal *calendar.Calendar, e *Enquiry, today calendar.Date, rule clock.LightRule) clock.Standing {
	var replied *calendar.Date
	if e.RepliedAt != nil {
		d := clock.Today(*e.RepliedAt)
		replied = &d
	} else if e.ClosedAt != nil {
		d := clock.Today(*e.ClosedAt)
		replied = &d
	}
	return clock.Stand(cal, e.Due, replied, today, rule)
}

// Count is one row of supervision's board: a kind at a department (or the
// centre, Department ""), how many wait and how many of those are overdue.
type Count struct {
	Kind         Kind   `json:"kind"`
	DepartmentID int64  `json:"department_id,omitempty"`
	Department   string `json:"department"`
	Open         int    `json:"open"`
	Overdue      int    `json:"overdue"`
}

// Board is supervision's view of the clocks: open and overdue enquiries
// per kind and department, and the overdue ones, oldest due first.
type Board struct {
	Counts  []Count  `json:"counts"`
	Overdue []Listed `json:"overdue"`
}

// Supervise computes the board of a supervisor's or leader's county.
func (s *Service) Supervise(ctx context.Context, a org.Actor) (*Board, error) {
	if !(a.Role == org.Supervisor || a.Role == org.Leader) || !a.CountyWide() {
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	today := clock.Today(s.now())
	due := today.Time(time.UTC)
	w := &store.Where{}
	scope(w, a)
	w.Add("e.state = ?", Open)
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT e.kind, COALESCE(e.department_id, 0), COALESCE(d.short_name, ''), COUNT(*),
		SUM(CASE WHEN e.due < `+w.Bind(due)+` THEN 1 ELSE 0 END) FROM enquiries e LEFT JOIN departments d ON d.id = e.department_id`+w.String()+
		` GROUP BY e.kind, e.department_id, d.short_name ORDER BY e.kind, d.short_name`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("enquiry board: %w", err)
	}
	b := &Board{Counts: []Count{}}
	for rows.Next() {
		var c Count
		var kind string
		if err := rows.Scan(&kind, &c.DepartmentID, &c.Department, &c.Open, &c.Overdue); err != nil {
			rows.Close()
			return nil, err
		}
		c.Kind = Kind(kind)
		b.Counts = append(b.Counts, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(b.Counts, func(x, y Count) int { return slices.Index(Kinds, x.Kind) - slices.Index(Kinds, y.Kind) })
	w = &store.Where{}
	scope(w, a)
	w.Add("e.state = ? AND e.due < ?", Open, due)
	b.Overdue, err = s.listed(ctx, `SELECT `+enquiryCols+` FROM `+enquiryFrom+w.String()+` ORDER BY e.due, e.id LIMIT `+fmt.Sprint(MaxLimit), w.Args())
	return b, err
}

// Standing is one enquiry with where it stands today (the detail page).
func (s *Service) Standing(ctx context.Context, e *Enquiry) (Listed, error) {
	ls := []Listed{{Enquiry: e}}
	err := s.stand(ctx, ls)
	return ls[0], err
}
