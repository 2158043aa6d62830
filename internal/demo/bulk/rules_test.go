package bulk

import (
	"strings"
	"testing"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
)

// The generator takes every action through the case rules: what they
// refuse it does not write, what they allow it writes as they say (state,
// step, A person, documents, messages). A rule changed in cases/rules.go
// changes what the generator does.
func TestGeneratorActsThroughTheRules(t *testing.T) {
	cal, err := calendar.New()
	if err != nil {
		t.Fatal(err)
	}
	clerk := Staff{ID: 11, Username: "clerk", Name: "窗口", Role: "clerk", CentreID: 1, CentreKind: "hall", DeptID: 10, WindowID: 3}
	reviewer := Staff{ID: 21, Username: "reviewer", Name: "审查", Role: "reviewer", DeptID: 10}
	approver := Staff{ID: 31, Username: "approver", Name: "审核", Role: "approver", DeptID: 10}
	w := &world{cal: cal, holder: map[string]Staff{holderKey(10, "reviewer"): reviewer, holderKey(10, "approver"): approver}}
	it := catalogue.Item{Code: "T-001", Content: catalogue.Content{DepartmentID: 10, PromisedDays: 5, StatutoryDays: 20, Steps: catalogue.DefaultSteps(5)}}
	at := time.Date(2026, 9, 28, 2, 0, 0, 0, time.UTC)
	k := &kase{w: w, b: &rowsBuf{}, it: it}
	k.c = cases.Case{No: "YZ202609280001", Item: &k.it, State: cases.Received, ReceivedAt: at, DepartmentID: 10, CentreID: 1, PromisedDays: 5, StatutoryDays: 20}

	refused := func(s Staff, act cases.Action) {
		t.Helper()
		before := len(k.b.events)
		err := k.act(at, s, act, cases.Input{}, map[string]any{})
		if err == nil || !strings.Contains(err.Error(), "refuse") {
			t.Fatalf("%s by %s: %v", act, s.Username, err)
		}
		if len(k.b.events) != before {
			t.Fatalf("%s by %s refused but written", act, s.Username)
		}
	}
	refused(reviewer, cases.ActAccept)
	refused(clerk, cases.ActApprove)
	if err := k.act(at.Add(time.Hour), clerk, cases.ActAccept, cases.Input{}, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if k.c.State != cases.InProgress || k.c.StepRole != "reviewer" || k.c.AssigneeID != reviewer.ID || len(k.b.events) != 1 ||
		len(k.b.docs) != 1 || k.b.docs[0][1] != "acceptance" {
		t.Fatalf("after accept: %s %s %d, %d events, docs %v", k.c.State, k.c.StepRole, k.c.AssigneeID, len(k.b.events), k.b.docs)
	}
	refused(approver, cases.ActApprove) // not at the decision step yet
	if err := k.act(at.Add(2*time.Hour), reviewer, cases.ActForward, cases.Input{}, map[string]any{"opinion": "拟同意"}); err != nil {
		t.Fatal(err)
	}
	refused(reviewer, cases.ActForward) // the decision step is the approver's
	if err := k.act(at.Add(3*time.Hour), approver, cases.ActApprove, cases.Input{}, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	if k.c.State != cases.Approved || k.c.DecidedAt == nil || k.version != 3 {
		t.Fatalf("after approve: %s, version %d", k.c.State, k.version)
	}
}
