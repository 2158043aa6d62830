package cases_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/attendance"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/org"
)

// The department admin's cover list follows attendance's one "away" rule
// (issue 15 §2), not the checkbox alone: a reviewer on approved leave, the
// checkbox unticked, is neither offered nor accepted as cover; one at
// work is.
func TestCoverCandidatesLeaveOutPeopleOnLeave(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	os := &org.Service{DB: w.db, Now: w.clock}
	att := &attendance.Service{DB: w.db, Now: w.clock, Calendar: func(ctx context.Context) (*calendar.Calendar, error) { return cases.Calendar(ctx, w.db.R) }}
	rev := w.orgs["reviewer"]
	mk := func(user, name string) org.Staff {
		st, err := os.CreateStaff(ctx, w.orgs["admin"], org.StaffInput{Username: user, Name: name, Role: org.Reviewer,
			CentreID: rev.CentreID, DepartmentID: rev.DepartmentID, Password: "abcd12345"})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	b, atWork, onLeave := mk("reviewer.b", "备岗审核"), mk("reviewer.c", "在岗审核"), mk("reviewer.d", "请假审核")
	today := calendar.DateOf(w.clock(), time.FixedZone("CST", 8*3600)).String()
	l, err := att.FileLeave(ctx, onLeave.Actor("192.0.2.11"), attendance.LeaveInput{Kind: "annual", From: today, To: today, Reason: "年休假"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := att.DecideLeave(ctx, w.orgs["deptadmin"], l.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	c := w.submit("T-001", 1, 2)
	c = w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	// A and B away by the checkbox, no chief representative named: the
	// step awaits the department admin.
	if _, err := w.db.W.Exec(`UPDATE staff SET absent = TRUE, backup_id = $1 WHERE username = 'reviewer'`, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.W.Exec(`UPDATE staff SET absent = TRUE WHERE id = $1`, b.ID); err != nil {
		t.Fatal(err)
	}
	da := w.orgs["deptadmin"]
	got, err := w.eng.Get(ctx, cases.StaffActor(da), c.No)
	if err != nil || !got.AssigneeUncovered || got.CoverID != 0 {
		t.Fatalf("uncovered: %v %d %v", got.AssigneeUncovered, got.CoverID, err)
	}
	list, err := w.eng.CoverCandidates(ctx, da, got)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[int64]bool{}
	for _, x := range list {
		ids[x.ID] = true
	}
	if !ids[atWork.ID] || ids[onLeave.ID] || ids[b.ID] || ids[rev.StaffID] {
		t.Fatalf("candidates %+v: want %d (at work) and not %d (on leave), %d (B away), %d (A)", list, atWork.ID, onLeave.ID, b.ID, rev.StaffID)
	}
	if _, err := w.eng.AssignCover(ctx, da, c.No, onLeave.ID); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("someone on approved leave assigned: %v", err)
	}
	// Not the department admin's case: nothing to offer.
	if list, err := w.eng.CoverCandidates(ctx, w.orgs["admin"], got); err != nil || len(list) != 0 {
		t.Fatalf("the centre admin is offered %+v %v", list, err)
	}
	if _, err := w.eng.AssignCover(ctx, da, c.No, atWork.ID); err != nil {
		t.Fatal(err)
	}
}
