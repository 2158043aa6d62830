package demo_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/cases"
	"onestop/internal/demo"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

// attendanceDemo is the demo county with its calendar, the moment its
// attendance is seeded up to, and a counter of rows.
func attendanceDemo(t *testing.T) (*store.DB, time.Time, func(string) int) {
	t.Helper()
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	if err := cases.EnsureCalendar(ctx, db, until); err != nil {
		t.Fatal(err)
	}
	return db, until, func(q string) int {
		var n int
		if err := db.R.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// The demo hall's month of attendance: a terminal, enrolled clerks,
// punches with a few late arrivals, one approved leave; seeding twice
// adds nothing.
func TestSeedAttendance(t *testing.T) {
	ctx := context.Background()
	db, until, count := attendanceDemo(t)
	for i := 0; i < 2; i++ {
		if err := demo.SeedAttendance(ctx, db, 431022, until); err != nil {
			t.Fatal(err)
		}
	}
	punches := count(`SELECT COUNT(*) FROM punches`)
	if punches < 200 || count(`SELECT COUNT(*) FROM attendance_devices`) != 1 || count(`SELECT COUNT(*) FROM leave_requests WHERE state = 'approved'`) != 1 {
		t.Fatalf("%d punches, devices/leave wrong", punches)
	}
	if count(`SELECT COUNT(*) FROM staff WHERE attendance_pin <> '' AND role <> 'clerk'`) != 0 {
		t.Fatal("someone other than a clerk is enrolled")
	}
}

// The remainder's attendance demo: a terminal on a window, an approved
// morning's leave judged from the afternoon on the sheet, a pending
// afternoon's leave; seeding twice adds nothing.
func TestSeedAttendanceMore(t *testing.T) {
	ctx := context.Background()
	db, until, count := attendanceDemo(t)
	if err := demo.SeedAttendance(ctx, db, 431022, until); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := demo.SeedAttendanceMore(ctx, db, until); err != nil {
			t.Fatal(err)
		}
	}
	if count(`SELECT COUNT(*) FROM attendance_devices WHERE window_id IS NOT NULL`) != 1 ||
		count(`SELECT COUNT(*) FROM leave_requests WHERE half = 'am' AND state = 'approved'`) != 1 ||
		count(`SELECT COUNT(*) FROM leave_requests WHERE half = 'pm' AND state = 'pending'`) != 1 {
		t.Fatal("the half-day leave or the window's terminal is missing, or seeded twice")
	}
}
