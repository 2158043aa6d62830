package tally_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/tally"
	"onestop/internal/testutil"
)

// Two facts on days of one month add up in their day rows and in the one
// month row; an unknown figure is refused before any SQL runs.
func TestAddKeepsDayAndMonth(t *testing.T) {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	now := time.Now()
	if _, err := db.W.ExecContext(ctx, `INSERT INTO regions (code, name, level, created_at, updated_at) VALUES ('330100', 'County', 'county', $1, $1)`, now); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO centres (id, code, name, kind, region_code, created_at, updated_at) VALUES (7, 'C7', 'Hall', 'hall', '330100', $1, $1)`,
		`INSERT INTO departments (id, code, name, short_name, mode, created_at, updated_at) VALUES (3, 'D3', 'Dept', 'D', 'seated', $1, $1)`,
	} {
		if _, err := db.W.ExecContext(ctx, q, now); err != nil {
			t.Fatal(err)
		}
	}
	add := func(day string, figs map[tally.Column]int) {
		t.Helper()
		k := tally.Key{Day: calendar.MustParseDate(day), DepartmentID: 3, CentreID: 7}
		if err := tally.Add(ctx, db.W, k, figs); err != nil {
			t.Fatal(err)
		}
	}
	add("2026-03-02", map[tally.Column]int{tally.Received: 1, tally.ReceivedOnline: 1})
	add("2026-03-02", map[tally.Column]int{tally.Received: 1})
	add("2026-03-31", map[tally.Column]int{tally.Completed: 1, tally.UsedDays: 4})
	var dayRecv, monthRecv, monthUsed int
	if err := db.W.QueryRowContext(ctx, `SELECT received FROM supervision_totals WHERE day = $1`, calendar.MustParseDate("2026-03-02").Time(time.UTC)).Scan(&dayRecv); err != nil {
		t.Fatal(err)
	}
	if err := db.W.QueryRowContext(ctx, `SELECT received, used_days FROM supervision_months WHERE day = $1`, calendar.MustParseDate("2026-03-01").Time(time.UTC)).Scan(&monthRecv, &monthUsed); err != nil {
		t.Fatal(err)
	}
	if dayRecv != 2 || monthRecv != 2 || monthUsed != 4 {
		t.Fatalf("day received %d, month received %d used %d; want 2, 2, 4", dayRecv, monthRecv, monthUsed)
	}
	if err := tally.Add(ctx, db.W, tally.Key{Day: calendar.MustParseDate("2026-03-02"), DepartmentID: 3, CentreID: 7},
		map[tally.Column]int{"received = 0; DROP TABLE cases; --": 1}); err == nil {
		t.Fatal("an unknown figure reached SQL")
	}
}
