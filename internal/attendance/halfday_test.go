package attendance_test

import (
	"context"
	"testing"

	"onestop/internal/attendance"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/store"
)

// approvedHalf files and approves a half day's leave for user.
func (w *world) approvedHalf(user, day, half string) {
	w.t.Helper()
	ctx := context.Background()
	l, err := w.svc.FileLeave(ctx, w.actors[user], attendance.LeaveInput{Kind: "personal", From: day, To: day, Half: half, Reason: "办理私事"})
	if err != nil || l.Half != half {
		w.t.Fatalf("file %s: %+v %v", user, l, err)
	}
	if _, err := w.svc.DecideLeave(ctx, w.actors["deptadmin"], l.ID, true, ""); err != nil {
		w.t.Fatal(err)
	}
}

// awayNow reports whether user is away at w.now by attendance.Away.
func (w *world) awayNow(user string) bool {
	w.t.Helper()
	ctx := context.Background()
	cal, err := cases.Calendar(ctx, w.db.R)
	if err != nil {
		w.t.Fatal(err)
	}
	aw, err := attendance.AwayNow(ctx, w.db.R, cal, w.now)
	if err != nil {
		w.t.Fatal(err)
	}
	var b store.Where
	q := `SELECT COUNT(*) FROM staff s WHERE s.id = ` + b.Bind(w.actors[user].StaffID) + ` AND ` + aw.SQL("s", b.Bind)
	return w.count(q, b.Args()...) == 1
}

// Half-day leave (docs/DOMAIN.md §22): a morning's leave moves the day's
// start to the afternoon's (late counted from 14:30 in summer), an
// afternoon's leave lets the person go at the morning's end (12:00); the
// other half is judged as any day, and the sheet shows the half. A half
// day spans one day only. Away-now follows the half: a morning's leave
// is away in the morning only, an afternoon's in the afternoon only.
func TestHalfDayLeave(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.shiftOn()
	for u, p := range map[string]string{"clerk": "1", "reviewer": "2", "approver": "3", "deptadmin": "4"} {
		w.pin(u, p)
	}
	day := "2026-09-29"
	_, err := w.svc.FileLeave(ctx, w.actors["clerk"], attendance.LeaveInput{Kind: "personal", From: day, To: "2026-09-30", Half: "am", Reason: "x"})
	if fieldKey(err, "half") != "attendance.half_one_day" {
		t.Fatalf("a half day over two days: %v", err)
	}
	_, err = w.svc.FileLeave(ctx, w.actors["clerk"], attendance.LeaveInput{Kind: "personal", From: day, To: day, Half: "evening", Reason: "x"})
	if fieldKey(err, "half") != "error.choose" {
		t.Fatalf("an unknown half: %v", err)
	}
	w.approvedHalf("clerk", day, "am")
	w.approvedHalf("reviewer", day, "am")
	w.approvedHalf("approver", day, "pm")
	// Away-now in the morning, before anyone punched: the morning leavers
	// are away (on leave); the afternoon leaver is away only by the late
	// rule, so a punch brings them back.
	d, _ := w.httpDevice()
	w.now = sh(day, "08:20")
	if _, err := w.svc.Record(ctx, d, attendance.SourceDevice, []attendance.Punch{{PIN: "3", At: sh(day, "08:20"), Direction: "in"}}); err != nil {
		t.Fatal(err)
	}
	w.now = sh(day, "10:00")
	if !w.awayNow("clerk") || w.awayNow("approver") {
		t.Errorf("10:00: clerk away %v (want true), approver away %v (want false)", w.awayNow("clerk"), w.awayNow("approver"))
	}
	w.now = sh(day, "18:10") // the terminal sends the day's punches at its end
	if _, err := w.svc.Record(ctx, d, attendance.SourceDevice, []attendance.Punch{
		{PIN: "1", At: sh(day, "14:33"), Direction: "in"}, {PIN: "1", At: sh(day, "18:05"), Direction: "out"}, // on time for the afternoon
		{PIN: "2", At: sh(day, "14:50"), Direction: "in"}, {PIN: "2", At: sh(day, "18:00"), Direction: "out"}, // late 20 from 14:30
		{PIN: "3", At: sh(day, "12:01"), Direction: "out"},                                                    // leaves after the morning: fine
		{PIN: "4", At: sh(day, "08:30"), Direction: "in"}, {PIN: "4", At: sh(day, "12:01"), Direction: "out"}, // no leave: early
	}); err != nil {
		t.Fatal(err)
	}
	// Away-now in the afternoon (the later punches do not matter to it).
	w.now = sh(day, "15:00")
	if w.awayNow("clerk") || !w.awayNow("approver") {
		t.Errorf("15:00: clerk away %v (want false), approver away %v (want true)", w.awayNow("clerk"), w.awayNow("approver"))
	}
	w.now = sh("2026-09-30", "10:00")
	s, err := w.svc.Sheet(ctx, w.actors["admin"], attendance.SheetFilter{From: calendar.MustParseDate(day), To: calendar.MustParseDate(day)})
	if err != nil {
		t.Fatal(err)
	}
	clerk, rev, appr, da := w.actors["clerk"].StaffID, w.actors["reviewer"].StaffID, w.actors["approver"].StaffID, w.actors["deptadmin"].StaffID
	if r := rowOf(t, s, clerk, day); r.Status != attendance.DayOK || r.Half != "am" || r.Leave != "personal" {
		t.Errorf("clerk (morning off, in at 14:33): %+v", r)
	}
	if r := rowOf(t, s, rev, day); r.Status != attendance.DayLate || r.LateMinutes != 20 || r.Half != "am" {
		t.Errorf("reviewer (morning off, in at 14:50): %+v", r)
	}
	if r := rowOf(t, s, appr, day); r.Status != attendance.DayOK || r.Half != "pm" {
		t.Errorf("approver (afternoon off, out at 12:01): %+v", r)
	}
	if r := rowOf(t, s, da, day); r.Status != attendance.DayEarly {
		t.Errorf("deptadmin (no leave, out at 12:01): %+v", r)
	}
	for _, tot := range s.Totals {
		want := 0
		if tot.StaffID == clerk || tot.StaffID == rev || tot.StaffID == appr {
			want = 1
		}
		if tot.HalfLeave != want || tot.Leave != 0 || tot.Present != 1 {
			t.Errorf("totals of %s: %+v", tot.Staff, tot)
		}
	}
}
