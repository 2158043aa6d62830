package cases_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/clock"
)

// Every refusal of the engine, each from the state that provokes it, with
// the code (HTTP status) and message key the person is shown. Runs on
// SQLite and, with ONESTOP_TEST_POSTGRES, on PostgreSQL.
func TestEveryRefusal(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	other, err := (&applicants.Service{DB: w.db, Now: w.clock}).Register(ctx,
		applicants.Input{Kind: "citizen", IDNumber: "440524188001010014", Name: "李四", Phone: "13900139000"}, false)
	if err != nil {
		t.Fatal(err)
	}
	w.actors["stranger"] = cases.Actor{ApplicantID: other.ID, ApplicantName: other.Name, Address: "198.51.100.2"}
	w.actors["system"] = cases.SystemActor

	// Cases in each state the table needs.
	received := w.submit("T-001", 1) // the ID copy (2) is missing
	supplement := w.submit("T-001", 1)
	w.act("clerk", supplement.No, cases.ActSupplement, cases.Input{Materials: []cases.MaterialChange{{Seq: 2, Status: "missing", Note: "身份证复印件"}}})
	review := w.submit("T-001", 1, 2) // at the review step (reviewer)
	w.act("clerk", review.No, cases.ActAccept, cases.Input{})
	decide := w.submit("T-001", 1, 2) // at the decision step (approver)
	w.act("clerk", decide.No, cases.ActAccept, cases.Input{})
	w.act("reviewer", decide.No, cases.ActForward, cases.Input{Opinion: "符合条件"})
	paused := w.submit("T-001", 1, 2)
	w.act("clerk", paused.No, cases.ActAccept, cases.Input{})
	w.act("reviewer", paused.No, cases.ActSuspend, cases.Input{PauseReason: "testing", ExpectedDays: 10})
	deemable := w.submit("T-002", 1, 2) // deemed approval allowed, not yet overdue
	w.act("clerk", deemable.No, cases.ActAccept, cases.Input{})
	approved := w.submit("T-001", 1, 2)
	w.act("clerk", approved.No, cases.ActAccept, cases.Input{})
	w.act("reviewer", approved.No, cases.ActForward, cases.Input{Opinion: "符合条件"})
	w.act("approver", approved.No, cases.ActApprove, cases.Input{})

	m := func(ch ...cases.MaterialChange) []cases.MaterialChange { return ch }
	tests := []struct {
		name, who, no, action string
		in                    cases.Input
		code                  apperr.Code
		key                   string
	}{
		{"accept with a required material missing", "clerk", received.No, cases.ActAccept, cases.Input{}, apperr.Conflict, "case.materials_incomplete"},
		{"accept twice", "clerk", review.No, cases.ActAccept, cases.Input{}, apperr.Conflict, "case.invalid_transition"},
		{"accept by a reviewer", "reviewer", received.No, cases.ActAccept, cases.Input{}, apperr.Forbidden, "case.not_your_step"},
		{"deemed acceptance by a person", "clerk", received.No, cases.ActDeemAccept, cases.Input{}, apperr.Forbidden, "case.not_your_step"},
		{"stale version", "clerk", received.No, cases.ActAccept, cases.Input{Version: 99}, apperr.Conflict, "case.changed"},
		{"unknown action", "clerk", received.No, "approve_everything", cases.Input{}, apperr.NotFound, "case.unknown_action"},
		{"decline without reasons", "clerk", received.No, cases.ActDecline, cases.Input{}, apperr.Invalid, "error.required"},
		{"decline after acceptance", "clerk", review.No, cases.ActDecline, cases.Input{Reason: "x"}, apperr.Conflict, "case.invalid_transition"},
		{"supplement listing nothing", "clerk", received.No, cases.ActSupplement, cases.Input{}, apperr.Invalid, "case.supplement_empty"},
		{"supplement an unknown material", "clerk", received.No, cases.ActSupplement, cases.Input{Materials: m(cases.MaterialChange{Seq: 9, Status: "missing", Note: "x"})},
			apperr.Invalid, "case.material_unknown"},
		{"supplement with a wrong kind", "clerk", received.No, cases.ActSupplement, cases.Input{Materials: m(cases.MaterialChange{Seq: 2, Status: "received", Note: "x"})},
			apperr.Invalid, "case.supplement_status"},
		{"supplement without saying what", "clerk", received.No, cases.ActSupplement, cases.Input{Materials: m(cases.MaterialChange{Seq: 2, Status: "missing"})},
			apperr.Invalid, "error.required"},
		{"second notice while one is out", "clerk", supplement.No, cases.ActSupplement, cases.Input{Materials: m(cases.MaterialChange{Seq: 2, Status: "missing", Note: "x"})},
			apperr.Conflict, "case.invalid_transition"},
		{"resubmit with no notice out", "applicant", received.No, cases.ActResubmit, cases.Input{Materials: m(cases.MaterialChange{Seq: 2, Paper: true})},
			apperr.Conflict, "case.invalid_transition"},
		{"resubmit nothing", "applicant", supplement.No, cases.ActResubmit, cases.Input{Materials: m(cases.MaterialChange{Seq: 2})}, apperr.Invalid, "case.material_nothing"},
		{"resubmit by a reviewer", "reviewer", supplement.No, cases.ActResubmit, cases.Input{Materials: m(cases.MaterialChange{Seq: 2, Paper: true})},
			apperr.Forbidden, "case.not_your_step"},
		{"another applicant's case", "stranger", supplement.No, cases.ActWithdraw, cases.Input{}, apperr.NotFound, ""},
		{"forward without an opinion", "reviewer", review.No, cases.ActForward, cases.Input{}, apperr.Invalid, "error.required"},
		{"forward from the deciding step", "approver", decide.No, cases.ActForward, cases.Input{Opinion: "x"}, apperr.Conflict, "case.decide_here"},
		{"decide at the review step", "reviewer", review.No, cases.ActApprove, cases.Input{}, apperr.Conflict, "case.not_decision_step"},
		{"decide at another's step", "approver", review.No, cases.ActApprove, cases.Input{}, apperr.Forbidden, "case.not_your_step"},
		{"refuse without reasons", "approver", decide.No, cases.ActRefuse, cases.Input{}, apperr.Invalid, "error.required"},
		{"decide while paused", "reviewer", paused.No, cases.ActForward, cases.Input{Opinion: "x"}, apperr.Conflict, "case.paused"},
		{"suspend twice", "reviewer", paused.No, cases.ActSuspend, cases.Input{PauseReason: "testing", ExpectedDays: 3}, apperr.Conflict, "case.already_paused"},
		{"suspend for no legal reason", "reviewer", review.No, cases.ActSuspend, cases.Input{PauseReason: "lunch", ExpectedDays: 3}, apperr.Invalid, "error.choose"},
		{"suspend without a length", "reviewer", review.No, cases.ActSuspend, cases.Input{PauseReason: "testing"}, apperr.Invalid, "case.expected_days"},
		{"suspend by the clerk", "clerk", review.No, cases.ActSuspend, cases.Input{PauseReason: "testing", ExpectedDays: 3}, apperr.Forbidden, "case.not_your_step"},
		{"resume a running clock", "reviewer", review.No, cases.ActResume, cases.Input{}, apperr.Conflict, "case.not_paused"},
		{"extend without reasons", "approver", review.No, cases.ActExtend, cases.Input{Days: 5}, apperr.Invalid, "error.required"},
		{"extend by zero days", "approver", review.No, cases.ActExtend, cases.Input{Days: 0, Reason: "x"}, apperr.Invalid, "case.extension_days"},
		{"extend by a reviewer", "reviewer", review.No, cases.ActExtend, cases.Input{Days: 5, Reason: "x"}, apperr.Forbidden, "case.not_your_step"},
		{"extend a decided case", "approver", approved.No, cases.ActExtend, cases.Input{Days: 5, Reason: "x"}, apperr.Conflict, "case.invalid_transition"},
		{"deemed approval by a person", "approver", deemable.No, cases.ActDeemApprove, cases.Input{}, apperr.Forbidden, "case.not_your_step"},
		{"deemed approval before the deadline", "system", deemable.No, cases.ActDeemApprove, cases.Input{}, apperr.Conflict, "case.not_overdue"},
		{"deemed approval of an item without it", "system", review.No, cases.ActDeemApprove, cases.Input{}, apperr.Conflict, "case.invalid_transition"},
		{"complete before the decision", "clerk", review.No, cases.ActComplete, cases.Input{}, apperr.Conflict, "case.invalid_transition"},
		{"complete by the approver", "approver", approved.No, cases.ActComplete, cases.Input{}, apperr.Forbidden, "case.not_your_step"},
		{"deliver before completion", "clerk", approved.No, cases.ActDeliver, cases.Input{Delivery: "post"}, apperr.Conflict, "case.invalid_transition"},
		{"withdraw after the decision", "applicant", approved.No, cases.ActWithdraw, cases.Input{}, apperr.Conflict, "case.invalid_transition"},
		{"withdraw by a reviewer", "reviewer", review.No, cases.ActWithdraw, cases.Input{}, apperr.Forbidden, "case.not_your_step"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, err := w.eng.Get(ctx, cases.SystemActor, tc.no)
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.eng.Act(ctx, w.actors[tc.who], tc.no, tc.action, tc.in)
			ae := apperr.As(err)
			if ae == nil || ae.Code != tc.code || (tc.key != "" && ae.Msg.Key != tc.key && !hasField(ae, tc.key)) {
				t.Fatalf("want %s %s, got %v", tc.code, tc.key, err)
			}
			// A refusal changes nothing: no event, no new version.
			after, err := w.eng.Get(ctx, cases.SystemActor, tc.no)
			if err != nil {
				t.Fatal(err)
			}
			if after.Version != before.Version || len(after.Events) != len(before.Events) || after.State != before.State {
				t.Fatalf("a refused action changed the case: v%d→v%d, %d→%d events", before.Version, after.Version, len(before.Events), len(after.Events))
			}
		})
	}
	w.verify()
}

