// Package anomaly is supervision's early warning and correction (预警纠错,
// docs/DOMAIN.md §6): a catalogue of rules, each a pure function over one
// case transition, raised durably and never twice for the same fact.
//
// The same rule functions serve three paths: the case engine's witness
// (the transition's own transaction), the periodic scan of open cases (the
// lights change with time, not with events), and a replay of the stored
// record (events written by the bulk generator, a restore or a direct write
// never passed the engine's checks). UNIQUE (case_id, rule, fact_key) makes
// all three idempotent together.
package anomaly

import (
	"fmt"
	"slices"
	"strconv"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/org"
)

// Severity is how grave an anomaly is; the escalation of docs/DOMAIN.md §6:
// a reminder (提醒), a yellow card (黄牌), a red card (红牌).
type Severity string

// Severities, mildest first.
const (
	Info    Severity = "info"
	Warning Severity = "warning"
	Serious Severity = "serious"
)

// Severities lists them in order.
var Severities = []Severity{Info, Warning, Serious}

// Group is the kind of anomaly docs/DOMAIN.md §6 names: time, procedure, fee.
type Group string

// Groups.
const (
	Time      Group = "time"
	Procedure Group = "procedure"
	Fee       Group = "fee"
)

// Rule is one rule of the catalogue. Its explanation is translated
// (anomalies.rule.<code> in the locale files).
type Rule struct {
	Code     string
	Group    Group
	Severity Severity // as seeded; the table's value is the one used
	// Threshold is the default of a configurable number (0: the rule has
	// none); Min and Max bound what the supervisor may set.
	Threshold, Min, Max int
	// Swept: the light rules, which time raises (the minute's sweep), not
	// only an action.
	Swept bool
	check func(in Input, cfg Config) []Finding
}

// BySweep reports whether the rule code is one the light sweep raises.
func BySweep(code string) bool {
	for _, r := range Catalogue {
		if r.Code == code {
			return r.Swept
		}
	}
	return false
}

// HasThreshold reports whether the supervisor sets a number for the rule.
func (r Rule) HasThreshold() bool { return r.Threshold != 0 }

// Finding is one fact a rule found: the fact key (unique per case and
// rule), the event seqs that raised it and what the reader needs to judge.
type Finding struct {
	Rule   string
	Fact   string
	Events []int
	Detail map[string]any
}

// Catalogue is every rule, in display order. Codes are stable (stored).
var Catalogue = []Rule{
	{Code: "T01", Group: Time, Severity: Info, Swept: true, check: yellowLight},
	{Code: "T02", Group: Time, Severity: Warning, Swept: true, check: redLight},
	{Code: "T03", Group: Time, Severity: Serious, Swept: true, check: pastStatutory},
	{Code: "T04", Group: Time, Severity: Warning, check: deemed(cases.ActDeemAccept)},
	{Code: "T05", Group: Time, Severity: Warning, check: deemed(cases.ActDeemApprove)},
	{Code: "T06", Group: Time, Severity: Warning, Threshold: cases.NoticeDays, Min: 1, Max: 60, check: lateAcceptance},
	{Code: "P01", Group: Procedure, Severity: Warning, check: supplementUnchanged},
	{Code: "P02", Group: Procedure, Severity: Serious, check: wrongActor},
	{Code: "P03", Group: Procedure, Severity: Serious, check: outOfOrder},
	{Code: "P04", Group: Procedure, Severity: Serious, check: decisionWithoutReview},
	{Code: "P05", Group: Procedure, Severity: Serious, check: changedAfterCompletion},
	{Code: "P06", Group: Procedure, Severity: Warning, check: pauseWithoutGrounds},
	{Code: "P07", Group: Procedure, Severity: Warning, check: modeBroken(cases.ActTerminate)},
	{Code: "P08", Group: Procedure, Severity: Serious, check: modeBroken(cases.ActRevoke)},
	{Code: "F01", Group: Fee, Severity: Warning, check: feeOffStandard},
	{Code: "F02", Group: Fee, Severity: Serious, check: feeOnFreeItem},
}

