package cases

import (
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/catalogue"
	"onestop/internal/clock"
	"onestop/internal/org"
)

// The case rules, once: the states and actions, who may take which action
// on which case (Check, Allowed), what an action does to a case (Apply),
// the decision step and the legal texts. Everything here is pure: the
// engine reads the facts and persists the result, the case page asks which
// forms to offer, and the bulk generator asks the same questions, so a rule
// changed here changes all three.

// State is where a case stands. The constants stay untyped so the case
// row, the API and the templates keep plain strings.
type State string

// States of a case.
const (
	Received   = "received"    // 收件: materials received, acceptance not decided
	Supplement = "supplement"  // 补正: a one-time supplement notice is out
	InProgress = "in_progress" // 受理后审查中 (一审、一核 …)
	Approved   = "approved"    // 准予
	Refused    = "refused"     // 不予许可
	Completed  = "completed"   // 办结
	Delivered  = "delivered"   // 送达
	Declined   = "declined"    // 不予受理
	Withdrawn  = "withdrawn"   // 撤回
	// Terminated: the procedure ended by rule, not by anyone's choice — a
	// promise to supply missing materials (容缺受理) not kept in time, or a
	// bundle whose refused part ends the rest (all-or-nothing). 行政许可法
	// has no word for it; local 容缺 rules say the application "终止办理".
	Terminated = "terminated" // 终止
)

// States lists every state, open ones first.
var States = []State{Received, Supplement, InProgress, Approved, Refused, Completed, Delivered, Declined, Withdrawn, Terminated}

// Action is what someone does to a case.
type Action string

// Actions.
const (
	ActSubmit      = "submit"
	ActAccept      = "accept"
	ActDecline     = "decline"
	ActSupplement  = "supplement"
	ActResubmit    = "resubmit"
	ActForward     = "forward"
	ActApprove     = "approve"
	ActRefuse      = "refuse"
	ActSuspend     = "suspend"
	ActResume      = "resume"
	ActExtend      = "extend"
	ActComplete    = "complete"
	ActDeliver     = "deliver"
	ActWithdraw    = "withdraw"
	ActDeemAccept  = "deemed_accept"
	ActDeemApprove = "deemed_approve"
	ActTerminate   = "terminate"
)

// RemedyText states the right to administrative review or litigation, which
// a refusal and a non-acceptance must carry (行政许可法 Art. 38; 行政复议法
// Art. 20 gives 60 days, 行政诉讼法 Art. 46 gives six months).
const RemedyText = "申请人如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。"

// DeemedAcceptRule is the rule a deemed acceptance cites (Art. 32).
const DeemedAcceptRule = "《中华人民共和国行政许可法》第三十二条：逾期不告知的，自收到申请材料之日起即为受理"

// rule is one action's check: whether the case's state allows it, then
// whether this actor may take it, then anything else about the case. The
// order fixes which refusal a person sees.
type rule func(c *Case, a Actor) error

