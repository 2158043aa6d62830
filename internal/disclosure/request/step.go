package request

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/calendar"
	"onestop/internal/disclosure"
	"onestop/internal/ident"
	"onestop/internal/notify"
	"onestop/internal/org"
)

// stepCtx is one step on a request inside its transaction.
type stepCtx struct {
	ctx         context.Context
	tx          *sql.Tx
	r           *Request
	before      Request
	cal         *calendar.Calendar
	now         time.Time
	today       calendar.Date
	staff       *org.Actor
	applicantID int64
	evs         []Event
}

// event writes the step's event row (day = today).
func (st *stepCtx) event(kind, note string, data map[string]any) error {
	var staffID int64
	if st.staff != nil {
		staffID = st.staff.StaffID
	}
	return addEvent(st.ctx, st.tx, st.r.ID, kind, st.today, st.now, staffID, st.applicantID, note, data)
}

// tell queues an SMS to the requester's mobile (the contact Art. 29 makes
// them give) in the step's transaction; a fixed-line number gets none.
func (st *stepCtx) tell(key string, params map[string]any) error {
	if !ident.IsMobile(st.r.Phone) {
		return nil
	}
	p := map[string]any{"No": st.r.No, "Organ": st.r.Organ}
	if st.r.DueOn != nil {
		p["Due"] = st.r.DueOn.String()
	}
	for k, v := range params {
		p[k] = v
	}
	return notify.QueueMsg(st.ctx, st.tx, notify.Msg{Channel: notify.SMS, To: st.r.Phone, Key: key, Params: p, Region: st.r.RegionCode}, st.now)
}

// recompute sets due_on from the clock's parts (the one rule, dueOn).
func (st *stepCtx) recompute() {
	d := dueOn(st.cal, *st.r.ClockFrom, st.r.ExtensionDays, st.r.PausedDays)
	st.r.DueOn = &d
}

// dueOn is the reply deadline: ReplyDays working days from the day the
// clock counts from (the receipt day, or the day the supplement arrived,
// Art. 30, 33), plus the one extension (Art. 33), plus the working days
// not counted (consultation, Art. 32; the wait for a fee, 国办函〔2020〕109号
// 第七条). The day itself is not counted (docs/DOMAIN.md §3).
func dueOn(cal *calendar.Calendar, from calendar.Date, extension, paused int) calendar.Date {
	d, _ := cal.Deadline(from, disclosure.ReplyDays+extension+paused)
	return d
}

// step runs fn on a request as a member of staff with duty d at its organ,
// when its status is one of want, and saves what fn changed with the
// audit row. A closed request never changes: no step lists Closed.
func (s *Service) step(ctx context.Context, a org.Actor, no string, d disclosure.Duty, want []string, fn func(*stepCtx) error) (*Request, error) {
	r, _, err := s.Get(ctx, a, no)
	if err != nil {
		return nil, err
	}
	if _, err := s.acting(ctx, a, r.OrganID, d); err != nil {
		return nil, err
	}
	return s.run(ctx, r, &a, 0, want, fn)
}

func (s *Service) run(ctx context.Context, r *Request, a *org.Actor, applicantID int64, want []string, fn func(*stepCtx) error) (*Request, error) {
	if !slices.Contains(want, r.Status) {
		if r.Status == Closed {
			return nil, apperr.New(apperr.Conflict, "disclosure_req.error.closed")
		}
		return nil, apperr.New(apperr.Conflict, "disclosure_req.error.status", "Status", "disclosure_req.status."+r.Status)
	}
	cal, err := s.Cases.WorkingCalendar(ctx)
	if err != nil {
		return nil, err
	}
	evs, err := s.Events(ctx, r)
	if err != nil {
		return nil, err
	}
	now := s.now()
	st := &stepCtx{ctx: ctx, r: r, before: *r, cal: cal, now: now, today: todayOf(now), staff: a, applicantID: applicantID, evs: evs}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		st.tx = tx
		if err := fn(st); err != nil {
			return err
		}
		return save(ctx, tx, st)
	})
	if err != nil {
		return nil, err
	}
	return load(ctx, s.DB.Read(), `r.id = $1`, r.ID)
}

func dayArg(d *calendar.Date) any {
	if d == nil {
		return nil
	}
	return d.String()
}

// save writes the request's changed parts; the status it was read in is a
// condition, so two steps racing on one request cannot both apply.
func save(ctx context.Context, tx *sql.Tx, st *stepCtx) error {
	r := st.r
	var approver any
	if r.ExtensionDays > 0 && st.before.ExtensionDays == 0 && st.staff != nil {
		approver = st.staff.StaffID
	}
	var rt, out any
	if r.ReplyType != 0 {
		rt = int(r.ReplyType)
	}
	if r.Outcome != "" {
		out = string(r.Outcome)
	}
	res, err := tx.ExecContext(ctx, `UPDATE disclosure_requests SET received_on = $1, clock_from = $2, due_on = $3, status = $4,
		supplement_asked_on = $5, supplement_due_on = $6, supplement_received_on = $7, extension_days = $8,
		extension_approved_by = COALESCE($9, extension_approved_by), paused_days = $10, fee_fen = $11, reply_type = $12, outcome = $13,
		closed_on = $14, updated_at = $15 WHERE id = $16 AND status = $17`,
		dayArg(r.ReceivedOn), dayArg(r.ClockFrom), dayArg(r.DueOn), r.Status, dayArg(r.SupplementAskedOn), dayArg(r.SupplementDueOn),
		dayArg(r.SupplementReceivedOn), r.ExtensionDays, approver, r.PausedDays, r.FeeFen, rt, out, dayArg(r.ClosedOn), st.now,
		r.ID, st.before.Status)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return apperr.New(apperr.Conflict, "disclosure_req.error.changed")
	}
	if st.staff == nil {
		return nil
	}
	return audit.Write(ctx, tx, st.now, st.staff.Who(), "update", "disclosure_request", r.No, 0, 0,
		map[string]any{"status": st.before.Status, "due_on": dayArg(st.before.DueOn)},
		map[string]any{"status": r.Status, "due_on": dayArg(r.DueOn), "outcome": out})
}

// close concludes the request today with an outcome.
func (st *stepCtx) close(o disclosure.Outcome, rt disclosure.ReplyType) {
	st.r.Status, st.r.Outcome, st.r.ReplyType = Closed, o, rt
	st.r.ClosedOn = &st.today
}
