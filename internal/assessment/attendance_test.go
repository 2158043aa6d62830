package assessment_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/assessment"
	"onestop/internal/calendar"
	"onestop/internal/cases"
)

// The attendance indicator judges days by the attendance sheets' own
// rule: a late arrival costs its day, approved leave leaves the day out
// (leave approved only after the period does not reach back), and a
// working day without a punch is an absence.
func TestAttendanceByTheSheetsRule(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	sh := func(day string, h, m int) time.Time { // Shanghai wall time
		d := calendar.MustParseDate(day)
		return time.Date(d.Year, d.Month, d.Day, h-8, m, 0, 0, time.UTC)
	}
	punch := func(at time.Time) {
		w.exec(`INSERT INTO punches (staff_id, centre_id, at, direction, source, created_at) VALUES ($1, $2, $3, '', 'device', $3)`,
			w.clerk.StaffID, w.clerk.CentreID, at)
	}
	punch(sh("2026-01-05", 8, 20)) // on time
	punch(sh("2026-01-05", 17, 40))
	punch(sh("2026-01-06", 9, 10)) // late
	punch(sh("2026-01-06", 17, 40))
	leave := func(from, to string, decided time.Time) {
		w.exec(`INSERT INTO leave_requests (staff_id, centre_id, department_id, kind, from_day, to_day, reason, state, filed_at, decided_by, decided_at)
			VALUES ($1, $2, $3, 'sick', $4, $5, '病假', 'approved', $6, $7, $6)`, w.clerk.StaffID, w.clerk.CentreID, w.clerk.DepartmentID, from, to, decided, w.deptAdmin.StaffID)
	}
	leave("2026-01-07", "2026-01-08", sh("2026-01-04", 10, 0))
	leave("2026-01-09", "2026-01-09", sh("2026-04-02", 10, 0)) // approved after the quarter

	x, err := w.svc.Run(ctx, w.sup, assessment.RunInput{Kind: assessment.Quarter, Year: 2026, N: 1})
	if err != nil {
		t.Fatal(err)
	}
	cal, err := cases.Calendar(ctx, w.db.R)
	if err != nil {
		t.Fatal(err)
	}
	wd := 0
	for d := calendar.MustParseDate("2026-01-01"); !d.After(calendar.MustParseDate("2026-03-31")); d = d.AddDays(1) {
		if ok, _ := cal.IsWorkingDay(d); ok {
			wd++
		}
	}
	want := assessment.Input{Num: 1, Den: wd - 2}
	for _, r := range []assessment.Row{row(t, x, assessment.Person, w.clerk.StaffID), row(t, x, assessment.Window, w.clerk.WindowID)} {
		if s := score(t, r, assessment.Attendance); s.Input != want {
			t.Errorf("%s: attendance %+v, want %+v (one clean day; the late day counts against; two leave days out)", r.Subject.Level, s.Input, want)
		}
	}
	cmp, err := w.svc.Recompute(ctx, w.sup, x.ID)
	if err != nil || !cmp.Identical {
		t.Fatalf("recompute: %+v %v", cmp != nil && cmp.Identical, err)
	}
}
