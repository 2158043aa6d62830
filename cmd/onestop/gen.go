package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"onestop/internal/demo"
	"onestop/internal/demo/bulk"
)

// cmdGen fills a database with the demo county and a large number of cases
// through the bulk generator, for load tests and benchmarks at scale
// (issue 5). The data keeps every constraint and hash chain, so `serve`
// can continue any case from where it stands and `verify` passes.
func cmdGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen", `onestop gen — fill a database with the demo county, or a synthetic province of
counties, and many cases (bulk, for load tests)

  onestop gen --cases 1000000 --data /tmp/big        SQLite, about 4 minutes per million
  onestop gen --cases 100000 --db postgres://…       PostgreSQL
  onestop gen --counties 120 --cases 10000000 --db postgres://…
                                                     a province: 120 counties, 10 million cases

Cases arrive over the working days up to now (--per-day a day); each moves
as far through its item's steps as its age allows. Run it on an empty
database or one that already holds the same demo county (same --seed);
running it again adds more cases.`, stderr)
	var c common
	c.register(fs)
	n := fs.String("cases", "100000", "how many cases to add (1_000_000 and 1000000 both work)")
	perDay := fs.Int("per-day", 0, "arrivals per working day (default cases/250: one year of arrivals)")
	seed := fs.Int64("seed", 431022, "seed of the demo county and the cases (same seed, same data)")
	counties := fs.Int("counties", 1, fmt.Sprintf("counties of the synthetic province (1 to %d): the demo county and copies of it with their own codes, names and staff", demo.MaxCounties))
	if err := fs.Parse(args); err != nil {
		return err
	}
	total, err := strconv.Atoi(strings.ReplaceAll(*n, "_", ""))
	if err != nil || total <= 0 || total > 100_000_000 {
		return fmt.Errorf("--cases: %q is not a number between 1 and 100000000", *n)
	}
	if *counties < 1 || *counties > demo.MaxCounties {
		return fmt.Errorf("--counties: %d is not between 1 and %d", *counties, demo.MaxCounties)
	}
	if *perDay < 0 {
		return fmt.Errorf("--per-day: %d is negative", *perDay)
	}
	if *perDay == 0 {
		*perDay = max(total/250, 20)
	}
	db, err := openMigrated(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stderr, "database %s %s\n", db.Dialect, db.Location)
	if _, err := demo.Ensure(ctx, db, *seed); err != nil {
		return fmt.Errorf("demo county: %w", err)
	}
	if *counties > 1 {
		if err := demo.EnsureProvince(ctx, db, *seed, *counties, newProgress(stderr).counter("counties")); err != nil {
			return fmt.Errorf("province: %w", err)
		}
	}
	res, err := bulk.Generate(ctx, db, bulk.Options{Cases: total, PerDay: *perDay, Until: time.Now(), Seed: *seed, Progress: newProgress(stderr).counter("cases")})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %d cases, %d events, %d applicants in %.1f s (%.0f cases/min)\n", res.Cases, res.Events, res.Applicants,
		res.Elapsed.Seconds(), float64(res.Cases)/res.Elapsed.Minutes())
	return nil
}
