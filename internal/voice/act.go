package voice

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/corrections"
	"onestop/internal/ident"
	"onestop/internal/notify"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Staff steps on an enquiry (the detail page's forms).
var StaffActions = []string{ActAnswer, ActRefer, ActClose}

// sees reports whether a staff member may read the enquiry: the county's
// supervisors and leaders everything of their county (supervision sees
// the clocks); a consultation its department's staff; a help request its
// centre's admin (the county hall's admin every centre of the county).
// A complaint is supervision's; once turned into an order, the ordered
// department's admin and approver (who answer the order) read it too.
// Anyone else is answered "not found".
func sees(a org.Actor, e *Enquiry) bool {
	switch {
	case a.Role == org.Supervisor || a.Role == org.Leader:
		return a.CountyWide() && a.CoversRegion(e.RegionCode)
	case e.Kind == Consult:
		return a.Role.InDepartment() && a.DepartmentID != 0 && a.DepartmentID == e.DepartmentID
	case e.Kind == Help:
		return a.Role == org.CentreAdmin && (a.CentreID == e.CentreID || (a.CountyWide() && a.CoversRegion(e.RegionCode)))
	case e.Kind == Complaint:
		return corrections.Answerer(a.Role) && a.DepartmentID != 0 && a.DepartmentID == e.OrderDepartmentID
	}
	return false
}

// Check is the one rule of who may take which staff step in which state,
// asked after sees. A consultation is answered by its department's staff,
// a help request by the centre's admin, a complaint by the county's
// supervisor — directly, or by referring it to a department through a
// correction order (then the order's acceptance answers it). Whoever may
// answer may close once answered. The leader only reads.
func Check(e *Enquiry, a org.Actor, action string) error {
	mayAnswer := false
	switch e.Kind {
	case Consult:
		mayAnswer = a.Role.InDepartment() && a.DepartmentID == e.DepartmentID
	case Help:
		mayAnswer = a.Role == org.CentreAdmin
	case Complaint:
		mayAnswer = a.Role == org.Supervisor && a.CountyWide()
	}
	switch action {
	case ActAnswer:
		if !mayAnswer {
			return apperr.New(apperr.Forbidden, "voice.not_yours")
		}
		if e.OrderID != 0 {
			return apperr.New(apperr.Conflict, "voice.referred")
		}
		return inState(e, action, Open)
	case ActRefer:
		if e.Kind != Complaint || !mayAnswer {
			return apperr.New(apperr.Forbidden, "voice.supervisor_only")
		}
		if e.OrderID != 0 {
			return apperr.New(apperr.Conflict, "voice.referred")
		}
		return inState(e, action, Open)
	case ActClose:
		if !mayAnswer {
			return apperr.New(apperr.Forbidden, "voice.not_yours")
		}
		return inState(e, action, Answered)
	}
	return apperr.New(apperr.NotFound, "voice.unknown_action", "Action", action)
}

// Allowed lists the staff steps a may take on e now.
func Allowed(e *Enquiry, a org.Actor) []string {
	var out []string
	for _, act := range StaffActions {
		if Check(e, a, act) == nil {
			out = append(out, act)
		}
	}
	return out
}

func inState(e *Enquiry, action string, states ...string) error {
	if slices.Contains(states, e.State) {
		return nil
	}
	return apperr.New(apperr.Conflict, "voice.wrong_state", "Action", action, "State", e.State)
}

// Record is an enquiry as the staff page shows it: with the asker's
// contact (the phone masked), its record and the order it became.
type Record struct {
	*Enquiry
	Name       string  `json:"name"`
	Phone      string  `json:"phone"` // masked
	Events     []Event `json:"events"`
	OrderNo    string  `json:"order_no,omitempty"`
	OrderState string  `json:"order_state,omitempty"`
	// OrderVersion is the order's version, for the supervisor's accept
	// form on the enquiry page.
	OrderVersion int `json:"-"`
	// DeptReply is the department's latest reply on the order, the text
	// the supervisor accepts (and may edit) for the complainant.
	DeptReply string `json:"department_reply,omitempty"`
}

// Get returns an enquiry with its record if a may read it; otherwise
// not-found, as for a number that does not exist.
func (s *Service) Get(ctx context.Context, a org.Actor, no string) (*Record, error) {
	e, err := s.ByNo(ctx, no)
	if err != nil {
		return nil, err
	}
	if !sees(a, e) {
		return nil, apperr.NotFoundf("entity.enquiry")
	}
	q := s.DB.Read()
	r := &Record{Enquiry: e}
	var phone string
	if err := q.QueryRowContext(ctx, `SELECT name, phone FROM enquiries WHERE id = $1`, e.ID).Scan(&r.Name, &phone); err != nil {
		return nil, err
	}
	r.Phone = ident.MaskPhone(phone)
	if r.Events, err = events(ctx, q, e.ID); err != nil {
		return nil, err
	}
	if e.OrderID != 0 {
		if err := q.QueryRowContext(ctx, `SELECT no, state, version, COALESCE((SELECT text FROM correction_order_events WHERE order_id = o.id AND action = 'reply' ORDER BY seq DESC LIMIT 1), '')
			FROM correction_orders o WHERE o.id = $1`, e.OrderID).Scan(&r.OrderNo, &r.OrderState, &r.OrderVersion, &r.DeptReply); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// step reads the enquiry a staff step is on and asks, in this order,
// whether a may see it (not found), whether it is the version a saw
// (conflict) and whether the rule lets a take the step.
func (s *Service) step(ctx context.Context, a org.Actor, no, action string, version int) (*Enquiry, error) {
	e, err := s.ByNo(ctx, no)
	if err != nil {
		return nil, err
	}
	if !sees(a, e) {
		return nil, apperr.NotFoundf("entity.enquiry")
	}
	if version != e.Version {
		return nil, apperr.New(apperr.Conflict, "voice.changed")
	}
	return e, Check(e, a, action)
}

// StepInput is what a staff step's form or API call sends.
type StepInput struct {
	Version int    `json:"version"` // the version the actor saw (required)
	Text    string `json:"text"`    // the reply (answer); a note (close)
}

// Act takes one staff step: answer or close. Scope first, then the
// version, then the rule, all in the step's transaction with its event and
// audit entry; an answer queues the SMS to the asker.
func (s *Service) Act(ctx context.Context, a org.Actor, no, action string, in StepInput) (*Enquiry, error) {
	if action == ActRefer {
		return nil, apperr.New(apperr.NotFound, "voice.unknown_action", "Action", action)
	}
	f := apperr.Fields{}
	text := f.Para("text", in.Text, action == ActAnswer, MaxReply)
	e, err := s.step(ctx, a, no, action, in.Version)
	if err != nil {
		return nil, err
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		switch action {
		case ActAnswer:
			return s.answer(ctx, tx, e, staffActor(a), a.Who(), text, now)
		default:
			return s.close(ctx, tx, e, staffActor(a), &a, text, now)
		}
	})
	if err != nil {
		return nil, err
	}
	return s.ByNo(ctx, e.No)
}

// answer records the reply, moves the enquiry to answered and queues the
// SMS that tells the asker where to read it.
func (s *Service) answer(ctx context.Context, q store.Querier, e *Enquiry, who Actor, aw audit.Who, text string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE enquiries SET state = $1, reply = $2, replied_at = $3, replied_by = $4, version = version + 1, updated_at = $3
		WHERE id = $5 AND version = $6 AND state = $7`, Answered, text, now, store.NullID(who.StaffID), e.ID, e.Version, Open)
	if err != nil {
		return fmt.Errorf("answer enquiry: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "voice.changed")
	}
	if err := event(ctx, q, e.ID, now, who, ActAnswer, text); err != nil {
		return err
	}
	if err := audit.Write(ctx, q, now, aw, ActAnswer, "enquiry", e.No, e.CentreID, e.DepartmentID,
		map[string]any{"state": e.State}, map[string]any{"state": Answered, "reply": text}); err != nil {
		return err
	}
	var phone string
	if err := q.QueryRowContext(ctx, `SELECT phone FROM enquiries WHERE id = $1`, e.ID).Scan(&phone); err != nil {
		return err
	}
	if !ident.IsMobile(phone) || s.Text == nil {
		return nil // a landline or no phone: the asker reads it on the portal
	}
	return notify.Queue(ctx, q, phone, s.Text("", "voice.sms.answered", map[string]any{"No": e.No, "URL": s.TrackURL}), now)
}

// close ends an answered enquiry: staff after the answer (a, audited),
// or the asker (a nil).
func (s *Service) close(ctx context.Context, q store.Querier, e *Enquiry, who Actor, a *org.Actor, text string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE enquiries SET state = $1, closed_at = $2, version = version + 1, updated_at = $2
		WHERE id = $3 AND version = $4 AND state = $5`, Closed, now, e.ID, e.Version, Answered)
	if err != nil {
		return fmt.Errorf("close enquiry: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "voice.changed")
	}
	action := ActClose
	if a == nil {
		action = ActConfirm
	}
	if err := event(ctx, q, e.ID, now, who, action, text); err != nil {
		return err
	}
	if a == nil {
		return nil
	}
	return audit.Write(ctx, q, now, a.Who(), action, "enquiry", e.No, e.CentreID, e.DepartmentID,
		map[string]any{"state": e.State}, map[string]any{"state": Closed})
}

// ReferInput turns a complaint into a correction order.
type ReferInput struct {
	Version      int    `json:"version"`
	DepartmentID int64  `json:"department_id"`
	Instruction  string `json:"instruction"`
	DeadlineDays int    `json:"deadline_days"`
}

// Refer turns a complaint into a correction order to a department
// (internal/corrections), naming the complaint's case if it has one. The
// order and the complaint's "refer" event commit together (OrderWitness).
func (s *Service) Refer(ctx context.Context, a org.Actor, no string, in ReferInput) (*corrections.Order, error) {
	e, err := s.step(ctx, a, no, ActRefer, in.Version)
	if err != nil {
		return nil, err
	}
	oi := corrections.IssueInput{DepartmentID: in.DepartmentID, Subject: e.No + " " + e.Subject, Instruction: in.Instruction,
		DeadlineDays: in.DeadlineDays, EnquiryID: e.ID}
	if len([]rune(oi.Subject)) > corrections.MaxSubject {
		oi.Subject = string([]rune(oi.Subject)[:corrections.MaxSubject])
	}
	if e.CaseNo != "" {
		// The case goes with the order only when it is the ordered
		// department's: an order names its own department's cases.
		var dept int64
		if err := s.DB.Read().QueryRowContext(ctx, `SELECT department_id FROM cases WHERE no = $1`, e.CaseNo).Scan(&dept); err == nil && dept == in.DepartmentID {
			oi.Cases = []string{e.CaseNo}
		}
	}
	return s.Orders.Issue(ctx, a, oi)
}

// OrderWitness is the corrections.Witness that keeps a referred complaint
// in step with its order, inside the order's transaction: the issue is the
// complaint's "refer" event; the department's reply is noted; the
// supervisor's acceptance answers the complaint with the text they approved
// (the department's reply unless they edited it).
func (s *Service) OrderWitness(ctx context.Context, q store.Querier, a org.Actor, o *corrections.Order, action string, in corrections.StepInput, now time.Time) error {
	if o.EnquiryID == 0 {
		return nil
	}
	e, err := scanEnquiry(q.QueryRowContext(ctx, `SELECT `+enquiryCols+` FROM `+enquiryFrom+` WHERE e.id = $1`, o.EnquiryID))
	if err != nil {
		return err
	}
	who := staffActor(a)
	switch action {
	case corrections.ActIssue:
		if e.Kind != Complaint || e.State != Open {
			return apperr.New(apperr.Conflict, "voice.wrong_state", "Action", ActRefer, "State", e.State)
		}
		if _, err := q.ExecContext(ctx, `UPDATE enquiries SET version = version + 1, updated_at = $1 WHERE id = $2`, now, e.ID); err != nil {
			return err
		}
		if err := event(ctx, q, e.ID, now, who, ActRefer, o.No); err != nil {
			return err
		}
		return audit.Write(ctx, q, now, a.Who(), ActRefer, "enquiry", e.No, e.CentreID, o.DepartmentID, nil, map[string]any{"order": o.No})
	case corrections.ActReply:
		return event(ctx, q, e.ID, now, who, ActOrderReply, o.No)
	case corrections.ActAccept:
		text := in.Public
		if text == "" {
			if err := q.QueryRowContext(ctx, `SELECT text FROM correction_order_events WHERE order_id = $1 AND action = 'reply' ORDER BY seq DESC LIMIT 1`,
				o.ID).Scan(&text); err != nil {
				return err
			}
		}
		f := apperr.Fields{}
		text = f.Para("public_reply", text, true, MaxReply)
		if err := f.Err(); err != nil {
			return err
		}
		if e.State != Open {
			return nil
		}
		return s.answer(ctx, q, e, who, a.Who(), text, now)
	}
	return nil
}
