package bundles

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onestop/internal/clock"
	"onestop/internal/store"
)

// nextNumber gives the bundle number: YJS (一件事) + the receiving centre's
// code + YYYYMMDD (Shanghai) + a 4-digit sequence of that centre and day,
// like a case number with its own prefix so the two never collide.
func nextNumber(ctx context.Context, q store.Querier, centreID int64, now time.Time) (string, error) {
	var code string
	if err := q.QueryRowContext(ctx, `SELECT code FROM centres WHERE id = $1`, centreID).Scan(&code); err != nil {
		return "", fmt.Errorf("centre %d: %w", centreID, err)
	}
	day := now.In(clock.Shanghai).Format("20060102")
	var seq int
	err := q.QueryRowContext(ctx, `INSERT INTO bundle_numbers (centre_id, day, last) VALUES ($1, $2, 1)
		ON CONFLICT (centre_id, day) DO UPDATE SET last = bundle_numbers.last + 1 RETURNING last`, centreID, day).Scan(&seq)
	if err != nil {
		return "", fmt.Errorf("bundle number: %w", err)
	}
	return fmt.Sprintf("YJS%s%s%04d", strings.ToUpper(code), day, seq), nil
}
