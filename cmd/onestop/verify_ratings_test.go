package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"onestop/internal/demo"
)

// The demo's ratings leave the rating totals equal to a recount; a
// changed ratings figure makes verify fail and name it; --recount
// repairs it.
func TestVerifyRecountsTheRatingTotals(t *testing.T) {
	args, db := demoDB(t, 30)
	if err := demo.SeedRatings(context.Background(), db, 1, time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.R.QueryRow(`SELECT COUNT(*) FROM supervision_totals WHERE ratings > 0`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("the demo's ratings left no totals: %d %v", n, err)
	}
	code, out, errOut := runCmd(t, append([]string{"verify"}, args...)...)
	if code != 0 || !strings.Contains(out, "supervision totals equal a recount") {
		t.Fatalf("verify clean: %d %s %s", code, out, errOut)
	}
	if _, err := db.W.Exec(`UPDATE supervision_totals SET ratings_bad = ratings_bad + 1 WHERE ratings > 0`); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCmd(t, append([]string{"verify"}, args...)...)
	if code == 0 || !strings.Contains(out, "ratings_bad stored") {
		t.Fatalf("verify tampered: %d %s", code, out)
	}
	code, out, errOut = runCmd(t, append([]string{"verify", "--recount"}, args...)...)
	if code != 0 || !strings.Contains(out, "supervision totals equal a recount") {
		t.Fatalf("verify --recount: %d %s %s", code, out, errOut)
	}
}
