package cases_test

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/clock"
	"onestop/internal/org"
)

// The case's department is 10 at centre 1, applied for by applicant 7; the
// review step's A is reviewer 21, the decision step's A approver 31.
const (
	dept, otherDept     = 10, 20
	centre, otherCentre = 1, 2
	applicantID         = 7
	reviewerID          = 21
	approverID          = 31
)

// ruleActors are every kind of person who might try an action.
func ruleActors() map[string]cases.Actor {
	staff := func(id int64, role org.Role, c, d int64) cases.Actor {
		return cases.StaffActor(org.Actor{StaffID: id, Name: string(role), Role: role, CentreID: c, DepartmentID: d})
	}
	return map[string]cases.Actor{
		"clerk":              staff(11, org.Clerk, centre, dept),
		"clerk_other_dept":   staff(12, org.Clerk, centre, otherDept),
		"clerk_other_centre": staff(13, org.Clerk, otherCentre, dept),
		"reviewer":           staff(reviewerID, org.Reviewer, 0, dept),
		"approver":           staff(approverID, org.Approver, 0, dept),
		"reviewer_other":     staff(22, org.Reviewer, 0, otherDept),
		"approver_other":     staff(32, org.Approver, 0, otherDept),
		"dept_admin":         staff(41, org.DeptAdmin, 0, dept),
		"centre_admin":       staff(51, org.CentreAdmin, centre, 0),
		"supervisor":         staff(61, org.Supervisor, 0, 0),
		"leader":             staff(71, org.Leader, 0, 0),
		"applicant":          {ApplicantID: applicantID, ApplicantName: "王小明"},
		"other_applicant":    {ApplicantID: applicantID + 1, ApplicantName: "李四"},
		"system":             cases.SystemActor,
	}
}

func ruleItem() *catalogue.Item {
	return &catalogue.Item{Code: "T-001", Content: catalogue.Content{PromisedDays: 5, StatutoryDays: 20, Steps: catalogue.DefaultSteps(5)}}
}

// situation builds a case in a state; mod sets what else it needs.
func situation(state string, mod func(c *cases.Case)) *cases.Case {
	acc := time.Date(2026, 9, 28, 2, 0, 0, 0, time.UTC)
	c := &cases.Case{No: "YZ202609280001", State: state, DepartmentID: dept, CentreID: centre, ApplicantID: applicantID, Item: ruleItem(),
		ReceivedAt: acc, PromisedDays: 5, StatutoryDays: 20}
	if state != cases.Received && state != cases.Supplement {
		c.AcceptedAt = &acc
	}
	if mod != nil {
		mod(c)
	}
	return c
}

func atReview(c *cases.Case)   { c.Step, c.StepRole, c.AssigneeID = 1, "reviewer", reviewerID }
func atDecision(c *cases.Case) { c.Step, c.StepRole, c.AssigneeID = 2, "approver", approverID }
func closed(c *cases.Case)     { t := c.ReceivedAt.Add(time.Hour); c.ClosedAt = &t }

