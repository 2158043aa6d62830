package corrections

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/store"
)

const orderCols = `o.id, o.no, o.region_code, o.department_id, d.short_name, o.centre_id, ce.name, o.issued_by, st.name, o.issued_at, o.subject,
	o.instruction, o.deadline_days, o.due, o.state, o.version, o.escalated_at, o.closed_at, o.last_hash, COALESCE(o.enquiry_id, 0),
	COALESCE((SELECT en.no FROM enquiries en WHERE en.id = o.enquiry_id), '')`

const orderFrom = `correction_orders o JOIN departments d ON d.id = o.department_id JOIN centres ce ON ce.id = o.centre_id
	JOIN staff st ON st.id = o.issued_by`

func scanOrder(row interface{ Scan(...any) error }) (*Order, error) {
	o := &Order{}
	var due time.Time
	err := row.Scan(&o.ID, &o.No, &o.RegionCode, &o.DepartmentID, &o.Department, &o.CentreID, &o.Centre, &o.IssuedByID, &o.IssuedBy, &o.IssuedAt,
		&o.Subject, &o.Instruction, &o.DeadlineDays, &due, &o.State, &o.Version, &o.EscalatedAt, &o.ClosedAt, &o.LastHash, &o.EnquiryID, &o.EnquiryNo)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("entity.order")
	}
	if err != nil {
		return nil, err
	}
	o.Due = calendar.DateOf(due, time.UTC)
	o.IssuedAt = o.IssuedAt.UTC()
	return o, nil
}

// load reads an order with its items (no scope check: callers check).
func load(ctx context.Context, q store.Querier, id int64) (*Order, error) {
	o, err := scanOrder(q.QueryRowContext(ctx, `SELECT `+orderCols+` FROM `+orderFrom+` WHERE o.id = $1`, id))
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, `SELECT COALESCE(i.case_id, 0), COALESCE(c.no, ''), COALESCE(i.anomaly_id, 0) FROM correction_order_items i
		LEFT JOIN cases c ON c.id = i.case_id WHERE i.order_id = $1 ORDER BY i.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.CaseID, &it.CaseNo, &it.AnomalyID); err != nil {
			return nil, err
		}
		o.Items = append(o.Items, it)
	}
	return o, rows.Err()
}

// stand sets the order's standing and overdue flag as of today: the
// case clock's rule (clock.Stand) over the due day, decided once accepted.
func (s *Service) stand(o *Order, cal *calendar.Calendar, today calendar.Date) {
	var closed *calendar.Date
	if o.ClosedAt != nil {
		d := clock.Today(*o.ClosedAt)
		closed = &d
	}
	o.Standing = clock.Stand(cal, o.Due, closed, today, s.Cases.Light)
	o.Overdue = o.Open() && today.After(o.Due)
}

// Get returns an order with its record, if a may read it.
func (s *Service) Get(ctx context.Context, a org.Actor, id int64) (*Order, error) {
	q := s.DB.Read()
	o, err := load(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if !sees(a, o) {
		return nil, apperr.NotFoundf("entity.order")
	}
	cal, err := s.Cases.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	s.stand(o, cal, clock.Today(s.Now()))
	rows, err := q.QueryContext(ctx, `SELECT seq, at, COALESCE(actor_id, 0), actor, role, action, text, facts, prev_hash, hash
		FROM correction_order_events WHERE order_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		var f string
		if err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.Actor, &e.Role, &e.Action, &e.Text, &f, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.Facts, e.At = json.RawMessage(f), e.At.UTC()
		o.Events = append(o.Events, e)
	}
	return o, rows.Err()
}

// Filter narrows a list of orders. Zero values filter nothing; the scope
// always applies.
type Filter struct {
	State        string
	DepartmentID int64
	Overdue      bool
	// Escalated keeps the open orders put before the leader.
	Escalated bool
	// Open keeps the orders not yet accepted.
	Open bool
	// CaseID keeps the orders naming one case.
	CaseID        int64
	Limit, Offset int
}

// scope is the condition that keeps the orders a may read, as sees says.
func scope(w *store.Where, a org.Actor) {
	switch {
	case (a.Role == org.Supervisor || a.Role == org.Leader) && a.CountyWide():
		if !a.Province {
			w.Add("o.region_code = ?", a.County())
		}
	case Answerer(a.Role) && a.DepartmentID != 0:
		w.Add("o.department_id = ?", a.DepartmentID)
	default:
		w.Add("1 = 0")
	}
}

// List returns the orders a may read, the open ones by due day (so the
// red ones, open and past due, first), then the closed ones, newest
// first; and the total.
func (s *Service) List(ctx context.Context, a org.Actor, f Filter) ([]*Order, int, error) {
	today := clock.Today(s.Now())
	var w store.Where
	scope(&w, a)
	if f.State != "" {
		w.Add("o.state = ?", f.State)
	}
	if f.DepartmentID != 0 {
		w.Add("o.department_id = ?", f.DepartmentID)
	}
	if f.Overdue {
		w.Add("o.closed_at IS NULL AND o.due < ?", today.Time(time.UTC))
	}
	if f.Escalated {
		w.Add("o.closed_at IS NULL AND o.escalated_at IS NOT NULL")
	}
	if f.Open {
		w.Add("o.closed_at IS NULL")
	}
	if f.CaseID != 0 {
		w.Add("o.id IN (SELECT order_id FROM correction_order_items WHERE case_id = ?)", f.CaseID)
	}
	q := s.DB.Read()
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM correction_orders o`+w.String(), w.Args()...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("orders: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	// Open orders by due day: the red ones (due before today) have the
	// earliest due days, so they come first; then the closed ones.
	page := `SELECT ` + orderCols + ` FROM ` + orderFrom + w.String() + ` ORDER BY CASE WHEN o.closed_at IS NULL THEN 0 ELSE 1 END,
		CASE WHEN o.closed_at IS NULL THEN o.due END, o.issued_at DESC, o.id DESC LIMIT ` + w.Bind(limit) + ` OFFSET ` + w.Bind(max(f.Offset, 0))
	rows, err := q.QueryContext(ctx, page, w.Args()...)
	if err != nil {
		return nil, 0, fmt.Errorf("orders: %w", err)
	}
	defer rows.Close()
	var out []*Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	cal, err := s.Cases.WorkingCalendar(ctx)
	if err != nil {
		return nil, 0, err
	}
	for _, o := range out {
		s.stand(o, cal, today)
	}
	return out, total, nil
}

// OpenCounts counts the orders a may read that are still open, and those
// of them past their due day (for the leader's dashboard), as of now.
func OpenCounts(ctx context.Context, db *store.DB, a org.Actor) (open, overdue int, err error) {
	return openCounts(ctx, db, a, clock.Today(time.Now()))
}

// OpenCounts is the package's OpenCounts on the service's clock.
func (s *Service) OpenCounts(ctx context.Context, a org.Actor) (open, overdue int, err error) {
	return openCounts(ctx, s.DB, a, clock.Today(s.Now()))
}

func openCounts(ctx context.Context, db *store.DB, a org.Actor, today calendar.Date) (open, overdue int, err error) {
	var w store.Where
	scope(&w, a)
	w.Add("o.closed_at IS NULL")
	red := w.Bind(today.Time(time.UTC))
	err = db.Read().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN o.due < `+red+` THEN 1 ELSE 0 END), 0)
		FROM correction_orders o`+w.String(), w.Args()...).Scan(&open, &overdue)
	if err != nil {
		return 0, 0, fmt.Errorf("open orders: %w", err)
	}
	return open, overdue, nil
}