// Submissions the engine refuses, each with the field it names.
func TestSubmitRefusals(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	mk := func(code string, mod func(*catalogue.Content)) {
		t.Helper()
		c := catalogue.Content{Type: "licensing", DepartmentID: w.orgs["clerk"].DepartmentID, Audience: "both", LegalBasis: "《中华人民共和国行政许可法》第十二条",
			Name: "测试 " + code, StatutoryDays: 20, PromisedDays: 5, Visits: 1, AtHall: true, Online: true,
			Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}}, Steps: catalogue.DefaultSteps(5)}
		mod(&c)
		if _, err := w.cat.Create(ctx, w.orgs["admin"], code, c, ""); err != nil {
			t.Fatalf("item %s: %v", code, err)
		}
	}
	mk("T-ORG", func(c *catalogue.Content) { c.Audience = "organisation" })
	mk("T-HALL", func(c *catalogue.Content) { c.Online = false })
	mk("T-GONE", func(c *catalogue.Content) {})
	if _, err := w.cat.SetStatus(ctx, w.orgs["admin"], "T-GONE", catalogue.Cancelled, "清理"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, who string
		in        cases.SubmitInput
		code      apperr.Code
		field     string
		key       string
	}{
		{"unknown item", "clerk", cases.SubmitInput{ItemCode: "NOPE", ApplicantID: w.app.ID}, apperr.Invalid, "item_code", "case.item_unknown"},
		{"cancelled item", "clerk", cases.SubmitInput{ItemCode: "T-GONE", ApplicantID: w.app.ID}, apperr.Invalid, "item_code", "case.item_not_in_force"},
		{"online for an item handled at the hall only", "applicant", cases.SubmitInput{ItemCode: "T-HALL"}, apperr.Invalid, "item_code", "case.not_online"},
		{"a citizen for an organisations' item", "clerk", cases.SubmitInput{ItemCode: "T-ORG", ApplicantID: w.app.ID}, apperr.Invalid, "applicant_id", "case.audience_organisation"},
		{"no applicant", "clerk", cases.SubmitInput{ItemCode: "T-001"}, apperr.Invalid, "applicant_id", "error.required"},
		{"unknown applicant", "clerk", cases.SubmitInput{ItemCode: "T-001", ApplicantID: 999999}, apperr.Invalid, "applicant_id", "case.applicant_unknown"},
		{"a township without the item", "tclerk", cases.SubmitInput{ItemCode: "T-001", ApplicantID: w.app.ID}, apperr.Invalid, "item_code", "case.not_at_township"},
		{"a bad channel", "clerk", cases.SubmitInput{ItemCode: "T-001", ApplicantID: w.app.ID, Channel: "fax"}, apperr.Invalid, "channel", "error.choose"},
		{"a reviewer receiving", "reviewer", cases.SubmitInput{ItemCode: "T-001", ApplicantID: w.app.ID}, apperr.Forbidden, "", "case.not_your_step"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.eng.Submit(ctx, w.actors[tc.who], tc.in)
			ae := apperr.As(err)
			if ae == nil || ae.Code != tc.code {
				t.Fatalf("want %s, got %v", tc.code, err)
			}
			if tc.field == "" && ae.Msg.Key != tc.key || tc.field != "" && ae.Fields[tc.field].Key != tc.key {
				t.Fatalf("want %s: %s, got %v (%v)", tc.field, tc.key, err, ae.Fields)
			}
		})
	}
	var n int
	if err := w.db.R.QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused submissions left %d cases (%v)", n, err)
	}
}

