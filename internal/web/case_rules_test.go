package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"onestop/internal/cases"
	"onestop/internal/catalogue"
)

var actionFormRE = regexp.MustCompile(`id="act-([a-z_]+)"`)

// offered lists the action forms a case page shows.
func offered(body string) []string {
	var out []string
	for _, m := range actionFormRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return out
}

// allowedBy lists what the case rules allow the actor on the case.
func allowedBy(c *cases.Case, a cases.Actor) []string {
	var out []string
	for _, act := range cases.Actions() {
		if cases.Allowed(c, a, act) {
			out = append(out, string(act))
		}
	}
	sort.Strings(out)
	return out
}

// TestCasePageOffersWhatTheRulesAllow: in every situation, for every
// staff role and the applicant, the case page shows a form for exactly the
// actions cases.Allowed allows, so a rule changed in the case rules
// changes what the page offers.
func TestCasePageOffersWhatTheRulesAllow(t *testing.T) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	clerk, reviewer, approver := cf.login("clerk"), cf.login("reviewer"), cf.login("approver")
	type step struct {
		c    *client
		act  string
		form url.Values
	}
	accept, forward := step{clerk, cases.ActAccept, nil}, step{reviewer, cases.ActForward, url.Values{"opinion": {"符合条件"}}}
	approve := step{approver, cases.ActApprove, nil}
	situations := map[string][]step{
		"received":   nil,
		"supplement": {{clerk, cases.ActSupplement, url.Values{"m2_status": {"defective"}, "m2_note": {"复印件不清晰"}}}},
		"review":     {accept},
		"paused":     {accept, {reviewer, cases.ActSuspend, url.Values{"pause_reason": {"expert_review"}, "expected_days": {"3"}}}},
		"decision":   {accept, forward},
		"approved":   {accept, forward, approve},
		"completed":  {accept, forward, approve, {clerk, cases.ActComplete, nil}},
		"delivered":  {accept, forward, approve, {clerk, cases.ActComplete, nil}, {clerk, cases.ActDeliver, url.Values{"delivery": {"window"}}}},
	}
	staff := []string{"clerk", "tclerk", "reviewer", "approver", "deptadmin", "admin", "supervisor", "leader"}
	logins := map[string]*client{"clerk": clerk, "reviewer": reviewer, "approver": approver}
	for _, u := range staff {
		if logins[u] == nil {
			logins[u] = cf.login(u)
		}
	}
	app := cf.applicant()
	known := map[string]map[string][]string{} // situation → user → offered
	for name, steps := range situations {
		no := cf.intake(clerk, "T-001", 1, 2)
		for _, s := range steps {
			cf.mustAct(s.c, no, s.act, s.form)
		}
		known[name] = map[string][]string{}
		for _, u := range staff {
			st, err := cf.srv.Org.StaffByUsername(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			a := cases.StaffActor(st.Actor("192.0.2.1"))
			c, err := cf.srv.Cases.Get(ctx, a, no)
			res, body := logins[u].get("/cases/" + no)
			if err != nil {
				if res.StatusCode != http.StatusNotFound {
					t.Errorf("%s: %s cannot read the case but the page answers %d", name, u, res.StatusCode)
				}
				continue
			}
			got, want := offered(body), allowedBy(c, a)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s: the page offers %s %v, the rules allow %v", name, u, got, want)
			}
			known[name][u] = got
		}
		c, err := cf.srv.Cases.Get(ctx, cases.Actor{ApplicantID: cf.app.ID}, no)
		if err != nil {
			t.Fatal(err)
		}
		_, body := app.get("/my/cases/" + no)
		if got, want := offered(body), allowedBy(c, cases.Actor{ApplicantID: cf.app.ID}); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: the applicant's page offers %v, the rules allow %v", name, got, want)
		}
		known[name]["applicant"] = offered(body)
	}
	// Known answers, so the comparison above cannot pass by both sides
	// offering nothing.
	has := func(sit, who, act string) bool {
		for _, a := range known[sit][who] {
			if a == act {
				return true
			}
		}
		return false
	}
	for _, k := range []struct {
		sit, who, act string
		want          bool
	}{
		{"received", "clerk", cases.ActAccept, true},
		{"received", "reviewer", cases.ActAccept, false},
		{"supplement", "applicant", cases.ActResubmit, true},
		{"review", "reviewer", cases.ActForward, true},
		{"review", "approver", cases.ActExtend, true},
		{"decision", "approver", cases.ActApprove, true},
		{"decision", "reviewer", cases.ActApprove, false},
		{"paused", "reviewer", cases.ActResume, true},
		{"approved", "clerk", cases.ActComplete, true},
		{"completed", "clerk", cases.ActDeliver, true},
		{"review", "applicant", cases.ActWithdraw, true},
	} {
		if has(k.sit, k.who, k.act) != k.want {
			t.Errorf("%s: %s offered %s: %v, want %v", k.sit, k.who, k.act, !k.want, k.want)
		}
	}
	for sit := range situations {
		if len(known[sit]["supervisor"]) != 0 || len(known[sit]["leader"]) != 0 {
			t.Errorf("%s: a supervisor or leader is offered %v %v", sit, known[sit]["supervisor"], known[sit]["leader"])
		}
	}
}

// A deemed approval's decision says no decision was made in time and
// approval is deemed under the item's rule; it never claims the review
// ("经审查，符合法定条件") that did not happen (docs/DOMAIN.md §3).
func TestDeemedApprovalDecisionClaimsNoReview(t *testing.T) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	admin, err := cf.srv.Org.StaffByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	clerkRow, err := cf.srv.Org.StaffByUsername(ctx, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	cat := &catalogue.Service{DB: cf.db, Now: cf.clock}
	note := "依据《宜章县行政审批超时默认办理暂行办法》第五条，视为同意。"
	_, err = cat.Create(ctx, admin.Actor("192.0.2.1"), "T-009", catalogue.Content{Name: "测试备案（超时默认）", Type: "filing",
		DepartmentID: clerkRow.DepartmentID, Audience: "both", LegalBasis: "《中华人民共和国行政许可法》第十二条", StatutoryDays: 20, PromisedDays: 5,
		Visits: 1, AtHall: true, DeemedApproval: true, DeemedNote: note,
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}}, Steps: catalogue.DefaultSteps(5)}, "")
	if err != nil {
		t.Fatal(err)
	}
	clerk := cf.login("clerk")
	no := cf.intake(clerk, "T-009", 1)
	cf.mustAct(clerk, no, cases.ActAccept, nil)
	cf.set(at("2026-10-20")) // well past the promised deadline (Oct 10)
	res, err := cf.srv.Cases.Sweep(ctx)
	if err != nil || res.DeemedApproved != 1 {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	clerk = cf.login("clerk") // the session timed out meanwhile
	for _, lang := range []string{"zh-CN", "en"} {
		_, body := clerk.get("/cases/" + no + "/documents/approval?lang=" + lang)
		if lang == "zh-CN" {
			for _, want := range []string{"未在承诺期限", "视为准予行政许可", note} {
				if !strings.Contains(body, want) {
					t.Errorf("the deemed decision lacks %q\n%s", want, problemOf(body))
				}
			}
		}
		for _, never := range []string{"经审查", "符合法定条件", "found the legal conditions"} {
			if strings.Contains(body, never) {
				t.Errorf("%s: the deemed decision claims a review: %q", lang, never)
			}
		}
	}
}
