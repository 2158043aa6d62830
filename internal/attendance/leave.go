package attendance

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/calendar"
	"onestop/internal/org"
	"onestop/internal/store"
)

// LeaveKinds in menu order: 事假, 病假, 年休假, 公出, other.
var LeaveKinds = []string{"personal", "sick", "annual", "business", "other"}

// Leave states.
const (
	LeavePending  = "pending"
	LeaveApproved = "approved"
	LeaveRejected = "rejected"
)

// Half-day leave (半天假): a one-day request for the morning or the
// afternoon only; "" is whole days. docs/DOMAIN.md §22.
const (
	HalfMorning   = "am"
	HalfAfternoon = "pm"
)

// Halves in menu order ("" first: whole days).
var Halves = []string{"", HalfMorning, HalfAfternoon}

// MaxLeaveDays bounds one request; a longer absence is several requests
// (and a personnel matter beyond the hall's attendance).
const MaxLeaveDays = 180

// Leave is one leave request.
type Leave struct {
	ID             int64      `json:"id"`
	StaffID        int64      `json:"staff_id"`
	Staff          string     `json:"staff"`
	Department     string     `json:"department"`
	Kind           string     `json:"kind"`
	From           string     `json:"from"`
	To             string     `json:"to"`
	Half           string     `json:"half,omitempty"`
	Reason         string     `json:"reason"`
	State          string     `json:"state"`
	FiledAt        time.Time  `json:"filed_at"`
	DecidedBy      string     `json:"decided_by,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	DecisionReason string     `json:"decision_reason,omitempty"`
}

// LeaveInput is the form a person files.
type LeaveInput struct {
	Kind   string `json:"kind"`
	From   string `json:"from"`
	To     string `json:"to"`
	Half   string `json:"half,omitempty"` // "", am or pm; a half day is one day
	Reason string `json:"reason"`
}

// FileLeave files a request for the actor themself: there is no field
// for whom, so no one files for someone else.
func (s *Service) FileLeave(ctx context.Context, a org.Actor, in LeaveInput) (*Leave, error) {
	f := apperr.Fields{}
	if !slices.Contains(LeaveKinds, in.Kind) {
		f.Add("kind", "error.choose")
	}
	from := dayField(f, "from", in.From)
	to := dayField(f, "to", in.To)
	if !f.Has("from") && !f.Has("to") {
		if to.Before(from) {
			f.Add("to", "attendance.leave_order")
		} else if from.DaysUntil(to) >= MaxLeaveDays {
			f.Add("to", "attendance.leave_too_long", "Max", MaxLeaveDays)
		}
	}
	if !slices.Contains(Halves, in.Half) {
		f.Add("half", "error.choose")
	} else if in.Half != "" && !f.Has("from") && !f.Has("to") && from != to {
		f.Add("half", "attendance.half_one_day")
	}
	reason := f.Para("reason", in.Reason, true, MaxReason)
	if a.StaffID == 0 || a.CentreID == 0 {
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	var id int64
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO leave_requests (staff_id, centre_id, department_id, kind, from_day, to_day, reason, state, filed_at, half)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9) RETURNING id`, a.StaffID, a.CentreID, store.NullID(a.DepartmentID), in.Kind,
			from.String(), to.String(), reason, now, in.Half).Scan(&id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, now, a.Who(), "attendance.leave_file", "leave_request", itoa(id), a.CentreID, a.DepartmentID, nil, in)
	})
	if err != nil {
		return nil, err
	}
	return s.leave(ctx, id)
}

func dayField(f apperr.Fields, field, v string) calendar.Date {
	if v == "" {
		f.Add(field, "error.required")
		return calendar.Date{}
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		f.Add(field, "attendance.day_format")
	}
	return d
}

const leaveCols = `l.id, l.staff_id, s.name, COALESCE(dp.short_name, ''), l.kind, l.from_day, l.to_day, l.reason, l.state, l.filed_at,
	COALESCE(ds.name, ''), l.decided_at, l.decision_reason, l.half`

