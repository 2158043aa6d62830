package request

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"onestop/internal/apperr"
	"onestop/internal/disclosure"
	"onestop/internal/org"
)

// Reply is an Art. 36 reply (答复). Which fields are required depends on
// the type (Check); the reply is kept in its event's data and the printed
// notice (告知书) reads it from there.
type Reply struct {
	Type    disclosure.ReplyType `json:"type"`
	Outcome disclosure.Outcome   `json:"outcome"`
	// Text: type 1 where and how the published information is found; type
	// 2 the information, or how, where and when it is provided; type 4
	// the search made (optional).
	Text string `json:"text"`
	// Withheld and Reason: type 2 partly disclosed, what was withheld and
	// why (Art. 37); Reason alone: type 3 why it is not disclosed, type 5
	// why it is not this organ's.
	Withheld string `json:"withheld"`
	Reason   string `json:"reason"`
	// Basis: type 3, the legal basis of the refusal (Art. 36(3)).
	Basis string `json:"basis"`
	// Organ and Contact: type 5, the organ responsible and how to reach
	// it, when it can be determined (Art. 36(5)).
	Organ   string `json:"organ"`
	Contact string `json:"contact"`
	// Earlier: type 6, the number of the earlier request this repeats,
	// already answered by this organ (Art. 36(6)).
	Earlier string `json:"earlier"`
	// Law: type 7, the law or administrative regulation that governs
	// access to the information (Art. 36(7)).
	Law string `json:"law"`
}

// Check validates a reply against its type's required contents (条例 Art.
// 36) and the outcomes the type may conclude with (disclosure.ReplyType.Allows).
func (p *Reply) Check(f apperr.Fields) {
	if !p.Type.Valid() {
		f.Add("type", "error.choose")
		return
	}
	if !p.Type.Allows(p.Outcome) {
		f.Add("outcome", "disclosure_req.error.outcome")
	}
	need := map[string]bool{}
	switch p.Type {
	case 1:
		need["text"] = true
	case 2:
		need["text"] = true
		if p.Outcome == disclosure.Partial {
			need["withheld"], need["reason"] = true, true
		}
	case 3:
		need["reason"], need["basis"] = true, true
	case 5:
		need["reason"] = true
	case 6:
		need["earlier"] = true
	case 7:
		need["law"] = true
	}
	p.Text = f.Para("text", p.Text, need["text"], MaxContent)
	p.Withheld = f.Para("withheld", p.Withheld, need["withheld"], MaxText)
	p.Reason = f.Para("reason", p.Reason, need["reason"], MaxText)
	p.Basis = f.Para("basis", p.Basis, need["basis"], MaxText)
	p.Organ = f.Text("organ", p.Organ, false, MaxName)
	p.Contact = f.Text("contact", p.Contact, p.Organ != "", MaxAddress)
	p.Earlier = strings.ToUpper(f.Text("earlier", p.Earlier, need["earlier"], 40))
	p.Law = f.Para("law", p.Law, need["law"], MaxText)
	if p.Type != 2 {
		p.Withheld = ""
	}
}

func (p Reply) data() map[string]any {
	m := map[string]any{"type": int(p.Type), "outcome": string(p.Outcome)}
	for k, v := range map[string]string{"text": p.Text, "withheld": p.Withheld, "reason": p.Reason, "basis": p.Basis,
		"organ": p.Organ, "contact": p.Contact, "earlier": p.Earlier, "law": p.Law} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// Answer concludes a request with an Art. 36 reply, while its clock runs
// (not while waiting for a supplement, a third party or a fee). The
// requester is told; the reply notice states the remedies.
func (s *Service) Answer(ctx context.Context, a org.Actor, no string, p Reply) (*Request, error) {
	return s.step(ctx, a, no, disclosure.Officer, []string{Open}, func(st *stepCtx) error {
		f := apperr.Fields{}
		p.Check(f)
		if p.Type == 6 && !f.Has("earlier") {
			// The earlier request must be this organ's and answered: a
			// repeat of nothing is no repeat.
			var n int
			err := st.tx.QueryRowContext(st.ctx, `SELECT COUNT(*) FROM disclosure_requests WHERE no = $1 AND organ_id = $2 AND status = 'closed' AND id <> $3`,
				p.Earlier, st.r.OrganID, st.r.ID).Scan(&n)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if n == 0 {
				f.Add("earlier", "disclosure_req.error.earlier")
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		st.close(p.Outcome, p.Type)
		if err := st.event(EvReplied, "", p.data()); err != nil {
			return err
		}
		return st.tell("notify.disclosure.replied", nil)
	})
}

// NoticeOutcomes are the conclusions by a notice rather than an Art. 36
// reply: information that needs making (Art. 38), unclear after the
// supplement, petitions and complaints (Art. 39), publications, excessive
// requests (Art. 35), requests to confirm or reissue (Art. 39), and other
// (withdrawn by the requester). The lapses (no supplement, unpaid fee)
// have their own step (Lapse).
var NoticeOutcomes = []disclosure.Outcome{disclosure.UnableNeedsMaking, disclosure.UnableUnclear, disclosure.DeclinedPetition,
	disclosure.DeclinedPublication, disclosure.DeclinedExcessive, disclosure.DeclinedConfirm, disclosure.Other}

// Conclude ends a request by a notice with one of NoticeOutcomes and the
// reason stated in it. "Unclear after the supplement" needs a supplement
// that arrived.
func (s *Service) Conclude(ctx context.Context, a org.Actor, no string, o disclosure.Outcome, reason string) (*Request, error) {
	return s.step(ctx, a, no, disclosure.Officer, []string{Open, Supplement, Consulting, FeeDue}, func(st *stepCtx) error {
		f := apperr.Fields{}
		reason = f.Para("reason", reason, true, MaxText)
		ok := false
		for _, x := range NoticeOutcomes {
			ok = ok || x == o
		}
		if !ok {
			f.Add("outcome", "error.choose")
		} else if o == disclosure.UnableUnclear && st.r.SupplementReceivedOn == nil {
			f.Add("outcome", "disclosure_req.error.unclear_needs_supplement")
		}
		if err := f.Err(); err != nil {
			return err
		}
		st.close(o, 0)
		if err := st.event(EvClosed, reason, map[string]any{"outcome": string(o)}); err != nil {
			return err
		}
		return st.tell("notify.disclosure.replied", nil)
	})
}
