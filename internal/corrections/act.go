package corrections

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"onestop/internal/apperr"
	"onestop/internal/audit"
	"onestop/internal/org"
)

// StepInput is what a step's form or API call sends.
type StepInput struct {
	// Version is the order version the actor saw (required); a step on
	// an order that has moved since is refused (two supervisors at once:
	// one wins).
	Version int    `json:"version"`
	Text    string `json:"text"`
	// Public is, on accepting an order that came from a complaint, the
	// reply the complainant reads; empty means the department's reply.
	Public string `json:"public_reply,omitempty"`
}

// Act takes one step on an order: reply (the department), accept, return
// or escalate (the supervisor). Scope first (out of scope is "not
// found"), then the version, then the rule (Check), all in the step's
// transaction.
func (s *Service) Act(ctx context.Context, a org.Actor, id int64, action string, in StepInput) (*Order, error) {
	f := apperr.Fields{}
	// A reply says what was done and a return says why: both are required.
	// An acceptance or an escalation may carry a note.
	required := action == ActReply || action == ActReturn
	text := f.Para("text", in.Text, required, MaxText)
	now := s.now()
	var out *Order
	err := s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		o, err := load(ctx, q, id)
		if err != nil {
			return err
		}
		if !sees(a, o) {
			return apperr.NotFoundf("entity.order")
		}
		// The version is required: a step without the version it was
		// decided on could land on an order that moved since.
		if in.Version != o.Version {
			return apperr.New(apperr.Conflict, "order.changed")
		}
		if err := Check(o, a, action); err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		before := auditView(o)
		switch action {
		case ActReply:
			o.State = Replied
		case ActReturn:
			o.State = Returned
		case ActAccept:
			o.State, o.ClosedAt = Accepted, &now
		case ActEscalate:
			o.State = Escalated
			if o.EscalatedAt == nil {
				o.EscalatedAt = &now
			}
		}
		e := Event{Seq: o.Version + 1, At: now, ActorID: a.StaffID, Actor: a.Name, Role: string(a.Role), Action: action, Text: text,
			PrevHash: o.LastHash, Facts: facts(map[string]any{"state": o.State})}
		e.Hash = hashEvent(chainKey(o.RegionCode, o.No), e)
		res, err := q.ExecContext(ctx, `UPDATE correction_orders SET state = $1, version = version + 1, escalated_at = $2, closed_at = $3, last_hash = $4,
			updated_at = $5 WHERE id = $6 AND version = $7`, o.State, o.EscalatedAt, o.ClosedAt, e.Hash, now, o.ID, o.Version)
		if err != nil {
			return fmt.Errorf("update order: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "order.changed")
		}
		if err := appendEvent(ctx, q, o.ID, e); err != nil {
			return err
		}
		o.Version++
		o.LastHash = e.Hash
		if err := audit.Write(ctx, q, now, a.Who(), action, "correction_order", o.No, o.CentreID, o.DepartmentID, before, auditView(o)); err != nil {
			return err
		}
		if err := s.witness(ctx, q, a, o, action, StepInput{Version: in.Version, Text: text, Public: in.Public}, now); err != nil {
			return err
		}
		out = o
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// facts is an event's facts as stored: compact JSON.
func facts(m map[string]any) json.RawMessage {
	b, err := json.Marshal(m)
	if err != nil {
		return json.RawMessage(`{}`)
	}
	return b
}
