package bench

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/demo/bulk"
	"onestop/internal/store"
	"onestop/internal/tally"
	"onestop/internal/testutil"
)

func TestPercentileNearestRank(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}, {0.5, time.Millisecond}} {
		if got := Percentile(d, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if got := Percentile(nil, 99); got != 0 {
		t.Errorf("empty: %v", got)
	}
	if got := Percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("one value: %v", got)
	}
	// Three values: p50 is the second (rank ceil(1.5) = 2), p99 the third.
	three := []time.Duration{3, 1, 2}
	if Percentile(three, 50) != 2 || Percentile(three, 99) != 3 {
		t.Errorf("three values: %v %v", Percentile(three, 50), Percentile(three, 99))
	}
}

func TestMedian(t *testing.T) {
	if m := Median([]float64{5, 1, 3}); m != 3 {
		t.Errorf("odd: %v", m)
	}
	if m := Median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("even: %v", m)
	}
	if m := Median(nil); m != 0 {
		t.Errorf("empty: %v", m)
	}
}

func TestFormatValue(t *testing.T) {
	for _, c := range []struct {
		v    float64
		unit string
		want string
	}{{5512.4, "commits/s", "5512"}, {73.94, "transitions/s", "73.9"}, {0.456, "ms", "0.46"}, {12.34, "ms", "12.3"}, {1437.2, "ms", "1437"}, {104, "MB", "104"}} {
		if got := FormatValue(c.v, c.unit); got != c.want {
			t.Errorf("FormatValue(%v, %q) = %q, want %q", c.v, c.unit, got, c.want)
		}
	}
}

func TestWriteTableEndsWithRatio(t *testing.T) {
	rows := []Row{
		Row{What: "raw durable single-row commits, 1 client", Engine: "sqlite", Size: 444, Value: 5000, Unit: "commits/s", Note: "WAL, FULL"}.withRaw(5000),
		Row{What: "case transitions, 1 client", Engine: "sqlite", Size: 444, Value: 2600, Unit: "transitions/s"}.withRaw(5000).target("≥ 0.5 × raw", true),
		Row{What: "HTTP GET /api/v1/items?q=登记, p99", Engine: "sqlite", Size: 444, Value: 3.25, Unit: "ms"},
		{What: "HTTP GET /workbench", Engine: "sqlite", Skipped: true, Note: "route GET /workbench is not registered yet"},
		{What: "raw again", Engine: "sqlite", Value: 1, Unit: "commits/s", Note: "WAL, FULL"},
	}
	var b bytes.Buffer
	if err := WriteTable(&b, rows); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if !strings.HasSuffix(lines[0], "ratio") || !strings.HasPrefix(lines[1], "---") {
		t.Fatalf("header:\n%s", out)
	}
	if !strings.HasSuffix(lines[2], "5000   1.00") || !strings.HasSuffix(lines[3], "5000   0.52") {
		t.Errorf("rows must end with the raw limit and the ratio:\n%s", out)
	}
	if !strings.Contains(lines[3], "yes") || !strings.Contains(lines[3], "≥ 0.5 × raw") {
		t.Errorf("target and met missing:\n%s", out)
	}
	if !strings.Contains(lines[5], "skipped") || !strings.Contains(lines[5], "[2]") || !strings.Contains(out, "[2] route GET /workbench is not registered yet") {
		t.Errorf("skipped row and its note:\n%s", out)
	}
	if strings.Count(out, "WAL, FULL") != 1 || !strings.Contains(lines[6], "raw again [1]") {
		t.Errorf("rows with the same note should share its number:\n%s", out)
	}
	// Columns line up even with Chinese text (two columns per character).
	col := func(l string) int { return displayWidth(l[:strings.Index(l, "sqlite")]) }
	if col(lines[2]) != col(lines[4]) {
		t.Errorf("engine column not aligned:\n%s", out)
	}
	for _, l := range lines {
		if strings.HasSuffix(l, " ") {
			t.Errorf("trailing space in %q", l)
		}
	}
}

