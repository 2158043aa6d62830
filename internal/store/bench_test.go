package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"onestop/internal/testutil"
)

// BenchmarkDurableCommit is the physical limit the engine's transitions are
// compared with: one single-row insert per committed transaction.
func BenchmarkDurableCommit(b *testing.B) {
	db := testutil.NewTestDB(b)
	ctx := context.Background()
	now := time.Now().UTC()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO login_failures (account, address, at) VALUES ($1, $2, $3)`, "bench", "127.0.0.1", now)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}
