package demo_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/demo"
	"onestop/internal/testutil"
)

// The demo's payment notices: some paid, some due, each case marked as its
// notice stands; a second run adds nothing.
func TestSeedPayments(t *testing.T) {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	if err := demo.GenerateCases(ctx, db, demo.CaseOptions{PerDay: 6, Days: 40, Until: until, Seed: 431022}); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		var n int
		if err := db.R.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for run := 0; run < 2; run++ {
		if err := demo.SeedPayments(ctx, db, until); err != nil {
			t.Fatal(err)
		}
	}
	paid, due := count(`SELECT COUNT(*) FROM payment_notices WHERE state = 'paid'`), count(`SELECT COUNT(*) FROM payment_notices WHERE state = 'due'`)
	if paid == 0 || due == 0 || paid+due > 24 {
		t.Errorf("notices: %d paid, %d due", paid, due)
	}
	if n := count(`SELECT COUNT(*) FROM cases WHERE payment = 'paid'`); n != paid {
		t.Errorf("%d cases paid, %d notices", n, paid)
	}
}
