package cases_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/attendance"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/org"
)

// A/B cover from presence (issue 15 §2): A on approved leave, or A
// without a punch by the late time at a centre keeping attendance, is
// away; B then sees A's case in the inbox and may act, and the event says
// for whom. The checkbox stays unticked throughout.
func TestCoverFollowsLeaveAndPunches(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	os := &org.Service{DB: w.db, Now: w.clock}
	b, err := os.CreateStaff(ctx, w.orgs["admin"], org.StaffInput{Username: "reviewer.b", Name: "备岗审核", Role: org.Reviewer,
		CentreID: w.orgs["reviewer"].CentreID, DepartmentID: w.orgs["reviewer"].DepartmentID, Password: "abcd12345"})
	if err != nil {
		t.Fatal(err)
	}
	w.actors["b"] = cases.StaffActor(b.Actor("192.0.2.9"))
	if _, err := w.db.W.Exec(`UPDATE staff SET backup_id = $1 WHERE username = 'reviewer'`, b.ID); err != nil {
		t.Fatal(err)
	}
	att := &attendance.Service{DB: w.db, Now: w.clock, Calendar: func(ctx context.Context) (*calendar.Calendar, error) { return cases.Calendar(ctx, w.db.R) }}
	inbox := func(who string) map[string]bool {
		list, _, err := w.eng.Inbox(ctx, w.actors[who], cases.InboxFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, c := range list {
			got[c.No] = true
		}
		return got
	}
	c := w.submit("T-001", 1, 2)
	c = w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	if c.Assignee != w.orgs["reviewer"].Name {
		t.Fatalf("assigned to %s", c.Assignee)
	}
	if inbox("b")[c.No] {
		t.Fatal("B sees A's case while A is at work")
	}
	w.refused("b", c.No, cases.ActForward, cases.Input{Opinion: "同意"}, apperr.Forbidden, "case.assigned_to_other")

	// A files leave for today; pending leave changes nothing.
	today := calendar.DateOf(w.clock(), time.FixedZone("CST", 8*3600)).String()
	l, err := att.FileLeave(ctx, w.orgs["reviewer"], attendance.LeaveInput{Kind: "sick", From: today, To: today, Reason: "就医"})
	if err != nil {
		t.Fatal(err)
	}
	if inbox("b")[c.No] {
		t.Fatal("pending leave moved the case")
	}
	if _, err := att.DecideLeave(ctx, w.orgs["deptadmin"], l.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if !inbox("b")[c.No] {
		t.Fatal("A on approved leave: B does not see A's case")
	}
	c = w.act("b", c.No, cases.ActForward, cases.Input{Opinion: "A角请假，B角代为审查。"})
	var p struct {
		ActingFor string `json:"acting_for"`
	}
	last := c.Events[len(c.Events)-1]
	if err := json.Unmarshal(last.Payload, &p); err != nil || p.ActingFor != w.orgs["reviewer"].Name || last.ActorID != b.ID {
		t.Fatalf("event: %s by %d %v", last.Payload, last.ActorID, err)
	}

	// Presence by punches: a second case, A's leave is over, attendance is
	// kept at the hall and A has a PIN but has not punched by 10:00.
	if _, err := w.db.W.Exec(`UPDATE leave_requests SET state = 'rejected'`); err != nil {
		t.Fatal(err)
	}
	c2 := w.submit("T-001", 1, 2)
	c2 = w.act("clerk", c2.No, cases.ActAccept, cases.Input{})
	if c2.Assignee != w.orgs["reviewer"].Name || inbox("b")[c2.No] {
		t.Fatalf("A at work (attendance off): %s", c2.Assignee)
	}
	sh := attendance.DefaultShift(w.orgs["admin"].CentreID)
	sh.Enabled = true
	if _, err := att.SaveShift(ctx, w.orgs["admin"], sh); err != nil {
		t.Fatal(err)
	}
	if err := att.SetPIN(ctx, w.orgs["admin"], w.orgs["reviewer"].StaffID, "77"); err != nil {
		t.Fatal(err)
	}
	if !inbox("b")[c2.No] {
		t.Fatal("A without a punch at 10:00 on a working day: B does not see the case")
	}
	// A punches in: at work again.
	if err := att.ManualPunch(ctx, w.orgs["admin"], attendance.ManualInput{StaffID: w.orgs["reviewer"].StaffID, At: w.clock().Add(-time.Minute),
		Direction: "in", Reason: "指纹机故障"}); err != nil {
		t.Fatal(err)
	}
	if inbox("b")[c2.No] {
		t.Fatal("A punched in, yet B still holds the case")
	}
}
