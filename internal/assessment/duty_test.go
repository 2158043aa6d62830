package assessment_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/assessment"
	"onestop/internal/calendar"
	"onestop/internal/duty"
	"onestop/internal/org"
)

// The leaders'-duty indicator reads each month of the period with the
// head and the required days in force at the month's end and the days
// recorded by the period's end: changing the head and the requirement,
// recording a day by hand and a late punch upload afterwards change
// neither a recomputation nor a new run of the same quarter.
func TestDutyIndicatorAsOfThePeriod(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	dept, centre, win := w.clerk.DepartmentID, w.clerk.CentreID, w.clerk.WindowID
	var head int64
	if err := w.db.R.QueryRow(`SELECT MIN(id) FROM staff WHERE department_id = $1 AND role = 'approver' AND retired_at IS NULL`, dept).Scan(&head); err != nil {
		t.Fatal(err)
	}
	w.exec(`UPDATE departments SET head_id = $1 WHERE id = $2`, head, dept)
	day := func(d string) int64 {
		w.exec(`INSERT INTO duty_days (department_id, centre_id, window_id, staff_id, day, scheduled_by, scheduled_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			dept, centre, win, head, d, w.sup.StaffID, at("2026-01-02", 2))
		var id int64
		if err := w.db.R.QueryRow(`SELECT id FROM duty_days WHERE department_id = $1 AND day = $2`, dept, d).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	punch := func(d string, created time.Time) {
		w.exec(`INSERT INTO punches (staff_id, centre_id, window_id, at, direction, source, created_at) VALUES ($1, $2, $3, $4, 'in', 'device', $5)`,
			head, centre, win, at(d, 1), created)
	}
	// January: both days sat. February: one of two. March: one
	// scheduled, not sat.
	day("2026-01-06")
	day("2026-01-07")
	day("2026-02-03")
	day("2026-02-04")
	mar3 := day("2026-03-03")
	punch("2026-01-06", at("2026-01-06", 1))
	punch("2026-01-07", at("2026-01-07", 1))
	punch("2026-02-03", at("2026-02-03", 1))

	x, err := w.svc.Run(ctx, w.sup, assessment.RunInput{Kind: assessment.Quarter, Year: 2026, N: 1})
	if err != nil {
		t.Fatal(err)
	}
	d := score(t, row(t, x, assessment.Department, dept), assessment.Duty)
	// Required 2 a month (the default) × 3 months; met 2 + 1 + 0.
	if d.Input != (assessment.Input{Num: 3, Den: 6}) || d.Points == nil || *d.Points != 50 {
		t.Fatalf("duty %+v points %v, want 3 of 6 = 50", d.Input, d.Points)
	}
	if s := score(t, row(t, x, assessment.Window, win), assessment.Duty); s.Points != nil {
		t.Fatalf("a window scored on duty: %+v", s)
	}

	// After the quarter: a new head, a higher requirement, a missed day
	// recorded by hand, another's punch uploaded late, a March day
	// scheduled and punched afterwards.
	later := func() time.Time { return now }
	admin := actorOf(t, w, "admin")
	if _, err := (&org.Service{DB: w.db, Now: later}).SetDepartmentLeads(ctx, admin, dept, org.LeadsInput{HeadID: w.clerk.StaffID}); err != nil {
		t.Fatal(err)
	}
	ds := &duty.Service{DB: w.db, Now: later}
	if err := ds.SetRequired(ctx, admin, centre, 5); err != nil {
		t.Fatal(err)
	}
	if err := ds.RecordManually(ctx, admin, mar3, "终端故障，补录"); err != nil {
		t.Fatal(err)
	}
	w.exec(`INSERT INTO duty_days (department_id, centre_id, window_id, staff_id, day, scheduled_by, scheduled_at) VALUES ($1, $2, $3, $4, '2026-03-10', $5, $6)`,
		dept, centre, win, head, w.sup.StaffID, now)
	punch("2026-03-10", now)
	punch("2026-02-04", now)

	cmp, err := w.svc.Recompute(ctx, w.sup, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Identical {
		t.Fatalf("recompute after the changes: %v %v", cmp.Different, err)
	}
	again, err := w.svc.Run(ctx, w.sup, assessment.RunInput{Kind: assessment.Quarter, Year: 2026, N: 1})
	if err != nil {
		t.Fatal(err)
	}
	if d2 := score(t, row(t, again, assessment.Department, dept), assessment.Duty); d2.Input != d.Input {
		t.Fatalf("a new run of the old quarter: %+v, want %+v", d2.Input, d.Input)
	}
	// The duty page reads the past month as it was, the running one as now.
	jan, err := ds.Month(ctx, admin, calendar.MustParseDate("2026-01-01"), dept)
	if err != nil || len(jan) != 1 || jan[0].HeadID != head || jan[0].Required != 2 {
		t.Fatalf("January as it was: %+v %v", jan, err)
	}
	may, err := ds.Month(ctx, admin, calendar.MustParseDate("2026-05-01"), dept)
	if err != nil || len(may) != 1 || may[0].HeadID != w.clerk.StaffID || may[0].Required != 5 {
		t.Fatalf("this month: %+v %v", may, err)
	}
}

func actorOf(t *testing.T, w *world, username string) org.Actor {
	t.Helper()
	st, err := (&org.Service{DB: w.db, Now: time.Now}).StaffByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	return st.Actor("192.0.2.1")
}