// RuleOf returns the catalogue's rule with the code.
func RuleOf(code string) (Rule, bool) {
	i := slices.IndexFunc(Catalogue, func(r Rule) bool { return r.Code == code })
	if i < 0 {
		return Rule{}, false
	}
	return Catalogue[i], true
}

// Config is a rule as the supervisor set it.
type Config struct {
	Code      string   `json:"code"`
	Enabled   bool     `json:"enabled"`
	Threshold int      `json:"threshold,omitempty"`
	Severity  Severity `json:"severity"`
}

// Evaluate applies every enabled rule to one transition. It is pure: the
// witness, the scan and the replay all call it with what they know.
func Evaluate(in Input, cfgs map[string]Config) []Finding { return evaluate(in, cfgs, "") }

// evaluate applies the enabled rules of one group ("": every group).
func evaluate(in Input, cfgs map[string]Config, group Group) []Finding {
	var out []Finding
	for _, r := range Catalogue {
		cfg, ok := cfgs[r.Code]
		if !ok || !cfg.Enabled || (group != "" && r.Group != group) {
			continue
		}
		for _, f := range r.check(in, cfg) {
			f.Rule = r.Code
			out = append(out, f)
		}
	}
	return out
}

func one(fact string, events []int, detail map[string]any) []Finding {
	return []Finding{{Fact: fact, Events: events, Detail: detail}}
}

// ---- time ----

// lit reports whether the case after the transition has a live clock the
// lights apply to: accepted, and not closed without a decision (a
// withdrawn case is nobody's delay). A decided case's clock stopped at the
// decision (cases.Clock), so a late decision is still red.
func lit(in Input) *clock.Status {
	c := in.Case
	if c == nil || c.AcceptedAt == nil || c.Clock == nil || (c.ClosedAt != nil && c.DecidedAt == nil) {
		return nil
	}
	return c.Clock
}

// yellowLight: the promised deadline is near (clock.LightRule, the
// engine's own light). Only while undecided: deciding on the last day is on
// time.
func yellowLight(in Input, _ Config) []Finding {
	st := lit(in)
	if st == nil || in.Case.DecidedAt != nil || st.Light != clock.Yellow {
		return nil
	}
	return one(st.PromisedDeadline.String(), in.seqs(), map[string]any{"deadline": st.PromisedDeadline.String(), "left_days": st.LeftDays})
}

// redLight: past the promised deadline (承诺时限) and not decided by then.
// The fact is the deadline: an extension gives a new deadline, and missing
// that one is a new fact.
func redLight(in Input, _ Config) []Finding {
	st := lit(in)
	if st == nil || st.Light != clock.Red {
		return nil
	}
	return one(st.PromisedDeadline.String(), in.seqs(), map[string]any{"deadline": st.PromisedDeadline.String(), "as_of": st.AsOf.String()})
}

// pastStatutory: past the statutory limit (行政许可法 Art. 42: 20 working
// days, plus the one extension).
func pastStatutory(in Input, _ Config) []Finding {
	st := lit(in)
	if st == nil || !st.AsOf.After(st.StatutoryDeadline) {
		return nil
	}
	return one(st.StatutoryDeadline.String(), in.seqs(), map[string]any{"statutory_deadline": st.StatutoryDeadline.String(), "as_of": st.AsOf.String()})
}

// deemed: the system accepted (Art. 32: no notice within five working
// days) or approved (the item's local 超时默认 rule) because the department
// did not act in time. A case is deemed accepted or approved once, so the
// action is the fact.
func deemed(act string) func(Input, Config) []Finding {
	return func(in Input, _ Config) []Finding {
		if in.Event.Action != act {
			return nil
		}
		return one(act, []int{in.Event.Seq}, nil)
	}
}