// TestRuleTable walks every situation × action × actor through the one
// table and compares with the answers the law and the hall's practice
// give: an action not listed for a situation is allowed to nobody.
func TestRuleTable(t *testing.T) {
	both := []string{"clerk", "applicant"}
	review := []string{"reviewer", "approver"}
	sys := []string{"system"}
	tests := []struct {
		name    string
		c       *cases.Case
		allowed map[cases.Action][]string
	}{
		{"received", situation(cases.Received, nil), map[cases.Action][]string{
			cases.ActAccept: {"clerk"}, cases.ActSupplement: {"clerk"}, cases.ActDecline: {"clerk"}, cases.ActWithdraw: both,
			cases.ActDeemAccept: {"system"}, cases.ActTerminate: sys}},
		{"supplement", situation(cases.Supplement, nil), map[cases.Action][]string{
			cases.ActResubmit: both, cases.ActDecline: {"clerk"}, cases.ActWithdraw: both, cases.ActTerminate: sys}},
		{"review step", situation(cases.InProgress, atReview), map[cases.Action][]string{
			cases.ActForward: {"reviewer"}, cases.ActSuspend: review, cases.ActExtend: {"approver"}, cases.ActWithdraw: both, cases.ActTerminate: sys}},
		{"decision step", situation(cases.InProgress, atDecision), map[cases.Action][]string{
			cases.ActApprove: {"approver"}, cases.ActRefuse: {"approver"}, cases.ActSuspend: review, cases.ActExtend: {"approver"},
			cases.ActWithdraw: both, cases.ActTerminate: sys}},
		{"paused in review", situation(cases.InProgress, func(c *cases.Case) { atReview(c); c.Paused = true }), map[cases.Action][]string{
			cases.ActResume: review, cases.ActExtend: {"approver"}, cases.ActWithdraw: both, cases.ActTerminate: sys}},
		{"paused at decision", situation(cases.InProgress, func(c *cases.Case) { atDecision(c); c.Paused = true }), map[cases.Action][]string{
			cases.ActResume: review, cases.ActExtend: {"approver"}, cases.ActWithdraw: both, cases.ActTerminate: sys}},
		{"extended once", situation(cases.InProgress, func(c *cases.Case) { atDecision(c); c.ExtensionDays = 5 }), map[cases.Action][]string{
			cases.ActApprove: {"approver"}, cases.ActRefuse: {"approver"}, cases.ActSuspend: review, cases.ActWithdraw: both, cases.ActTerminate: sys}},
		{"overdue, deemed approval allowed", situation(cases.InProgress, func(c *cases.Case) {
			atDecision(c)
			c.DeemedAllowed, c.Light = true, clock.Red
		}), map[cases.Action][]string{
			cases.ActApprove: {"approver"}, cases.ActRefuse: {"approver"}, cases.ActSuspend: review, cases.ActExtend: {"approver"},
			cases.ActWithdraw: both, cases.ActDeemApprove: {"system"}, cases.ActTerminate: sys}},
		{"overdue, no deemed approval", situation(cases.InProgress, func(c *cases.Case) { atDecision(c); c.Light = clock.Red }), map[cases.Action][]string{
			cases.ActApprove: {"approver"}, cases.ActRefuse: {"approver"}, cases.ActSuspend: review, cases.ActExtend: {"approver"},
			cases.ActWithdraw: both, cases.ActTerminate: sys}},
		{"approved", situation(cases.Approved, nil), map[cases.Action][]string{cases.ActComplete: {"clerk"}}},
		{"refused", situation(cases.Refused, nil), map[cases.Action][]string{cases.ActComplete: {"clerk"}}},
		{"completed", situation(cases.Completed, nil), map[cases.Action][]string{cases.ActDeliver: {"clerk"}}},
		{"delivered", situation(cases.Delivered, closed), nil},
		{"declined", situation(cases.Declined, closed), nil},
		{"withdrawn", situation(cases.Withdrawn, closed), nil},
		{"terminated", situation(cases.Terminated, closed), nil},
		{"revoked", situation(cases.Revoked, closed), nil},
	}
	actors := ruleActors()
	names := make([]string, 0, len(actors))
	for n := range actors {
		names = append(names, n)
	}
	sort.Strings(names)
	seen := map[string]bool{}
	for _, tc := range tests {
		seen[tc.c.State] = true
		for _, act := range cases.Actions() {
			for _, who := range names {
				want := slices.Contains(tc.allowed[act], who)
				err := cases.Check(tc.c, actors[who], act)
				if got := err == nil; got != want {
					t.Errorf("%s: %s by %s: allowed %v, want %v (%v)", tc.name, act, who, got, want, err)
				}
				if got := cases.Allowed(tc.c, actors[who], act); got != (err == nil) {
					t.Errorf("%s: %s by %s: Allowed disagrees with Check", tc.name, act, who)
				}
				// A refusal is a conflict (the case is not there) or a
				// denial (not yours), never anything else.
				if err != nil {
					if code := apperr.As(err).Code; code != apperr.Conflict && code != apperr.Forbidden {
						t.Errorf("%s: %s by %s: %v", tc.name, act, who, err)
					}
				}
			}
		}
	}
	for _, s := range cases.States {
		if !seen[string(s)] {
			t.Errorf("state %s not walked", s)
		}
	}
	if len(cases.Actions()) != 16 {
		t.Errorf("the table has %d actions; every action a person or a sweep takes must be in it", len(cases.Actions()))
	}
}

