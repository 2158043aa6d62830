package bundles

import (
	"context"
	"time"

	"onestop/internal/cases"
	"onestop/internal/store"
)

// nextNumber gives the bundle number: YJS (一件事) + the receiving centre's
// code + YYYYMMDD (Shanghai) + a 4-digit sequence of that centre and day,
// like a case number with its own prefix and counter so the two never
// collide.
func nextNumber(ctx context.Context, q store.Querier, centreID int64, now time.Time) (string, error) {
	return cases.CentreDayNumber(ctx, q, "bundle_numbers", "YJS", centreID, now)
}
