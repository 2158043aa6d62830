package catalogue_test

import (
	"context"
	"testing"
	"time"

	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/testutil"
)

// BenchmarkSearch is the public catalogue search of the bench's HTTP row
// (/api/v1/items?q=登记) without HTTP: the demo county's 432 items.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	db := testutil.NewTestDB(b)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		b.Fatal(err)
	}
	svc := &catalogue.Service{DB: db, Now: time.Now}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		items, total, err := svc.List(ctx, catalogue.Filter{Q: "登记"})
		if err != nil || total == 0 || len(items) == 0 {
			b.Fatal(total, err)
		}
	}
}