// Known answers, said once more in the words of the hall.
func TestRuleKnownAnswers(t *testing.T) {
	a := ruleActors()
	received := situation(cases.Received, nil)
	if !cases.Allowed(received, a["clerk"], cases.ActAccept) {
		t.Error("the clerk of the case's department at its centre may not accept a received case")
	}
	if err := cases.Check(received, a["reviewer"], cases.ActAccept); apperr.As(err).Code != apperr.Forbidden {
		t.Errorf("a reviewer accepts: %v", err)
	}
	// The wrong state is a conflict naming action and state, whoever asks.
	err := cases.Check(situation(cases.Completed, nil), a["clerk"], cases.ActAccept)
	if ae := apperr.As(err); ae.Code != apperr.Conflict || ae.Msg.Key != "case.invalid_transition" {
		t.Errorf("accept on a completed case: %v", err)
	}
	if err := cases.Check(received, a["clerk"], cases.Action("nonsense")); apperr.As(err).Code != apperr.NotFound {
		t.Errorf("unknown action: %v", err)
	}
	// A paused case is not decided or passed on until resumed.
	paused := situation(cases.InProgress, func(c *cases.Case) { atDecision(c); c.Paused = true })
	if ae := apperr.As(cases.Check(paused, a["approver"], cases.ActApprove)); ae.Msg.Key != "case.paused" {
		t.Errorf("approve while paused: %v", ae)
	}
	// Not yet overdue: no deemed approval.
	early := situation(cases.InProgress, func(c *cases.Case) { atDecision(c); c.DeemedAllowed, c.Light = true, clock.Yellow })
	if ae := apperr.As(cases.Check(early, cases.SystemActor, cases.ActDeemApprove)); ae.Msg.Key != "case.not_overdue" {
		t.Errorf("deemed approval before the deadline: %v", ae)
	}
}

// A commissioning unit (委托受理) is served by every clerk of the centre;
// another department's case is not theirs.
func TestRuleCommissionedClerk(t *testing.T) {
	a := ruleActors()
	c := situation(cases.Received, nil)
	if cases.Allowed(c, a["clerk_other_dept"], cases.ActAccept) {
		t.Error("a clerk of another department accepts")
	}
	c.DepartmentMode = "commissioned"
	if !cases.Allowed(c, a["clerk_other_dept"], cases.ActAccept) {
		t.Error("a clerk of the centre may not accept for a commissioning unit")
	}
	if cases.Allowed(c, a["clerk_other_centre"], cases.ActAccept) {
		t.Error("a clerk of another centre accepts for a commissioning unit")
	}
}

// A/B cover (AB角): when A is away their B acts, and with no B at work
// the chief representative or whom the department admin assigned;
// otherwise only A.
func TestRuleCover(t *testing.T) {
	b := cases.StaffActor(org.Actor{StaffID: 23, Role: org.Reviewer, DepartmentID: dept})
	c := situation(cases.InProgress, atReview)
	c.Assignee = "张审查"
	err := cases.Check(c, b, cases.ActForward)
	if ae := apperr.As(err); ae.Code != apperr.Forbidden || ae.Msg.Key != "case.assigned_to_other" {
		t.Fatalf("another reviewer while A is at work: %v", err)
	}
	c.AssigneeBackupID = 23
	if cases.Allowed(c, b, cases.ActForward) {
		t.Error("B acts while A is at work")
	}
	c.AssigneeAbsent = true
	if !cases.Allowed(c, b, cases.ActForward) {
		t.Error("B may not act while A is away")
	}
	c.AssigneeBackupID, c.AssigneeUncovered = 24, false
	if cases.Allowed(c, b, cases.ActForward) {
		t.Error("someone other than B acts while B is at work")
	}
	c.AssigneeUncovered = true
	if cases.Allowed(c, b, cases.ActForward) {
		t.Error("with A and B away, a plain reviewer acts (the chief representative should)")
	}
	// The chief representative (an approver) acts on the review step;
	// with the chief away, whom the department admin assigned (DOMAIN.md §3).
	chief := cases.StaffActor(org.Actor{StaffID: 31, Role: org.Approver, DepartmentID: dept})
	c.CoverID = 31
	if !cases.Allowed(c, chief, cases.ActForward) || cases.Allowed(c, b, cases.ActForward) {
		t.Error("with A and B away, only the chief representative acts")
	}
	c.CoverID, c.CoverAssignedBy = 23, "部门管理员"
	if !cases.Allowed(c, b, cases.ActForward) || cases.Allowed(c, chief, cases.ActForward) {
		t.Error("with the chief away too, only the assigned reviewer acts")
	}
	if !cases.NeedsCover(c, b, cases.ActForward) || cases.NeedsCover(c, ruleActors()["reviewer"], cases.ActForward) {
		t.Error("cover facts are needed exactly when someone other than A acts on the step")
	}
}