// lateAcceptance: the clerk accepted more than N working days after the
// materials came (the last submission or resubmission: days the applicant
// spent on a supplement are not the department's). The engine allows it
// (the deemed acceptance sweep may not have run yet, or the county's
// threshold is stricter than the law's five days).
func lateAcceptance(in Input, cfg Config) []Finding {
	if in.Event.Action != cases.ActAccept || in.Prior.ReceiptSeq == 0 {
		return nil
	}
	days := in.Calendar.WorkingDaysBetween(clock.Today(in.Prior.ReceiptAt), clock.Today(in.Event.At))
	if days <= cfg.Threshold {
		return nil
	}
	return one(cases.ActAccept, []int{in.Prior.ReceiptSeq, in.Event.Seq}, map[string]any{"days": days, "threshold": cfg.Threshold})
}

// ---- procedure ----

// supplementUnchanged: a second (or later) supplement notice names a
// material the applicant has not changed since the previous notice — the
// one-time notice (一次告知, Art. 32) broken. The engine refuses it
// (case.second_notice_unchanged), so only a record written another way
// shows it.
func supplementUnchanged(in Input, _ Config) []Finding {
	if in.Event.Action != cases.ActSupplement || in.Prior.SupplementSeq == 0 {
		return nil
	}
	var p struct {
		Materials []struct {
			Seq  int    `json:"seq"`
			Name string `json:"name"`
		} `json:"materials"`
	}
	_ = jsonUnmarshal(in.Event.Payload, &p)
	var names []string
	for _, m := range p.Materials {
		if !in.Prior.Changed[m.Seq] {
			names = append(names, m.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return one(strconv.Itoa(in.Event.Seq), []int{in.Prior.SupplementSeq, in.Event.Seq}, map[string]any{"materials": names})
}

// check asks the case rules (cases.Check, the one table of who may do
// what) whether the recorded actor could take the action on the case as it
// stood. The engine runs the same check before every action, so on the
// live path it passes; a record written another way may not.
func (in Input) check() error {
	if in.Before == nil || in.Event.Action == cases.ActSubmit {
		return nil
	}
	return cases.Check(in.Before, in.Actor, cases.Action(in.Event.Action))
}

// closedBefore: the case was completed or closed before this event.
func (in Input) closedBefore() bool {
	return in.Before != nil && (in.Before.CompletedAt != nil || in.Before.ClosedAt != nil)
}

// wrongActor: a role or person the case rules do not allow took the step
// (not the step's role, another department or centre, not the named A
// person or their cover). Extensions and suspensions are P06's: a missing
// sign-off is its fact.
func wrongActor(in Input, _ Config) []Finding {
	switch in.Event.Action {
	case cases.ActExtend, cases.ActSuspend:
		return nil
	}
	err := in.check()
	if err == nil || !apperr.Is(err, apperr.Forbidden) {
		return nil
	}
	return one(strconv.Itoa(in.Event.Seq), []int{in.Event.Seq}, in.refusal(err))
}

// outOfOrder: the case's state did not allow the action (approved before
// acceptance, decided at a step that is not the decision step, a second
// extension …). On a completed case it is P05's fact instead.
func outOfOrder(in Input, _ Config) []Finding {
	err := in.check()
	if err == nil || apperr.Is(err, apperr.Forbidden) || in.closedBefore() {
		return nil
	}
	return one(strconv.Itoa(in.Event.Seq), []int{in.Event.Seq}, in.refusal(err))
}

// changedAfterCompletion: an event the rules do not allow on a case
// already completed or closed (delivering a completed case is allowed).
func changedAfterCompletion(in Input, _ Config) []Finding {
	if !in.closedBefore() || in.check() == nil {
		return nil
	}
	return one(strconv.Itoa(in.Event.Seq), []int{in.Event.Seq}, map[string]any{"state": in.Before.State, "action": in.Event.Action})
}

func (in Input) refusal(err error) map[string]any {
	d := map[string]any{"action": in.Event.Action, "role": in.Event.Role}
	if ae := apperr.As(err); ae != nil {
		d["refusal"] = ae.Msg.Key
	}
	return d
}

// decisionWithoutReview: approved or refused without every review step
// before the decision step (一审 before 一核): fewer forwards than the
// item's template needs. Deemed approvals say so themselves (T05);
// immediate items are decided on acceptance.
func decisionWithoutReview(in Input, _ Config) []Finding {
	act := in.Event.Action
	if (act != cases.ActApprove && act != cases.ActRefuse) || in.Case == nil || in.Case.Item == nil || cases.DecidedOnAcceptance(in.Case.Item) {
		return nil
	}
	steps := in.Case.Item.Steps
	need := 0
	for i := cases.NextReviewStep(steps, 0); i >= 0 && i < cases.DecisionStep(steps); i = cases.NextReviewStep(steps, i) {
		need++
	}
	if in.Prior.Forwards >= need {
		return nil
	}
	return one(strconv.Itoa(in.Event.Seq), []int{in.Event.Seq}, map[string]any{"forwards": in.Prior.Forwards, "required": need})
}

// pauseWithoutGrounds: an extension without a reason or without the
// approver's sign-off, or beyond the law's ten days (Art. 42); a
// suspension without one of the special procedures of Art. 45, without
// its expected length, or not by a reviewer or approver of the department.
// The engine refuses all of these; the record may still hold them.
func pauseWithoutGrounds(in Input, _ Config) []Finding {
	var p struct {
		Reason       string `json:"reason"`
		Days         int    `json:"days"`
		PauseReason  string `json:"pause_reason"`
		ExpectedDays int    `json:"expected_days"`
	}
	_ = jsonUnmarshal(in.Event.Payload, &p)
	s := in.Actor.Staff
	ofDept := s != nil && in.Case != nil && s.DepartmentID == in.Case.DepartmentID
	var missing []string
	switch in.Event.Action {
	case cases.ActExtend:
		if p.Reason == "" {
			missing = append(missing, "reason")
		}
		if !ofDept || s.Role != org.Approver {
			missing = append(missing, "sign_off")
		}
		if p.Days < 1 || p.Days > cases.MaxExtension {
			missing = append(missing, "days")
		}
	case cases.ActSuspend:
		if !slices.Contains(cases.PauseReasons, p.PauseReason) {
			missing = append(missing, "reason")
		}
		if p.ExpectedDays < 1 {
			missing = append(missing, "expected_days")
		}
		if !ofDept || (s.Role != org.Reviewer && s.Role != org.Approver) {
			missing = append(missing, "sign_off")
		}
	default:
		return nil
	}
	if len(missing) == 0 {
		return nil
	}
	return one(strconv.Itoa(in.Event.Seq), []int{in.Event.Seq}, map[string]any{"action": in.Event.Action, "missing": missing})
}

// ---- fees ----

// feeChanged: the transition set the case's fee (its submission, or any
// event that recorded a new amount).
func (in Input) feeChanged() bool {
	if in.Case == nil || in.Case.Item == nil {
		return false
	}
	return in.Event.Action == cases.ActSubmit || in.Before == nil || in.Before.FeesFen != in.Case.FeesFen
}

// feeOffStandard: the amount on the case differs from the item version's
// catalogue standard (收费标准). The engine copies the standard at
// submission (cases.fees_fen), so only a record written another way, or a
// later fee collection, can differ; the catalogue's version never changes
// under a case.
func feeOffStandard(in Input, _ Config) []Finding {
	if !in.feeChanged() || in.Case.Item.Free() || in.Case.FeesFen == in.Case.Item.TotalFeeFen() {
		return nil
	}
	return one(fmt.Sprint("fen:", in.Case.FeesFen), in.seqs(), map[string]any{"fees_fen": in.Case.FeesFen, "standard_fen": in.Case.Item.TotalFeeFen()})
}

// feeOnFreeItem: anything charged on an item the catalogue says is free
// (不收费).
func feeOnFreeItem(in Input, _ Config) []Finding {
	if !in.feeChanged() || !in.Case.Item.Free() || in.Case.FeesFen == 0 {
		return nil
	}
	return one(fmt.Sprint("fen:", in.Case.FeesFen), in.seqs(), map[string]any{"fees_fen": in.Case.FeesFen})
}
