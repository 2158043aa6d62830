package catalogue_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/testutil"
)

// BenchmarkSearch is the public catalogue search of the bench's HTTP row
// (/api/v1/items?q=登记) without HTTP, and a page deep in the whole list
// (what the bulk generator and an export read), and one county's search
// (a county portal's): on the demo county's 432 items and on a synthetic
// province of 20 counties (8 640 items).
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	for _, counties := range []int{1, 20} {
		db := testutil.NewTestDB(b)
		if _, err := demo.Ensure(ctx, db, 431022); err != nil {
			b.Fatal(err)
		}
		if err := demo.EnsureProvince(ctx, db, 431022, counties, nil); err != nil {
			b.Fatal(err)
		}
		svc := &catalogue.Service{DB: db, Now: time.Now}
		for _, c := range []struct {
			name string
			f    catalogue.Filter
		}{{"q=登记", catalogue.Filter{Q: "登记"}}, {"county+q=登记", catalogue.Filter{Q: "登记", County: "431022"}},
			{"page", catalogue.Filter{Limit: 100, Offset: 300}}} {
			b.Run(fmt.Sprintf("counties=%d/%s", counties, c.name), func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					items, total, err := svc.List(ctx, c.f)
					if err != nil || total == 0 || len(items) == 0 {
						b.Fatal(total, err)
					}
				}
			})
		}
	}
}
