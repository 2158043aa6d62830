package web_test

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"onestop/internal/demo"
)

// BenchmarkPages is one signed-in clerk reading the pages of the bench's
// HTTP rows, one request at a time over loopback, on the demo county with
// a month of cases made through the engine: the CPU and allocations per
// page, which is what limits the 64-client latency on two vCPUs
// (docs/PERFORMANCE.md). Run with -cpuprofile to see where it goes.
func BenchmarkPages(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	// ONESTOP_BENCH_COUNTIES makes the database a province.
	if n, _ := strconv.Atoi(os.Getenv("ONESTOP_BENCH_COUNTIES")); n > 1 {
		if err := demo.EnsureProvince(ctx, f.db, 431022, n, nil); err != nil {
			b.Fatal(err)
		}
	}
	if err := demo.GenerateCases(ctx, f.db, demo.CaseOptions{PerDay: 20, Days: 30, Until: time.Now(), Seed: 431022}); err != nil {
		b.Fatal(err)
	}
	var no string
	if err := f.db.R.QueryRowContext(ctx, `SELECT c.no FROM cases c JOIN staff s ON s.department_id = c.department_id
		WHERE s.username = 'clerk' AND c.closed_at IS NULL ORDER BY c.id LIMIT 1`).Scan(&no); err != nil {
		b.Fatal(err)
	}
	clerk := f.login("clerk")
	anon := f.anon()
	for _, p := range []struct {
		name, path string
		c          *client
	}{
		{"case page", "/cases/" + no, clerk},
		{"inbox", "/workbench", clerk},
		{"catalogue search", "/api/v1/items?q=%E7%99%BB%E8%AE%B0", anon},
		// The public home page (issue 13): hot items, bundles and themes
		// cached, notices, bulletin and five lines of publicity read.
		{"portal home", "/", anon},
		{"portal home, 法人办事", "/?for=company", anon},
	} {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if res, body := p.c.get(p.path); res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d %.200s", p.path, res.StatusCode, body)
				}
			}
		})
	}
}
