package demo_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/demo"
	"onestop/internal/testutil"
)

// The demo shows last year's reports: the department's published (its
// tables add up, or it could not have been), the government's a draft,
// and a few reviews; seeding twice changes nothing.
func TestSeedDisclosureReports(t *testing.T) {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 2, 20, 2, 0, 0, 0, time.UTC)
	for range 2 {
		if err := demo.SeedDisclosureReports(ctx, db, until); err != nil {
			t.Fatal(err)
		}
	}
	var published, drafts, appeals, entries int
	db.R.QueryRow(`SELECT COUNT(*) FROM disclosure_reports WHERE year = 2025 AND status = 'published'`).Scan(&published)
	db.R.QueryRow(`SELECT COUNT(*) FROM disclosure_reports WHERE year = 2025 AND status = 'draft'`).Scan(&drafts)
	db.R.QueryRow(`SELECT COUNT(*) FROM disclosure_appeals`).Scan(&appeals)
	db.R.QueryRow(`SELECT COUNT(*) FROM disclosure_entries WHERE source = 'report'`).Scan(&entries)
	if published != 1 || drafts != 1 || appeals != 3 || entries != 1 {
		t.Fatalf("published %d, drafts %d, appeals %d, entries %d", published, drafts, appeals, entries)
	}
}
