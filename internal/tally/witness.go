package tally

import (
	"context"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/store"
)

// Witness keeps the running totals in step with the cases: the case
// engine calls it inside every transition's transaction (cases.Witness),
// so a fact and its count commit together or not at all, and a lost race
// or a refused action counts nothing.
//
// What each figure counts, keyed by the Shanghai calendar day of the fact
// and the case's department and centre:
//   - received, received_online: a case submitted (online: channel
//     "online"), on the day of receipt;
//   - accepted, deemed_accepted: accepted_at set (by acceptance or deemed
//     acceptance, 行政许可法 Art. 32), on the day it is set to: a deemed
//     acceptance counts on the day of receipt, as the law deems it;
//   - deemed_approved: a deemed approval (超时默认, the county's per-item
//     policy; DOMAIN.md §2), on the day of the decision;
//   - completed (办结) with on_time or overdue, used_days, promised_days:
//     completed_at set, i.e. the "complete" action after an approval or a
//     refusal, or the acceptance of an item decided on the spot; a case
//     approved or refused but not yet completed, declined or withdrawn is
//     not completed. On time is the inbox's rule (clock.Stand): decided on
//     or before the promised deadline. used_days is the clock's UsedDays at
//     the decision (working days after acceptance, pauses excluded);
//     promised_days the item's promise, without extensions.
type Witness struct{}

// Witness implements cases.Witness.
func (Witness) Witness(ctx context.Context, q store.Querier, ch cases.Change) error {
	for _, f := range Facts(ch.Case, ch.Before, ch.Action(), ch.Calendar) {
		if err := Add(ctx, q, f.Key, f.Add); err != nil {
			return err
		}
	}
	return nil
}

// Fact is one row's additions from a transition.
type Fact struct {
	Key Key
	Add map[Column]int
}

// Facts are what a transition of c (its recorded columns before, the
// action taken) adds to the totals. A fact is counted when its column
// goes from unset to set, never on a later transition, so each is
// counted once however many events follow.
func Facts(c *cases.Case, before cases.RowFacts, action string, cal *calendar.Calendar) []Fact {
	var out []Fact
	add := func(day calendar.Date, figs map[Column]int) {
		out = append(out, Fact{Key: Key{Day: day, DepartmentID: c.DepartmentID, CentreID: c.CentreID}, Add: figs})
	}
	if before.Field("received_at") == "" {
		figs := map[Column]int{Received: 1}
		if c.Channel == "online" {
			figs[ReceivedOnline] = 1
		}
		add(clock.Today(c.ReceivedAt), figs)
	}
	if before.Field("accepted_at") == "" && c.AcceptedAt != nil {
		figs := map[Column]int{Accepted: 1}
		if action == cases.ActDeemAccept {
			figs[DeemedAccepted] = 1
		}
		add(clock.Today(*c.AcceptedAt), figs)
	}
	if before.Field("deemed") == "" && c.Deemed && c.DecidedAt != nil {
		add(clock.Today(*c.DecidedAt), map[Column]int{DeemedApproved: 1})
	}
	if before.Field("completed_at") == "" && c.CompletedAt != nil {
		figs := map[Column]int{Completed: 1, PromisedDays: c.PromisedDays}
		if Late(c, cal) {
			figs[Overdue] = 1
		} else {
			figs[OnTime] = 1
		}
		if c.Clock != nil {
			figs[UsedDays] = c.Clock.UsedDays
		}
		add(clock.Today(*c.CompletedAt), figs)
	}
	return out
}

// Late is the inbox's "decided late" (clock.Stand): the decision day after
// the promised deadline. A case completed without a recorded deadline or
// decision (none exists in the engine) counts as on time.
func Late(c *cases.Case, cal *calendar.Calendar) bool {
	if c.Deadline == nil || c.DecidedAt == nil {
		return false
	}
	d := clock.Today(*c.DecidedAt)
	return clock.Stand(cal, *c.Deadline, &d, d, clock.DefaultLightRule).Late
}