// rules is the one table of who may do what.
var rules = map[Action]rule{
	ActAccept: func(c *Case, a Actor) error {
		return all(inState(c, ActAccept, Received), clerkHere(c, a))
	},
	ActDeemAccept: func(c *Case, a Actor) error {
		return all(inState(c, ActDeemAccept, Received), system(a))
	},
	ActDecline: func(c *Case, a Actor) error {
		return all(inState(c, ActDecline, Received, Supplement), clerkHere(c, a))
	},
	ActSupplement: func(c *Case, a Actor) error {
		return all(inState(c, ActSupplement, Received), clerkHere(c, a))
	},
	ActResubmit: func(c *Case, a Actor) error {
		return all(inState(c, ActResubmit, Supplement), applicantOrClerk(c, a))
	},
	ActForward: func(c *Case, a Actor) error {
		return all(inState(c, ActForward, InProgress), stepHolder(c, a), notPaused(c), func() error {
			if NextReviewStep(c.steps(), c.Step) < 0 || IsDecisionStep(c) {
				return refuse("case.decide_here")
			}
			return nil
		})
	},
	ActApprove: decide(ActApprove),
	ActRefuse:  decide(ActRefuse),
	ActDeemApprove: func(c *Case, a Actor) error {
		// Deemed approval is local policy per item (docs/DOMAIN.md §3): only
		// for items that allow it, only while the clock runs, only once
		// the promised deadline has passed.
		return all(system(a), func() error {
			if c.State != InProgress || !c.DeemedAllowed || c.Paused {
				return wrongState(ActDeemApprove, c)
			}
			return nil
		}, func() error {
			if c.Light != clock.Red {
				return refuse("case.not_overdue")
			}
			return nil
		})
	},
	ActSuspend: func(c *Case, a Actor) error {
		return all(inState(c, ActSuspend, InProgress), reviewRole(c, a), func() error {
			if c.Paused {
				return refuse("case.already_paused")
			}
			return nil
		})
	},
	ActResume: func(c *Case, a Actor) error {
		return all(func() error {
			if c.State != InProgress || !c.Paused {
				return refuse("case.not_paused")
			}
			return nil
		}, reviewRole(c, a))
	},
	// The one extension the law allows, signed off by the approver
	// (Art. 42).
	ActExtend: func(c *Case, a Actor) error {
		return all(inState(c, ActExtend, InProgress), func() error {
			if s := a.Staff; s == nil || s.Role != org.Approver || s.DepartmentID != c.DepartmentID {
				return forbidden()
			}
			return nil
		}, func() error {
			if c.ExtensionDays > 0 {
				return refuse("case.already_extended")
			}
			return nil
		})
	},
	ActComplete: func(c *Case, a Actor) error {
		return all(inState(c, ActComplete, Approved, Refused), issuer(c, a))
	},
	// The result is handed over where the applicant collects it: for a
	// township case, the township's window, not the county's, unless the
	// applicant chose the county hall (docs/DOMAIN.md §17; delivery within
	// ten days of the decision, 行政许可法 Art. 44).
	ActDeliver: func(c *Case, a Actor) error {
		return all(inState(c, ActDeliver, Completed), func() error {
			if !a.isClerkAt(c, c.pickupCentre()) {
				return forbidden()
			}
			return nil
		}, paidBeforeDelivery(c))
	},
	// The applicant takes the application back (or a clerk records that
	// they did at the window) before a decision.
	ActWithdraw: func(c *Case, a Actor) error {
		return all(inState(c, ActWithdraw, Received, Supplement, InProgress), applicantOrClerk(c, a))
	},
	// Only the engine ends a case by rule (a missed supply deadline, a
	// bundle's refusal): nobody may end another's application by hand
	// without a decision the law names.
	ActTerminate: func(c *Case, a Actor) error {
		return all(inState(c, ActTerminate, Received, Supplement, InProgress), system(a))
	},
}

// decide: approve or refuse, by the step's holder at the decision step
// (一核), while the clock runs.
func decide(act Action) rule {
	return func(c *Case, a Actor) error {
		return all(inState(c, act, InProgress), stepHolder(c, a), func() error {
			if !IsDecisionStep(c) {
				return refuse("case.not_decision_step")
			}
			return nil
		}, notPaused(c))
	}
}

// Actions lists every action the table knows, in the order a case meets
// them.
func Actions() []Action {
	return []Action{ActAccept, ActDeemAccept, ActSupplement, ActResubmit, ActDecline, ActForward, ActApprove, ActRefuse, ActDeemApprove,
		ActSuspend, ActResume, ActExtend, ActComplete, ActDeliver, ActWithdraw, ActTerminate}
}

// Check says why the actor may not take the action on the case as it
// stands, or nil. It reads only the case (including its A/B cover facts,
// AssigneeAbsent, AssigneeBackupID and AssigneeUncovered) and the actor.
// Visibility (Actor.sees) is checked before, by whoever read the case.
func Check(c *Case, a Actor, act Action) error {
	r, ok := rules[act]
	if !ok {
		return apperr.New(apperr.NotFound, "case.unknown_action", "Action", string(act))
	}
	return r(c, a)
}

// Allowed reports whether the actor may take the action now.
func Allowed(c *Case, a Actor, act Action) bool { return Check(c, a, act) == nil }