// county is a migrated test database with the demo county.
func county(t *testing.T) *store.DB {
	t.Helper()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(context.Background(), db, 431022); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestBulkVerifiesAndContinues: bulk data passes `onestop verify`, keeps
// every constraint (the inserts would fail otherwise), leaves history
// closed, and the engine can continue its cases and number new ones.
func TestBulkVerifiesAndContinues(t *testing.T) {
	ctx := context.Background()
	db := county(t)
	now := time.Now()
	res, err := bulk.Generate(ctx, db, bulk.Options{Cases: 600, PerDay: 40, Until: now, Seed: 3, Batch: 250})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cases != 600 || res.Events < 1800 || res.Applicants == 0 {
		t.Fatalf("result %+v", res)
	}
	// History well before now: every case has run to its end.
	hist, err := bulk.Generate(ctx, db, bulk.Options{Cases: 400, PerDay: 40, Until: now.AddDate(0, -3, 0), Now: now, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	var n, open, openOld int
	q := func(dst *int, sql string, args ...any) {
		t.Helper()
		if err := db.R.QueryRowContext(ctx, sql, args...).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	q(&n, `SELECT COUNT(*) FROM cases`)
	q(&open, `SELECT COUNT(*) FROM cases WHERE closed_at IS NULL`)
	q(&openOld, `SELECT COUNT(*) FROM cases WHERE closed_at IS NULL AND received_at < $1`, now.AddDate(0, -2, 0).UTC())
	if n != 1000 || open == 0 || openOld != 0 {
		t.Fatalf("cases %d, open %d, open in the history %d (history %+v)", n, open, openOld, hist)
	}
	brk, events, err := cases.Verify(ctx, db)
	if err != nil || brk != nil || events != res.Events+hist.Events {
		t.Fatalf("verify: %v %v, %d events (want %d)", brk, err, events, res.Events+hist.Events)
	}
	// The bulk load recounted the running totals: they equal a recount.
	if diffs, err := tally.Check(ctx, db); err != nil || len(diffs) != 0 {
		t.Fatalf("totals after the bulk load: %v %v", diffs, err)
	}
	// The version is the number of events, as the engine keeps it.
	var bad int
	q(&bad, `SELECT COUNT(*) FROM cases c WHERE version <> (SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id)`)
	if bad != 0 {
		t.Fatalf("%d cases whose version is not their event count", bad)
	}

	// The engine continues a generated case in review where it stands.
	cat := &catalogue.Service{DB: db, Now: time.Now}
	eng := cases.New(db, cat, time.Now)
	var no string
	err = db.R.QueryRowContext(ctx, `SELECT no FROM cases WHERE state = 'in_progress' AND NOT paused
		AND assignee_id IS NOT NULL ORDER BY id DESC LIMIT 1`).Scan(&no)
	if err != nil {
		t.Fatalf("no case in review to continue: %v", err)
	}
	c := continueCase(t, db, eng, no)
	if c.Version < 3 {
		t.Fatalf("version %d after continuing", c.Version)
	}
	// And numbers new cases after the generated ones of today, which the
	// engine then runs to the end.
	f, err := chooseFlow(ctx, db, 0)
	if err != nil {
		t.Fatal(err)
	}
	nos, err := bulk.PrepareReceived(ctx, db, 5, bulk.Fixed{Item: f.item, Clerk: f.clerk}, 9)
	if err != nil || len(nos) != 5 {
		t.Fatalf("prepare: %v %v", nos, err)
	}
	for _, s := range f.steps {
		if _, err := eng.Act(ctx, s.actor, nos[0], s.action, s.in); err != nil {
			t.Fatalf("prepared case %s: %s: %v", nos[0], s.action, err)
		}
	}
	if brk, _, err := cases.Verify(ctx, db); err != nil || brk != nil {
		t.Fatalf("verify after the engine: %v %v", brk, err)
	}
}

// continueCase has the case's assignee approve it, or forward it when it
// is not at the decision step yet, through the engine.
func continueCase(t *testing.T, db *store.DB, eng *cases.Service, no string) *cases.Case {
	t.Helper()
	ctx := context.Background()
	var assignee int64
	if err := db.R.QueryRowContext(ctx, `SELECT assignee_id FROM cases WHERE no = $1`, no).Scan(&assignee); err != nil {
		t.Fatal(err)
	}
	staff, err := bulk.LoadStaff(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var holder bulk.Staff
	for _, s := range staff {
		if s.ID == assignee {
			holder = s
		}
	}
	a := cases.StaffActor(orgActor(holder))
	c, err := eng.Act(ctx, a, no, cases.ActApprove, cases.Input{Opinion: "同意"})
	if err != nil {
		c, err = eng.Act(ctx, a, no, cases.ActForward, cases.Input{Opinion: "同意"})
	}
	if err != nil {
		t.Fatalf("engine on generated case %s: %v", no, err)
	}
	return c
}

// TestRunTiny runs the whole table at a toy size on the test database: the
// rows are there and write rates carry the raw limit and their ratio.
// Timing is not asserted (these machines are noisy).
func TestRunTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end run")
	}
	db := testutil.NewTestDB(t)
	var log bytes.Buffer
	rep, err := Run(context.Background(), Options{Quick: true, DB: db, Clients: 4, Duration: 300 * time.Millisecond, tiny: true, Log: &log, Verbose: true,
		Counties: 2})
	if err != nil {
		t.Fatalf("run: %v\n%s", err, log.String())
	}
	has := func(prefix string) *Row {
		for i := range rep.Rows {
			if strings.HasPrefix(rep.Rows[i].What, prefix) {
				return &rep.Rows[i]
			}
		}
		t.Errorf("no row %q", prefix)
		return &Row{}
	}
	raw := has("raw durable single-row commits, 1 client")
	if raw.Value <= 0 || raw.Ratio != 1 {
		t.Errorf("raw row %+v", raw)
	}
	for _, p := range []string{"case transitions, 1 client", "case transitions, 4 clients"} {
		r := has(p)
		if r.Value <= 0 || r.Raw != raw.Value || r.Ratio <= 0 || r.Met == nil {
			t.Errorf("%s: %+v", p, r)
		}
	}
	// The bundle row (issue 14 §1): bundles of three through their whole
	// life, its ratio the time of one over one case's lifecycle.
	single, bundle := has("single case lifecycle, 1 client"), has("bundle of 3 items (BL-005), 1 client")
	if single.Value <= 0 || bundle.Value <= 0 || bundle.Unit != "bundles/s" || bundle.Ratio != single.Value/bundle.Value {
		t.Errorf("lifecycle rows: %+v %+v", single, bundle)
	}
	var delivered, other int
	if err := db.R.QueryRow(`SELECT COUNT(*) FILTER (WHERE state = 'delivered'), COUNT(*) FILTER (WHERE state <> 'delivered') FROM bundles`).Scan(&delivered, &other); err != nil {
		t.Fatal(err)
	}
	// Three at least, each taken to its combined delivery (the demo's
	// own three bundles, seeded on the last demo day, are the others:
	// two BL-005 and the BL-006 with its notice due).
	if delivered < 3 || other > 3 {
		t.Errorf("bundles delivered %d, other %d", delivered, other)
	}
	for _, p := range []string{"open cases by light", "a month's bulletin per department (", "a month's bulletin per department, saturated totals (", "a month's bulletin per county (", "a month's bulletin per department of county 431022 (", "deadline scan (", "deadline scan after +300 closed", "verify every case",
		"HTTP GET /api/v1/items?q=登记&county= (one county's", "HTTP GET /api/v1/items?q=登记 (public"} {
		has(p)
	}
	for _, r := range rep.Rows {
		if strings.HasPrefix(r.What, "HTTP") && !r.Skipped && r.Value <= 0 {
			t.Errorf("HTTP row without a value: %+v", r)
		}
		if r.Engine != string(db.Dialect) {
			t.Errorf("engine %q in %+v", r.Engine, r)
		}
	}
	if !strings.Contains(log.String(), "plan of deadline scan") {
		t.Errorf("no query plan in the verbose log")
	}
	var b bytes.Buffer
	if err := WriteTable(&b, rep.Rows); err != nil || !strings.Contains(b.String(), "case transitions") {
		t.Errorf("table: %v\n%s", err, b.String())
	}
}

// BenchmarkTransitions is the Go-benchmark form of the transitions row, for
// profiling (go test -bench Transitions -cpuprofile …): single-client
// transitions through the engine, beside the raw durable commit rate of
// the same database measured just before.
func BenchmarkTransitions(b *testing.B) {
	ctx := context.Background()
	db := testutil.NewTestDB(b)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		b.Fatal(err)
	}
	// ONESTOP_BENCH_COUNTIES makes it a province (the catalogue and
	// organisation 120 times the county's, for instance).
	if n, _ := strconv.Atoi(os.Getenv("ONESTOP_BENCH_COUNTIES")); n > 1 {
		if err := demo.EnsureProvince(ctx, db, 431022, n, nil); err != nil {
			b.Fatal(err)
		}
	}
	raw, err := rawCommits(ctx, db, 1, time.Second)
	if err != nil {
		b.Fatal(err)
	}
	f, err := chooseFlow(ctx, db, 0)
	if err != nil {
		b.Fatal(err)
	}
	nos, err := bulk.PrepareReceived(ctx, db, b.N/len(f.steps)+1, bulk.Fixed{Item: f.item, Clerk: f.clerk}, 1)
	if err != nil {
		b.Fatal(err)
	}
	eng := cases.New(db, &catalogue.Service{DB: db, Now: time.Now}, time.Now)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := f.steps[i%len(f.steps)]
		if _, err := eng.Act(ctx, s.actor, nos[i/len(f.steps)], s.action, s.in); err != nil {
			b.Fatal(err)
		}
	}
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "transitions/s")
	b.ReportMetric(raw, "raw-commits/s")
	b.ReportMetric(rate/raw, "ratio")
}

// BenchmarkTransitionsConcurrent is the 64-client transitions row as a Go
// benchmark, for -blockprofile and -mutexprofile: where concurrent
// transitions wait.
func BenchmarkTransitionsConcurrent(b *testing.B) {
	ctx := context.Background()
	db := testutil.NewTestDB(b)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		b.Fatal(err)
	}
	f, err := chooseFlow(ctx, db, 0)
	if err != nil {
		b.Fatal(err)
	}
	nos, err := bulk.PrepareReceived(ctx, db, 3000, bulk.Fixed{Item: f.item, Clerk: f.clerk}, 1)
	if err != nil {
		b.Fatal(err)
	}
	eng := cases.New(db, &catalogue.Service{DB: db, Now: time.Now}, time.Now)
	pool := &casePool{nos: nos}
	b.ResetTimer()
	rate, err := runTransitions(ctx, eng, f, pool, 64, time.Duration(b.N)*time.Millisecond)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(rate, "transitions/s")
}