// The transitions the lifecycle test does not walk: refusal to delivery by
// post, withdrawal while the clock is paused (the pause ends with it), and
// a clerk recording a withdrawal made at the window.
func TestRefusalWithdrawalWhilePausedAndLightRule(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.submit("T-001", 1, 2)
	w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	w.act("reviewer", c.No, cases.ActForward, cases.Input{Opinion: "不符合条件"})
	c = w.act("approver", c.No, cases.ActRefuse, cases.Input{Reason: "不符合第十二条规定的条件"})
	if c.State != cases.Refused || c.Decision != "refused" || c.DecidedAt == nil {
		t.Fatalf("refused: %s %s", c.State, c.Decision)
	}
	c = w.act("clerk", c.No, cases.ActComplete, cases.Input{})
	c = w.act("clerk", c.No, cases.ActDeliver, cases.Input{Delivery: "post"})
	if c.State != cases.Delivered || c.Delivery != "post" || c.ClosedAt == nil {
		t.Fatalf("delivered: %s %s", c.State, c.Delivery)
	}
	kinds := map[string]bool{}
	for _, d := range c.Documents {
		kinds[d.Kind] = true
	}
	if !kinds["refusal"] || kinds["approval"] {
		t.Fatalf("documents: %v", kinds)
	}

	p := w.submit("T-001", 1, 2)
	w.act("clerk", p.No, cases.ActAccept, cases.Input{})
	w.act("reviewer", p.No, cases.ActSuspend, cases.Input{PauseReason: "hearing", ExpectedDays: 20})
	w.set(w.clock().Add(48 * time.Hour))
	p = w.act("clerk", p.No, cases.ActWithdraw, cases.Input{Reason: "申请人当面撤回"})
	if p.State != cases.Withdrawn || p.Paused || len(p.Pauses) != 1 || p.Pauses[0].To == nil {
		t.Fatalf("withdrawn while paused: %s paused %v pauses %+v", p.State, p.Paused, p.Pauses)
	}

	// The light rule is the county's: with three days' warning a case with
	// three working days left is yellow, with the default one it is green.
	w.set(at("2026-11-02")) // Monday; 5 promised days → Nov 9
	g := w.submit("T-001", 1, 2)
	w.act("clerk", g.No, cases.ActAccept, cases.Input{})
	w.set(at("2026-11-04")) // Nov 5, 6, 9 left
	if got, _ := w.eng.Get(ctx, w.actors["clerk"], g.No); got.Light != clock.Green || got.Clock.LeftDays != 3 {
		t.Fatalf("default rule: %s, %d left", got.Light, got.Clock.LeftDays)
	}
	w.eng.Light = clock.LightRule{YellowDaysLeft: 3}
	if got, _ := w.eng.Get(ctx, w.actors["clerk"], g.No); got.Light != clock.Yellow {
		t.Fatalf("three days' warning: %s", got.Light)
	}
	list, _, err := w.eng.Inbox(ctx, w.actors["reviewer"], cases.InboxFilter{})
	if err != nil || len(list) != 1 || list[0].Light != clock.Yellow {
		t.Fatalf("inbox with three days' warning: %v %v", list, err)
	}
	w.verify()
}
