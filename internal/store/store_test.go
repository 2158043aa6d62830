package store_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/testutil"
)

// Times written in UTC come back as the same instant on both engines, and
// compare in SQL in time order (SQLite stores them as text).
func TestTimeRoundTripAndOrder(t *testing.T) {
	db := testutil.NewTestDB(t)
	ctx := context.Background()
	base := time.Date(2026, 2, 14, 9, 30, 0, 0, time.UTC)
	times := []time.Time{base, base.Add(1500 * time.Millisecond), base.Add(123 * time.Millisecond), base.Add(time.Second)}
	for i, ts := range times {
		if _, err := db.W.ExecContext(ctx, `INSERT INTO login_failures (account, address, at) VALUES ($1, $2, $3)`, "a", string(rune('a'+i)), ts); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.R.QueryContext(ctx, `SELECT at FROM login_failures WHERE at > $1 ORDER BY at`, base.Add(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []time.Time
	for rows.Next() {
		var ts time.Time
		if err := rows.Scan(&ts); err != nil {
			t.Fatal(err)
		}
		got = append(got, ts)
	}
	want := []time.Time{times[2], times[3], times[1]}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("row %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func TestMigrateTwiceIsHarmless(t *testing.T) {
	db := testutil.NewTestDB(t)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	applied, total, err := db.MigrationStatus(context.Background())
	if err != nil || applied != total || total == 0 {
		t.Fatalf("status: applied %d of %d, err %v", applied, total, err)
	}
}

// Exec is a transaction of one statement: its effect is committed and
// visible to readers, its result is returned, and a failing statement
// changes nothing.
func TestExecCommitsOneStatement(t *testing.T) {
	db := testutil.NewTestDB(t)
	ctx := context.Background()
	at := time.Date(2026, 2, 14, 9, 30, 0, 0, time.UTC)
	res, err := db.Exec(ctx, `INSERT INTO login_failures (account, address, at) VALUES ($1, $2, $3)`, "a", "x", at)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Errorf("RowsAffected = %d", n)
	}
	if _, err := db.Exec(ctx, `INSERT INTO login_failures (account, address, at) VALUES ($1, $2, NULL)`, "b", "y"); err == nil {
		t.Fatal("NULL time stored")
	}
	var n int
	if err := db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows: %d, %v", n, err)
	}
}
