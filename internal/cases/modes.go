package cases

import (
	"context"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/store"
)

// Acceptance modes (docs/DOMAIN.md §20): a case may be accepted on the
// applicant's written commitment (告知承诺, 国办发〔2020〕42号) or with minor
// materials owed (容缺受理). Which items allow which mode, and what each
// mode owes afterwards, is internal/modes' business; the engine only calls
// its ModeRule inside every transition's transaction, before the event is
// hashed, so what the mode decided is on the case's chain.

// Revoked is a decision revoked after a false commitment (撤销).
const Revoked = "revoked"

// The acceptance modes' own actions. They are not in Actions(): the case
// page offers none of them; the modes pages do, through the same engine.
const (
	// ActSupply hands in the materials a 容缺 acceptance left owed.
	ActSupply = "supply"
	// ActVerify records that a commitment was found true after approval.
	ActVerify = "verify"
	// ActRevoke revokes the decision on a commitment found false.
	ActRevoke = "revoke"
)

// ModeStep is one transition as the mode rule sees it, before its event is
// written. Mode is what the applicant chose at submission ("" otherwise).
type ModeStep struct {
	Case     *Case
	Action   string
	Mode     string
	Actor    Actor
	Input    Input
	Now      time.Time
	Calendar *calendar.Calendar
}

// ModeRule keeps a case's acceptance mode in step with its transitions in
// the same transaction. What it returns goes into the event's payload under
// "mode" (nil: nothing); an error rolls the transition back.
type ModeRule interface {
	Step(ctx context.Context, q store.Querier, st ModeStep) (map[string]any, error)
}

func init() {
	States = append(States, Revoked)
	rules[ActSupply] = func(c *Case, a Actor) error {
		return all(inState(c, ActSupply, InProgress, Approved, Completed), applicantOrClerk(c, a))
	}
	// Verification belongs to the department that decided (国办发〔2020〕42号:
	// the organ verifies its own commitments).
	after := func(act Action) rule {
		return func(c *Case, a Actor) error {
			return all(inState(c, act, Approved, Completed, Delivered), reviewRole(c, a), func() error {
				if c.Decision != "approved" {
					return wrongState(act, c)
				}
				return nil
			})
		}
	}
	rules[ActVerify] = after(ActVerify)
	rules[ActRevoke] = after(ActRevoke)
}

// mode asks the mode rule what this transition means for the case's mode.
func (t *tx) mode(in Input) error {
	if t.s.Modes == nil {
		if t.modeChoice != "" {
			f := apperr.Fields{}
			f.Add("mode", "modes.not_eligible")
			return f.Err()
		}
		return nil
	}
	rec, err := t.s.Modes.Step(t.ctx, t.q, ModeStep{Case: t.c, Action: t.action, Mode: t.modeChoice, Actor: t.a, Input: in, Now: t.now, Calendar: t.cal})
	if err != nil {
		return err
	}
	if rec != nil {
		t.payload["mode"] = rec
	}
	if t.action == ActSubmit && t.modeChoice == "commitment" {
		// The written commitment (告知承诺书) the applicant signs: the
		// conditions and the liability, as recorded in this event.
		t.docs = append(t.docs, "commitment")
	}
	return nil
}

// supply: the applicant (online) or a clerk hands in owed materials; the
// mode rule says whether anything is still owed.
func (t *tx) supply(in Input) error {
	if len(in.Materials) == 0 {
		f := apperr.Fields{}
		f.Add("materials", "case.material_nothing")
		return f.Err()
	}
	return t.receive(in.Materials)
}

// verify records a commitment found true; the case's state stays.
func (t *tx) verify(in Input) error {
	f := apperr.Fields{}
	if note := trimmed(f, "reason", in.Reason, false, 1000); note != "" {
		t.payload["reason"] = note
	}
	if err := f.Err(); err != nil {
		return err
	}
	t.msgs = append(t.msgs, "case.msg.verified")
	return nil
}

// revoke: a commitment found false revokes the decision (国办发〔2020〕42号
// 四(五): 撤销行政许可决定), by a written decision with its reasons and the
// applicant's remedies (行政许可法 Art. 38 by analogy, 行政复议法 Art. 20).
func (t *tx) revoke(in Input) error {
	f := apperr.Fields{}
	reason := trimmed(f, "reason", in.Reason, true, 1000)
	if err := f.Err(); err != nil {
		return err
	}
	c := t.c
	t.payload["reason"], t.payload["remedy"] = reason, RemedyText
	c.State, c.Decision = Revoked, "revoked"
	if c.ClosedAt == nil {
		c.ClosedAt = &t.now
	}
	t.docs = append(t.docs, "revocation")
	t.msgs = append(t.msgs, "case.msg.revoked")
	return nil
}
