package demo_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/demo"
	"onestop/internal/testutil"
)

// The demo's disclosure requests: every stage present, one overdue
// (received 25 working days ago), the demo applicant's two online
// requests (one waiting for their supplement); a second run adds nothing.
func TestEnsureDisclosureRequests(t *testing.T) {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	for range 2 {
		if err := demo.EnsureDisclosureRequests(ctx, db, now); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]int{"filed": 1, "open": 2, "supplement": 1, "consulting": 1, "fee_due": 1, "closed": 3}
	for st, n := range want {
		var got int
		if err := db.R.QueryRow(`SELECT COUNT(*) FROM disclosure_requests WHERE status = $1`, st).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != n {
			t.Errorf("%s: %d requests, want %d", st, got, n)
		}
	}
	var overdue, mine int
	db.R.QueryRow(`SELECT COUNT(*) FROM disclosure_requests WHERE status = 'open' AND due_on < '2026-12-04'`).Scan(&overdue)
	db.R.QueryRow(`SELECT COUNT(*) FROM disclosure_requests r JOIN applicants a ON a.id = r.applicant_id WHERE a.id_number = $1`, demo.DisclosureApplicant).Scan(&mine)
	if overdue != 1 || mine != 2 {
		t.Fatalf("%d overdue, %d of the demo applicant's", overdue, mine)
	}
}
