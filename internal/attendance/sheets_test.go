package attendance_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/attendance"
	"onestop/internal/calendar"
)

func (w *world) shiftOn() {
	w.t.Helper()
	s := attendance.DefaultShift(w.actors["admin"].CentreID)
	s.Enabled = true
	if _, err := w.svc.SaveShift(context.Background(), w.actors["admin"], s); err != nil {
		w.t.Fatal(err)
	}
}

func rowOf(t *testing.T, s *attendance.Sheet, staff int64, day string) attendance.DayRow {
	t.Helper()
	for _, r := range s.Rows {
		if r.StaffID == staff && r.Day == day {
			return r
		}
	}
	t.Fatalf("no row for %d on %s", staff, day)
	return attendance.DayRow{}
}

// The day's rule: late after the morning start plus grace, early before
// the afternoon end, absent without a punch, leave excuses, a holiday
// expects nothing; each viewer sees only their scope.
func TestSheetMarksLateEarlyAbsentLeave(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.shiftOn()
	for u, p := range map[string]string{"clerk": "1", "reviewer": "2", "approver": "3", "deptadmin": "4"} {
		w.pin(u, p)
	}
	d, _ := w.httpDevice()
	day := "2026-09-29"
	if _, err := w.svc.Record(ctx, d, attendance.SourceDevice, []attendance.Punch{
		{PIN: "1", At: sh(day, "08:50"), Direction: "in"}, {PIN: "1", At: sh(day, "17:40"), Direction: "out"}, // late 20
		{PIN: "2", At: sh(day, "08:34"), Direction: "in"}, {PIN: "2", At: sh(day, "17:00"), Direction: "out"}, // within grace, early 30
		{PIN: "4", At: sh(day, "08:00")}, {PIN: "4", At: sh(day, "18:00")}, // on time
		{PIN: "1", At: sh("2026-10-01", "09:00")}, // a holiday
	}); err != nil {
		t.Fatal(err)
	}
	// The approver (PIN 3) is on approved leave on the 29th.
	l, err := w.svc.FileLeave(ctx, w.actors["approver"], attendance.LeaveInput{Kind: "sick", From: day, To: day, Reason: "发热就医"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.DecideLeave(ctx, w.actors["deptadmin"], l.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	w.now = sh("2026-10-02", "10:00")
	s, err := w.svc.Sheet(ctx, w.actors["admin"], attendance.SheetFilter{From: calendar.MustParseDate("2026-09-28"), To: calendar.MustParseDate("2026-10-01")})
	if err != nil {
		t.Fatal(err)
	}
	clerk, rev, appr, da := w.actors["clerk"].StaffID, w.actors["reviewer"].StaffID, w.actors["approver"].StaffID, w.actors["deptadmin"].StaffID
	// The demo hall's summer season covers September: the afternoon ends
	// at 18:00 (DefaultShift's summer), so 17:40 is 20 minutes early.
	if r := rowOf(t, s, clerk, day); r.Status != attendance.DayLateEar || r.LateMinutes != 20 || r.EarlyMinutes != 20 || r.First != "08:50" {
		t.Errorf("clerk: %+v", r)
	}
	if r := rowOf(t, s, rev, day); r.Status != attendance.DayEarly || r.EarlyMinutes != 60 {
		t.Errorf("reviewer: %+v", r)
	}
	if r := rowOf(t, s, appr, day); r.Status != attendance.DayLeave || r.Leave != "sick" {
		t.Errorf("approver: %+v", r)
	}
	if r := rowOf(t, s, da, day); r.Status != attendance.DayOK {
		t.Errorf("deptadmin: %+v", r)
	}
	if r := rowOf(t, s, clerk, "2026-09-28"); r.Status != attendance.DayAbsent {
		t.Errorf("clerk on the 28th: %+v", r)
	}
	if r := rowOf(t, s, rev, "2026-10-01"); r.Status != attendance.DayRest {
		t.Errorf("holiday: %+v", r)
	}
	// The clerk sees only themself; the department admin their department.
	mine, err := w.svc.Sheet(ctx, w.actors["clerk"], attendance.SheetFilter{From: calendar.MustParseDate(day), To: calendar.MustParseDate(day), StaffID: rev})
	if err != nil || len(mine.Rows) != 0 {
		t.Fatalf("clerk asking for the reviewer: %d rows %v", len(mine.Rows), err)
	}
	mine, _ = w.svc.Sheet(ctx, w.actors["clerk"], attendance.SheetFilter{From: calendar.MustParseDate(day), To: calendar.MustParseDate(day)})
	if len(mine.Rows) != 1 || mine.Rows[0].StaffID != clerk {
		t.Fatalf("clerk's own sheet: %+v", mine.Rows)
	}
	tw, _ := w.svc.Sheet(ctx, w.actors["township"], attendance.SheetFilter{From: calendar.MustParseDate(day), To: calendar.MustParseDate(day)})
	if len(tw.Rows) != 0 {
		t.Fatalf("the township's admin sees the hall: %d rows", len(tw.Rows))
	}
	// A span too long is a field error.
	if _, err := w.svc.Sheet(ctx, w.actors["admin"], attendance.SheetFilter{From: calendar.MustParseDate("2026-01-01"), To: calendar.MustParseDate("2026-12-31")}); fieldKey(err, "to") == "" {
		t.Fatalf("a year: %v", err)
	}
}

// Leave is filed for oneself and decided by the department's admin; a
// rejection needs a reason; nobody decides their own or another
// department's.
func TestLeaveApproval(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	_, err := w.svc.FileLeave(ctx, w.actors["clerk"], attendance.LeaveInput{Kind: "holiday", From: "2026-10-09", To: "2026-10-08"})
	if fieldKey(err, "kind") == "" || fieldKey(err, "to") != "attendance.leave_order" || fieldKey(err, "reason") != "error.required" {
		t.Fatalf("bad leave: %v", err)
	}
	l, err := w.svc.FileLeave(ctx, w.actors["clerk"], attendance.LeaveInput{Kind: "personal", From: "2026-10-09", To: "2026-10-09", Reason: "家中有事"})
	if err != nil || l.StaffID != w.actors["clerk"].StaffID || l.State != attendance.LeavePending {
		t.Fatalf("file: %+v %v", l, err)
	}
	if _, err := w.svc.DecideLeave(ctx, w.actors["clerk"], l.ID, true, ""); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("own: %v", err)
	}
	if _, err := w.svc.DecideLeave(ctx, w.actors["township"], l.ID, true, ""); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("other centre's admin: %v", err)
	}
	if _, err := w.svc.DecideLeave(ctx, w.actors["deptadmin"], l.ID, false, ""); fieldKey(err, "decision_reason") != "error.required" {
		t.Fatalf("reject without reason: %v", err)
	}
	got, err := w.svc.DecideLeave(ctx, w.actors["deptadmin"], l.ID, false, "窗口人手不足")
	if err != nil || got.State != attendance.LeaveRejected {
		t.Fatalf("reject: %+v %v", got, err)
	}
	if _, err := w.svc.DecideLeave(ctx, w.actors["deptadmin"], l.ID, true, ""); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("decided twice: %v", err)
	}
}

var _ = time.Second
