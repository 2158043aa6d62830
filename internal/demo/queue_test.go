package demo_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/clock"
	"onestop/internal/demo"
	"onestop/internal/queue"
	"onestop/internal/testutil"
)

// The demo hall's day of tickets: yesterday's all called, most served,
// waits and services that the figures read back; this morning a line in
// every group; a second run adds nothing.
func TestEnsureQueue(t *testing.T) {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC) // 11:00 in Shanghai
	for range 2 {
		if err := demo.EnsureQueue(ctx, db, now); err != nil {
			t.Fatal(err)
		}
	}
	svc := &queue.Service{DB: db, Now: func() time.Time { return now }}
	var hall int64
	if err := db.R.QueryRowContext(ctx, `SELECT id FROM centres WHERE kind = 'hall'`).Scan(&hall); err != nil {
		t.Fatal(err)
	}
	today := clock.Today(now)
	f, err := svc.Figures(ctx, hall, today.AddDays(-1), today.AddDays(-1))
	if err != nil {
		t.Fatal(err)
	}
	if f.Total.Issued < 100 || f.Total.NeverCalled != 0 || f.Total.NoShows == 0 || f.Total.Service.Count == 0 ||
		f.Total.Wait.Mean <= 0 || len(f.Groups) != 5 {
		t.Fatalf("yesterday: %+v (%d groups)", f.Total, len(f.Groups))
	}
	sc, err := svc.Screen(ctx, hall)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Calls) != 5 {
		t.Errorf("this morning's calls: %+v", sc.Calls)
	}
	for _, g := range sc.Groups {
		if g.Waiting < 2 {
			t.Errorf("group %s: %d waiting this morning", g.Prefix, g.Waiting)
		}
	}
}
