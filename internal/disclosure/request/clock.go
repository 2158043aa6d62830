package request

import (
	"context"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/disclosure"
	"onestop/internal/org"
)

// maxSupplementSpan bounds the time given to supply (calendar days): the
// law asks for "a reasonable period" (合理的补正期限, Art. 30) and names
// none; a local bound so a typo cannot hold a request open for years.
const maxSupplementSpan = 90

// SupplementAsk is the one supplement notice (补正告知).
type SupplementAsk struct {
	What  string `json:"what"`   // what to supply (Art. 30: 一次性告知需要补正的事项)
	DueOn string `json:"due_on"` // the day to supply it by
}

// AskSupplement gives the one supplement notice (Art. 30): only one per
// request, and only within SupplementDays working days of receipt, naming
// what to supply and the day to supply it by. The clock waits; the
// supplement restarts it.
func (s *Service) AskSupplement(ctx context.Context, a org.Actor, no string, in SupplementAsk) (*Request, error) {
	return s.step(ctx, a, no, disclosure.Officer, []string{Open}, func(st *stepCtx) error {
		f := apperr.Fields{}
		in.What = f.Para("what", in.What, true, MaxText)
		if st.r.SupplementAskedOn != nil {
			return apperr.New(apperr.Conflict, "disclosure_req.error.supplement_once")
		}
		last, _ := st.cal.Deadline(*st.r.ReceivedOn, disclosure.SupplementDays)
		if st.today.After(last) {
			return apperr.New(apperr.Conflict, "disclosure_req.error.supplement_late", "Last", last.String())
		}
		due, err := calendar.ParseDate(in.DueOn)
		switch {
		case in.DueOn == "":
			f.Add("due_on", "error.required")
		case err != nil:
			f.Add("due_on", "disclosure_req.error.date")
		case !due.After(st.today) || st.today.DaysUntil(due) > maxSupplementSpan:
			f.Add("due_on", "disclosure_req.error.supplement_due", "Max", maxSupplementSpan)
		}
		if err := f.Err(); err != nil {
			return err
		}
		st.r.Status, st.r.SupplementAskedOn, st.r.SupplementDueOn = Supplement, &st.today, &due
		if err := st.event(EvSupplementAsked, in.What, map[string]any{"due_on": due.String()}); err != nil {
			return err
		}
		return st.tell("notify.disclosure.supplement", map[string]any{"By": due.String()})
	})
}

// Supply is the requester supplying on the portal (the signed-in
// applicant who filed it; anyone else reads "not found").
func (s *Service) Supply(ctx context.Context, applicantID int64, no, text string) (*Request, error) {
	r, err := s.Own(ctx, applicantID, no)
	if err != nil {
		return nil, err
	}
	return s.run(ctx, r, nil, applicantID, []string{Supplement}, func(st *stepCtx) error { return st.supplied(text) })
}

// RecordSupply is the office recording a supplement that came by post or
// in person.
func (s *Service) RecordSupply(ctx context.Context, a org.Actor, no, text string) (*Request, error) {
	return s.step(ctx, a, no, disclosure.Officer, []string{Supplement}, func(st *stepCtx) error { return st.supplied(text) })
}

// supplied: the supplement arrived today, by its due day; the 20 working
// days count again from today (Art. 30, 33).
func (st *stepCtx) supplied(text string) error {
	f := apperr.Fields{}
	text = f.Para("text", text, true, MaxContent)
	if err := f.Err(); err != nil {
		return err
	}
	if st.today.After(*st.r.SupplementDueOn) {
		return apperr.New(apperr.Conflict, "disclosure_req.error.supplement_over", "Due", st.r.SupplementDueOn.String())
	}
	st.r.Status, st.r.SupplementReceivedOn, st.r.ClockFrom = Open, &st.today, &st.today
	st.recompute()
	return st.event(EvSupplementReceived, text, nil)
}