const leaveFrom = `leave_requests l JOIN staff s ON s.id = l.staff_id LEFT JOIN departments dp ON dp.id = l.department_id
	LEFT JOIN staff ds ON ds.id = l.decided_by`

func scanLeave(row interface{ Scan(...any) error }) (*Leave, error) {
	var l Leave
	var decided sql.NullTime
	if err := row.Scan(&l.ID, &l.StaffID, &l.Staff, &l.Department, &l.Kind, &l.From, &l.To, &l.Reason, &l.State, &l.FiledAt,
		&l.DecidedBy, &decided, &l.DecisionReason, &l.Half); err != nil {
		return nil, err
	}
	l.FiledAt = l.FiledAt.UTC()
	if decided.Valid {
		t := decided.Time.UTC()
		l.DecidedAt = &t
	}
	return &l, nil
}

func (s *Service) leave(ctx context.Context, id int64) (*Leave, error) {
	l, err := scanLeave(s.DB.W.QueryRowContext(ctx, `SELECT `+leaveCols+` FROM `+leaveFrom+` WHERE l.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("entity.leave")
	}
	return l, err
}

// decidesScope is the condition on leave row l for requests a decides:
// a department admin their department's (at their centre), a centre
// admin those of staff of no department at their centre. Never one's own.
func decidesScope(a org.Actor) (string, []any) {
	switch a.Role {
	case org.DeptAdmin:
		return "l.department_id = ? AND l.centre_id = ? AND l.staff_id <> ?", []any{a.DepartmentID, a.CentreID, a.StaffID}
	case org.CentreAdmin:
		return "l.department_id IS NULL AND l.centre_id = ? AND l.staff_id <> ?", []any{a.CentreID, a.StaffID}
	}
	return "1 = 0", nil
}

// Leaves lists the actor's own requests (own) or those the actor decides
// (to decide), newest first.
func (s *Service) Leaves(ctx context.Context, a org.Actor, toDecide bool) ([]*Leave, error) {
	var w store.Where
	if toDecide {
		c, args := decidesScope(a)
		w.Add(c, args...)
	} else {
		w.Add("l.staff_id = ?", a.StaffID)
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+leaveCols+` FROM `+leaveFrom+w.String()+
		` ORDER BY l.state = 'pending' DESC, l.from_day DESC, l.id DESC LIMIT 200`, w.Args()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Leave{}
	for rows.Next() {
		l, err := scanLeave(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// DecideLeave approves or rejects a pending request; a rejection needs a
// reason. Someone else's request outside the actor's decisions answers
// "not found".
func (s *Service) DecideLeave(ctx context.Context, a org.Actor, id int64, approve bool, reason string) (*Leave, error) {
	var w store.Where
	w.Add("l.id = ?", id)
	c, args := decidesScope(a)
	w.Add(c, args...)
	var state string
	var centre, dept int64
	err := s.DB.Read().QueryRowContext(ctx, `SELECT l.state, l.centre_id, COALESCE(l.department_id, 0) FROM leave_requests l`+w.String(), w.Args()...).
		Scan(&state, &centre, &dept)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundf("entity.leave")
	}
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	reason = f.Para("decision_reason", reason, !approve, MaxReason)
	if err := f.Err(); err != nil {
		return nil, err
	}
	if state != LeavePending {
		return nil, apperr.New(apperr.Conflict, "attendance.leave_decided")
	}
	to := LeaveRejected
	if approve {
		to = LeaveApproved
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE leave_requests SET state = $1, decided_by = $2, decided_at = $3, decision_reason = $4
			WHERE id = $5 AND state = 'pending'`, to, a.StaffID, now, reason, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "attendance.leave_decided")
		}
		return audit.Write(ctx, tx, now, a.Who(), "attendance.leave_"+to, "leave_request", itoa(id), centre, dept,
			map[string]any{"state": state}, map[string]any{"state": to, "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return s.leave(ctx, id)
}