// all runs the checks in order and returns the first refusal.
func all(checks ...func() error) error {
	for _, f := range checks {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

func inState(c *Case, act Action, states ...State) func() error {
	return func() error {
		for _, s := range states {
			if State(c.State) == s {
				return nil
			}
		}
		return wrongState(act, c)
	}
}

func notPaused(c *Case) func() error {
	return func() error {
		if c.Paused {
			return refuse("case.paused")
		}
		return nil
	}
}

func system(a Actor) func() error {
	return func() error {
		if !a.System {
			return forbidden()
		}
		return nil
	}
}

func clerkHere(c *Case, a Actor) func() error {
	return func() error {
		if !a.isClerkHere(c) {
			return forbidden()
		}
		return nil
	}
}

// issuer: who completes the case (办结), issuing the result. A case a
// township centre accepted for a county department (代办, docs/DOMAIN.md
// §5) is decided by that department, so the department's window at the
// county hall completes it and the result travels back to the pick-up
// centre; any other case is completed by the window that accepted it.
func issuer(c *Case, a Actor) func() error {
	return func() error {
		if AcceptedAway(c) {
			if !a.isCountyWindow(c) {
				return forbidden()
			}
			return nil
		}
		if !a.isClerkHere(c) {
			return forbidden()
		}
		return nil
	}
}

// pickupCentre is where the result is collected: the accepting centre
// unless the applicant chose another.
func (c *Case) pickupCentre() int64 {
	if c.PickupCentreID != 0 {
		return c.PickupCentreID
	}
	return c.CentreID
}

// Travels reports whether the result moves between centres: accepted at a
// township for a county department, or collected elsewhere than where it
// was accepted. Its completion and delivery then name the pick-up centre.
func Travels(c *Case) bool { return AcceptedAway(c) || c.pickupCentre() != c.CentreID }

// AcceptedAway reports whether a centre other than a county hall (a
// township's or community's convenience centre) accepted the case.
func AcceptedAway(c *Case) bool { return c.CentreKind != "" && c.CentreKind != "hall" }

func applicantOrClerk(c *Case, a Actor) func() error {
	return func() error {
		if (a.ApplicantID != 0 && a.ApplicantID == c.ApplicantID) || a.isClerkHere(c) {
			return nil
		}
		return forbidden()
	}
}

// reviewRole: a reviewer or approver of the case's department (suspend
// and resume belong to the review, not to one step).
func reviewRole(c *Case, a Actor) func() error {
	return func() error {
		s := a.Staff
		if s == nil || s.DepartmentID != c.DepartmentID || (s.Role != org.Reviewer && s.Role != org.Approver) {
			return forbidden()
		}
		return nil
	}
}

// stepHolder: the step's A person acts; when A is away, their B (A/B
// cover, AB角); with no A named, anyone of the step's role in the
// department. With A and B both away, the department's chief
// representative (首席代表) acts, whatever the step's role, or, with that
// person away too, only whom the department admin assigned (DOMAIN.md §3;
// loadChiefCover reads who). The clock keeps running either way.
func stepHolder(c *Case, a Actor) func() error {
	return func() error {
		s := a.Staff
		if s == nil || s.DepartmentID != c.DepartmentID {
			return forbidden()
		}
		if c.AssigneeUncovered && c.CoverID != 0 && c.CoverID == s.StaffID {
			return nil
		}
		if string(s.Role) != c.StepRole {
			return forbidden()
		}
		if c.AssigneeID == 0 || c.AssigneeID == s.StaffID {
			return nil
		}
		if c.AssigneeAbsent && c.AssigneeBackupID != 0 && c.AssigneeBackupID == s.StaffID {
			return nil
		}
		return apperr.New(apperr.Forbidden, "case.assigned_to_other", "Name", c.Assignee)
	}
}

// NeedsCover reports whether checking the action needs the A/B cover facts
// (whether the assignee is away and who covers): only a step action by
// someone other than the assignee does, and when allowed it is taken for A.
func NeedsCover(c *Case, a Actor, act Action) bool {
	switch act {
	case ActForward, ActApprove, ActRefuse:
		return a.Staff != nil && c.AssigneeID != 0 && c.AssigneeID != a.Staff.StaffID
	}
	return false
}

// isClerkHere: the window clerk who may receive, accept, complete and
// deliver this case — of its department at its centre, or any clerk of
// the centre for a commissioning unit (委托受理).
func (a Actor) isClerkHere(c *Case) bool { return a.isClerkAt(c, c.CentreID) }

// isClerkAt: a window clerk at the given centre who serves the case's
// department (its own, or any for a commissioning unit).
func (a Actor) isClerkAt(c *Case, centreID int64) bool {
	s := a.Staff
	return s != nil && s.Role == org.Clerk && s.CentreID == centreID && (s.DepartmentID == c.DepartmentID || c.DepartmentMode == "commissioned" ||
		leadsBundle(c, s.DepartmentID))
}

// isCountyWindow: a window clerk of the case's department at a hall of the
// case's county (any hall clerk of that county for a commissioning unit):
// the department's own window, which completes the cases its townships
// accepted. The county test keeps another county's hall out in a province.
func (a Actor) isCountyWindow(c *Case) bool {
	s := a.Staff
	return s != nil && s.Role == org.Clerk && s.CentreKind == "hall" && s.County() != "" && strings.HasPrefix(c.RegionCode, s.County()) &&
		(s.DepartmentID == c.DepartmentID || c.DepartmentMode == "commissioned")
}

// leadsBundle: the lead department of a bundle receives and delivers for
// every part (one door in, one door out; docs/DOMAIN.md §21).
func leadsBundle(c *Case, dept int64) bool { return c.BundleLeadID != 0 && c.BundleLeadID == dept }

// wrongState refuses an action the case's state does not allow.
func wrongState(act Action, c *Case) error {
	return refuse("case.invalid_transition", "Action", "case.action."+string(act), "State", "case.state."+c.State)
}

func refuse(key string, kv ...any) error { return apperr.New(apperr.Conflict, key, kv...) }

func forbidden() error { return apperr.New(apperr.Forbidden, "case.not_your_step") }

// isReview: reviewers and approvers hold the review steps; the others
// (the window's receipt) are not steps a case waits in.
func isReview(s catalogue.Step) bool { return s.Role == "reviewer" || s.Role == "approver" }

// DecisionStep is the index of the last review step (reviewer or
// approver): the one whose holder approves or refuses. -1 when the
// template has none, and the case is decided on acceptance.
func DecisionStep(steps []catalogue.Step) int {
	for i := len(steps) - 1; i >= 0; i-- {
		if isReview(steps[i]) {
			return i
		}
	}
	return -1
}

// IsDecisionStep reports whether the case stands at its decision step.
func IsDecisionStep(c *Case) bool { return c.Step == DecisionStep(c.steps()) }

// DecidedOnAcceptance: an immediate item (即办件), or one without a review
// step, is accepted, approved and completed on the spot.
func DecidedOnAcceptance(it *catalogue.Item) bool { return it.Immediate || DecisionStep(it.Steps) < 0 }

// NextReviewStep is the first review step after i, or -1.
func NextReviewStep(steps []catalogue.Step, i int) int {
	for j := i + 1; j < len(steps); j++ {
		if isReview(steps[j]) {
			return j
		}
	}
	return -1
}

// NoticeDueAfter is the last day for the supplement notice: five working
// days after the day the materials came (that day is not counted,
// Art. 32).
func NoticeDueAfter(cal *calendar.Calendar, at time.Time) time.Time {
	d, _ := cal.Deadline(clock.Today(at), NoticeDays)
	return d.Time(time.UTC)
}

// Effect is what an action does beyond the case's own fields: the review
// step the case enters (the caller names its A person), and the documents
// issued and the messages sent to the applicant, in order.
type Effect struct {
	Enter int
	Docs  []string
	Msgs  []string
}

// Apply does to the case what an allowed action does: its state, step,
// dates, decision and clock pauses. The caller has checked the action
// (Check) and the input, and then persists the case, computes the clock
// and writes the event. now is the instant of the action.
func Apply(c *Case, act Action, in Input, now time.Time, cal *calendar.Calendar) Effect {
	e := Effect{Enter: -1}
	switch act {
	case ActAccept, ActDeemAccept:
		at := now
		e.Msgs = []string{"case.msg.accepted"}
		if act == ActDeemAccept {
			// Deemed accepted as of the day of receipt (Art. 32).
			at = c.ReceivedAt
			e.Msgs = []string{"case.msg.deemed_accepted"}
		}
		c.AcceptedAt, c.NoticeDue = &at, nil
		e.Docs = []string{"acceptance"}
		if DecidedOnAcceptance(c.Item) {
			c.DecidedAt, c.CompletedAt = c.AcceptedAt, c.AcceptedAt
			c.Decision, c.State, c.Step, c.StepRole, c.AssigneeID = "approved", Completed, len(c.steps()), "", 0
			e.Docs = append(e.Docs, "approval")
			break
		}
		c.State = InProgress
		e.Enter = NextReviewStep(c.steps(), 0)
	case ActDecline:
		c.State, c.ClosedAt, c.NoticeDue = Declined, &now, nil
		e.Docs, e.Msgs = []string{"non_acceptance"}, []string{"case.msg.declined"}
	case ActSupplement:
		c.State, c.NoticeDue = Supplement, nil
		e.Docs, e.Msgs = []string{"supplement"}, []string{"case.msg.supplement"}
	case ActResubmit:
		// Received anew: the five-day notice period starts again.
		due := NoticeDueAfter(cal, now)
		c.State, c.NoticeDue = Received, &due
	case ActForward:
		e.Enter = NextReviewStep(c.steps(), c.Step)
	case ActApprove, ActDeemApprove:
		c.Decision, c.State, c.DecidedAt, c.StepRole, c.AssigneeID = "approved", Approved, &now, "", 0
		c.Deemed = act == ActDeemApprove
		e.Docs, e.Msgs = []string{"approval"}, []string{"case.msg.approved"}
		if c.Deemed {
			e.Msgs = []string{"case.msg.deemed_approved"}
		}
	case ActRefuse:
		c.Decision, c.State, c.DecidedAt, c.StepRole, c.AssigneeID = "refused", Refused, &now, "", 0
		e.Docs, e.Msgs = []string{"refusal"}, []string{"case.msg.refused"}
	case ActSuspend:
		c.Pauses = append(c.Pauses, Pause{From: now, Reason: in.PauseReason, ExpectedDays: in.ExpectedDays})
		c.Paused = true
		e.Docs, e.Msgs = []string{"suspension"}, []string{"case.msg.suspended"}
	case ActResume:
		closePauses(c, now)
	case ActExtend:
		c.ExtensionDays = in.Days
		e.Docs, e.Msgs = []string{"extension"}, []string{"case.msg.extended"}
	case ActComplete:
		c.State, c.CompletedAt = Completed, &now
		e.Msgs = []string{"case.msg.completed"}
		if Travels(c) {
			// The notice names where to collect (docs/DOMAIN.md §17).
			e.Msgs = []string{"case.msg.ready_at"}
		}
	case ActDeliver:
		c.State, c.Delivery, c.DeliveredAt, c.ClosedAt = Delivered, in.Delivery, &now, &now
		e.Msgs = []string{"case.msg.delivered"}
	case ActWithdraw:
		c.State, c.ClosedAt, c.NoticeDue, c.StepRole, c.AssigneeID = Withdrawn, &now, nil, "", 0
		if c.Paused {
			closePauses(c, now)
		}
		e.Msgs = []string{"case.msg.withdrawn"}
	case ActTerminate:
		c.State, c.ClosedAt, c.NoticeDue, c.StepRole, c.AssigneeID = Terminated, &now, nil, "", 0
		if c.Paused {
			closePauses(c, now)
		}
		e.Msgs = []string{"case.msg.terminated"}
	}
	return e
}

// EnterStep moves the case to review step i with the given A person (0:
// nobody named, so anyone of the step's role may act).
func EnterStep(c *Case, i int, assignee int64) {
	c.Step, c.StepRole, c.AssigneeID = i, c.steps()[i].Role, assignee
}

func closePauses(c *Case, now time.Time) {
	for i := range c.Pauses {
		if c.Pauses[i].To == nil {
			c.Pauses[i].To = &now
		}
	}
	c.Paused = false
}