// Lapse concludes a request whose requester let a deadline pass: no
// supplement by its due day (Art. 30: 视为放弃申请, table 三 (六)1) or a fee
// notice unpaid FeePayDays working days after it was given (国办函〔2020〕109号
// 第七条, table 三 (六)2). Before the day has passed it is refused.
func (s *Service) Lapse(ctx context.Context, a org.Actor, no string) (*Request, error) {
	return s.step(ctx, a, no, disclosure.Officer, []string{Supplement, FeeDue}, func(st *stepCtx) error {
		var last calendar.Date
		o := disclosure.OtherNoSupplement
		if st.r.Status == Supplement {
			last = *st.r.SupplementDueOn
		} else {
			ev := Last(st.evs, EvFeeNotice)
			if ev == nil {
				return apperr.New(apperr.Conflict, "disclosure_req.error.status", "Status", "disclosure_req.status."+st.r.Status)
			}
			last, _ = st.cal.Deadline(ev.Day, FeePayDays)
			o = disclosure.OtherUnpaid
		}
		if !st.today.After(last) {
			return apperr.New(apperr.Conflict, "disclosure_req.error.not_lapsed", "Last", last.String())
		}
		st.close(o, 0)
		return st.event(EvClosed, "", map[string]any{"outcome": string(o)})
	})
}

// Consult records the office asking a third party for its opinion (Art.
// 32); the time until it answers, at most ConsultDays working days, is
// not counted.
func (s *Service) Consult(ctx context.Context, a org.Actor, no, party string) (*Request, error) {
	return s.step(ctx, a, no, disclosure.Officer, []string{Open}, func(st *stepCtx) error {
		f := apperr.Fields{}
		party = f.Text("party", party, true, MaxName)
		if err := f.Err(); err != nil {
			return err
		}
		st.r.Status = Consulting
		last, _ := st.cal.Deadline(st.today, disclosure.ConsultDays)
		return st.event(EvConsultSent, party, map[string]any{"answer_by": last.String()})
	})
}

// ConsultDone ends the consultation: the third party answered today, or
// it let its ConsultDays working days pass (lapsed; the office then
// decides itself, Art. 32). The working days since it was asked, at most
// ConsultDays, are added to the time not counted.
func (s *Service) ConsultDone(ctx context.Context, a org.Actor, no string, lapsed bool, note string) (*Request, error) {
	return s.step(ctx, a, no, disclosure.Officer, []string{Consulting}, func(st *stepCtx) error {
		f := apperr.Fields{}
		note = f.Para("note", note, !lapsed, MaxText)
		if err := f.Err(); err != nil {
			return err
		}
		sent := Last(st.evs, EvConsultSent)
		if sent == nil {
			return apperr.New(apperr.Conflict, "disclosure_req.error.changed")
		}
		days := st.cal.WorkingDaysBetween(sent.Day, st.today)
		if lapsed && days < disclosure.ConsultDays {
			last, _ := st.cal.Deadline(sent.Day, disclosure.ConsultDays)
			return apperr.New(apperr.Conflict, "disclosure_req.error.not_lapsed", "Last", last.String())
		}
		days = min(days, disclosure.ConsultDays)
		st.r.Status = Open
		st.r.PausedDays += days
		st.recompute()
		return st.event(EvConsultAnswered, note, map[string]any{"lapsed": lapsed, "paused_days": days})
	})
}

// Extend is the one extension (Art. 33): approved by the office's head (a
// head grant), with a reason, at most ExtensionDays working days, decided
// while the limit still runs; the requester is told.
func (s *Service) Extend(ctx context.Context, a org.Actor, no string, days int, reason string) (*Request, error) {
	return s.step(ctx, a, no, disclosure.Head, []string{Open, Consulting}, func(st *stepCtx) error {
		f := apperr.Fields{}
		reason = f.Para("reason", reason, true, MaxText)
		if days < 1 || days > disclosure.ExtensionDays {
			f.Add("days", "disclosure_req.error.extension_days", "Max", disclosure.ExtensionDays)
		}
		if err := f.Err(); err != nil {
			return err
		}
		if st.r.ExtensionDays > 0 {
			return apperr.New(apperr.Conflict, "disclosure_req.error.extension_once")
		}
		if st.today.After(*st.r.DueOn) {
			return apperr.New(apperr.Conflict, "disclosure_req.error.extension_late", "Due", st.r.DueOn.String())
		}
		st.r.ExtensionDays = days
		st.recompute()
		if err := st.event(EvExtended, reason, map[string]any{"days": days, "due_on": st.r.DueOn.String()}); err != nil {
			return err
		}
		return st.tell("notify.disclosure.extended", map[string]any{"Days": days})
	})
}