// TestApply: what each action does to the case.
func TestApply(t *testing.T) {
	cal, err := calendar.New()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 9, 29, 3, 0, 0, 0, time.UTC)

	c := situation(cases.Received, nil)
	e := cases.Apply(c, cases.ActAccept, cases.Input{}, now, cal)
	if c.State != cases.InProgress || e.Enter != 1 || !c.AcceptedAt.Equal(now) || !slices.Equal(e.Docs, []string{"acceptance"}) {
		t.Errorf("accept: %s enter %d docs %v", c.State, e.Enter, e.Docs)
	}
	cases.EnterStep(c, e.Enter, reviewerID)
	if c.StepRole != "reviewer" || c.AssigneeID != reviewerID {
		t.Errorf("entered step: %s %d", c.StepRole, c.AssigneeID)
	}
	if e := cases.Apply(c, cases.ActForward, cases.Input{}, now, cal); e.Enter != 2 {
		t.Errorf("forward enters %d", e.Enter)
	}

	deemed := situation(cases.Received, nil)
	cases.Apply(deemed, cases.ActDeemAccept, cases.Input{}, now, cal)
	if !deemed.AcceptedAt.Equal(deemed.ReceivedAt) {
		t.Errorf("deemed acceptance dates from receipt (Art. 32), not %v", deemed.AcceptedAt)
	}

	// 即办件: accepted, approved and completed on the spot.
	imm := situation(cases.Received, func(c *cases.Case) { c.Item.Immediate, c.Item.Steps = true, catalogue.DefaultSteps(0) })
	e = cases.Apply(imm, cases.ActAccept, cases.Input{}, now, cal)
	if imm.State != cases.Completed || imm.Decision != "approved" || e.Enter != -1 || !slices.Equal(e.Docs, []string{"acceptance", "approval"}) {
		t.Errorf("immediate: %s %q enter %d docs %v", imm.State, imm.Decision, e.Enter, e.Docs)
	}

	d := situation(cases.InProgress, atDecision)
	e = cases.Apply(d, cases.ActDeemApprove, cases.Input{}, now, cal)
	if d.State != cases.Approved || !d.Deemed || d.AssigneeID != 0 || !slices.Equal(e.Msgs, []string{"case.msg.deemed_approved"}) {
		t.Errorf("deemed approval: %s deemed %v msgs %v", d.State, d.Deemed, e.Msgs)
	}

	p := situation(cases.InProgress, atReview)
	cases.Apply(p, cases.ActSuspend, cases.Input{PauseReason: "expert_review", ExpectedDays: 5}, now, cal)
	if !p.Paused || len(p.Pauses) != 1 || p.Pauses[0].To != nil {
		t.Fatalf("suspend: %+v", p.Pauses)
	}
	later := now.Add(48 * time.Hour)
	cases.Apply(p, cases.ActWithdraw, cases.Input{}, later, cal)
	if p.State != cases.Withdrawn || p.Paused || p.Pauses[0].To == nil || !p.Pauses[0].To.Equal(later) || p.ClosedAt == nil {
		t.Errorf("withdrawing a paused case closes the pause: %+v", p.Pauses)
	}

	s := situation(cases.Supplement, nil)
	cases.Apply(s, cases.ActResubmit, cases.Input{}, now, cal)
	// Tue 29 Sep 2026 + 5 working days, weekends only: 30 Sep, 1, 2, 5, 6 Oct.
	if s.State != cases.Received || s.NoticeDue == nil || s.NoticeDue.Format("2006-01-02") != "2026-10-06" {
		t.Errorf("resubmit: %s notice due %v", s.State, s.NoticeDue)
	}
}

// The remedy text names both remedies and their periods (行政复议法 Art. 20:
// sixty days; 行政诉讼法 Art. 46: six months).
func TestRemedyText(t *testing.T) {
	for _, want := range []string{"六十日内", "行政复议", "六个月内", "行政诉讼"} {
		if !strings.Contains(cases.RemedyText, want) {
			t.Errorf("remedy text lacks %q", want)
		}
	}
}

// Every action listed has a rule (an unlisted action is "unknown").
func TestActionsListed(t *testing.T) {
	a := ruleActors()["system"]
	for _, act := range cases.Actions() {
		if err := cases.Check(situation(cases.Received, nil), a, act); apperr.As(err) != nil && apperr.As(err).Code == apperr.NotFound {
			t.Errorf("%s is listed but has no rule", act)
		}
	}
}
