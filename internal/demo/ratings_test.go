package demo_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/demo"
	"onestop/internal/tally"
	"onestop/internal/testutil"
)

// The demo's ratings: some decided cases rated, one bad rating closed
// after a revisit, one left open; the running totals agree with a
// recount; a second run adds nothing.
func TestSeedRatings(t *testing.T) {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	if err := demo.GenerateCases(ctx, db, demo.CaseOptions{PerDay: 6, Days: 40, Until: until, Seed: 431022}); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedRatings(ctx, db, 431022, until); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		var n int
		if err := db.R.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	total := count(`SELECT COUNT(*) FROM ratings`)
	closed := count(`SELECT COUNT(*) FROM rectifications WHERE closed_at IS NOT NULL AND revisited_at IS NOT NULL`)
	open := count(`SELECT COUNT(*) FROM rectifications WHERE closed_at IS NULL`)
	if total < 3 || closed != 1 || open < 1 {
		t.Fatalf("%d ratings, %d closed with a revisit, %d open", total, closed, open)
	}
	if diffs, err := tally.Check(ctx, db); err != nil || len(diffs) != 0 {
		t.Fatalf("totals: %v %v", diffs, err)
	}
	if err := demo.SeedRatings(ctx, db, 431022, until); err != nil || count(`SELECT COUNT(*) FROM ratings`) != total {
		t.Fatalf("second run: %v", err)
	}
}
