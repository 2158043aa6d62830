// Package bench measures OneStop against the physical limit of its own
// database (issue 5, docs/ARCHITECTURE.md §8): durable case transitions beside raw
// single-row durable commits measured in the same run, the supervision
// queries and the deadline scan at a given number of cases, HTTP latency
// and throughput on loopback, and the peak memory under that load. It also
// holds the bulk generator that fills a database with realistic cases fast
// enough for a million of them.
//
// Figures are reported, never asserted: `onestop bench` exits non-zero
// only when something actually fails (a database error, a 5xx, a broken
// chain), not when a target is missed.
package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/clock"
	"onestop/internal/demo"
	"onestop/internal/demo/bulk"
	"onestop/internal/monitor"
	"onestop/internal/store"
	"onestop/internal/supervision"
	"onestop/internal/web"
)

// Options configure a run.
type Options struct {
	// Quick runs the table once at a small size generated through the
	// engine (demo.GenerateCases), in well under a minute on SQLite.
	Quick bool
	// DBURL is a PostgreSQL URL; each size gets its own fresh schema in
	// that database. Empty: SQLite.
	DBURL string
	// DataDir holds the SQLite databases (DataDir/bench-<size>); empty: a
	// temporary directory removed afterwards.
	DataDir string
	// Sizes are the case counts of the full run (bulk-generated).
	Sizes []int
	// Clients is the number of concurrent clients (transitions and HTTP).
	Clients int
	// Duration is the length of each throughput or load measurement.
	Duration time.Duration
	// Keep leaves the generated databases (PostgreSQL schemas, temporary
	// SQLite directories) in place for inspection, e.g. `onestop verify`.
	Keep bool
	// Counties, above 1, grows the demo county into a synthetic province
	// (demo.EnsureProvince) before the cases are generated; the cases
	// spread over every county.
	Counties int
	Seed     int64
	// MemProfile, when set, receives a heap profile taken at the end of
	// the HTTP load (go tool pprof); only with the server in-process.
	MemProfile string
	// ServerCommand, when set, runs the server under load as a process of
	// its own (e.g. {"/usr/bin/onestop", "serve"}; --data, --db, --addr
	// and --secure-cookies are added), so the memory row is the server's
	// alone and the server runs its background work as in production.
	// Empty: the server runs inside the bench process (tests).
	ServerCommand []string
	Verbose       bool
	// Log receives progress lines and, with Verbose, query plans.
	Log io.Writer
	// Now is the present (default time.Now).
	Now func() time.Time
	// DB, when set, is a migrated, empty database to run on instead of a
	// fresh one per size (the unit tests pass testutil.NewTestDB); only
	// the first size is run.
	DB *store.DB
	// tiny shrinks the quick data further (unit tests).
	tiny bool
}

// stallGrace is how long past its duration a measurement may run before
// it counts as stalled.
const stallGrace = 20 * time.Second

// QuickDuration is the measurement length of --quick: long enough for a
// few thousand commits, short enough for CI's one-minute budget.
const QuickDuration = 1500 * time.Millisecond

func (o *Options) defaults() {
	if o.Clients <= 0 {
		o.Clients = 64
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
		if o.Quick {
			o.Duration = QuickDuration
		}
	}
	if len(o.Sizes) == 0 {
		o.Sizes = []int{100_000, 1_000_000}
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Seed == 0 {
		o.Seed = 431022
	}
}

// Run measures every size and returns the report. Failures (a 5xx under
// load, a broken chain) are listed in the report and also returned as an
// error after all rows are in, so the table is printed either way.
func Run(ctx context.Context, opt Options) (*Report, error) {
	opt.defaults()
	host, _ := os.Hostname()
	rep := &Report{Started: opt.Now().UTC(), Host: host, CPUs: runtime.NumCPU(), Go: runtime.Version()}
	tmp := ""
	if opt.DataDir == "" && opt.DBURL == "" && opt.DB == nil {
		var err error
		if tmp, err = os.MkdirTemp("", "onestop-bench-"); err != nil {
			return rep, err
		}
		opt.DataDir = tmp
		if !opt.Keep {
			defer os.RemoveAll(tmp)
		} else {
			fmt.Fprintf(opt.Log, "bench: databases kept in %s\n", tmp)
		}
	}
	t0 := time.Now()
	sizes := opt.Sizes
	if opt.Quick {
		sizes = []int{0}
	}
	if opt.DB != nil {
		sizes = sizes[:1]
	}
	for _, size := range sizes {
		r := &runner{opt: opt, rep: rep, size: size, t0: t0}
		if err := r.run(ctx); err != nil {
			return rep, err
		}
	}
	if len(rep.Failures) > 0 {
		return rep, fmt.Errorf("%d failure(s): %s", len(rep.Failures), strings.Join(rep.Failures, "; "))
	}
	return rep, nil
}

// runner measures one size on one fresh database.
type runner struct {
	opt     Options
	rep     *Report
	size    int // requested (0: quick)
	db      *store.DB
	engine  string
	cal     *calendar.Calendar
	raw     float64 // single-client raw durable commits/s
	rawN    float64
	perDay  int
	dataDir string
	dbURL   string    // PostgreSQL URL with the run's search_path; "" for SQLite
	t0      time.Time // start of the run, for the progress log
	// transRate is the best transition rate seen, to size the cases
	// prepared for the acceptance action.
	transRate float64
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.opt.Log, "bench: %5.1fs "+format+"\n", append([]any{time.Since(r.t0).Seconds()}, args...)...)
}

func (r *runner) add(row Row) {
	row.Engine = string(r.db.Dialect)
	if row.Size == 0 && !row.Skipped {
		row.Size = r.count(context.Background(), "")
	}
	r.rep.Rows = append(r.rep.Rows, row)
	r.logf("%s: %s %s", row.What, FormatValue(row.Value, row.Unit), row.Unit)
}

func (r *runner) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.rep.Failures = append(r.rep.Failures, msg)
	r.logf("FAILURE: %s", msg)
}

// count counts cases matching a condition ("" for all).
func (r *runner) count(ctx context.Context, cond string) int {
	q := "SELECT COUNT(*) FROM cases"
	if cond != "" {
		q += " WHERE " + cond
	}
	var n int
	if err := r.db.R.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0
	}
	return n
}

func (r *runner) name() string {
	if r.size == 0 {
		return "quick"
	}
	return fmt.Sprint(r.size)
}

func (r *runner) run(ctx context.Context) error {
	cleanup, err := r.open(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	if err := r.generate(ctx); err != nil {
		return err
	}
	if r.cal, err = cases.Calendar(ctx, r.db.R); err != nil {
		return err
	}
	if err := r.rawLimit(ctx); err != nil {
		return err
	}
	if err := r.queries(ctx); err != nil {
		return err
	}
	clerk, err := clerkStaff(ctx, r.db)
	if err != nil {
		return err
	}
	if err := r.transitions(ctx, clerk); err != nil {
		return err
	}
	if err := r.lifecycles(ctx, clerk); err != nil {
		return err
	}
	if err := r.http(ctx, clerk); err != nil {
		return err
	}
	if err := r.growth(ctx); err != nil {
		return err
	}
	if err := r.verify(ctx); err != nil {
		return err
	}
	return r.saturated(ctx)
}

// open makes a fresh database: a new schema on PostgreSQL, a new directory
// for SQLite.
func (r *runner) open(ctx context.Context) (func(), error) {
	if r.opt.DB != nil {
		r.db, r.engine = r.opt.DB, string(r.opt.DB.Dialect)
		var err error
		r.dataDir, err = os.MkdirTemp("", "onestop-bench-files-")
		return func() { os.RemoveAll(r.dataDir) }, err
	}
	var dbURL string
	drop := func() {}
	if r.opt.DBURL != "" {
		schema := "bench_" + r.name()
		admin, err := sql.Open("pgx", r.opt.DBURL)
		if err != nil {
			return nil, err
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			return nil, fmt.Errorf("bench schema: %w", err)
		}
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			return nil, fmt.Errorf("bench schema: %w", err)
		}
		u, err := url.Parse(r.opt.DBURL)
		if err != nil {
			return nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dbURL = u.String()
		r.dbURL = dbURL
		if !r.opt.Keep {
			drop = func() {
				if a, err := sql.Open("pgx", r.opt.DBURL); err == nil {
					_, _ = a.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE")
					a.Close()
				}
			}
		} else {
			r.logf("PostgreSQL schema %s kept (search_path=%s)", schema, schema)
		}
		r.dataDir, _ = os.MkdirTemp("", "onestop-bench-files-")
	} else {
		r.dataDir = filepath.Join(r.opt.DataDir, "bench-"+r.name())
		if err := os.RemoveAll(r.dataDir); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(ctx, r.dataDir, dbURL)
	if err != nil {
		drop()
		return nil, err
	}
	r.db = db
	r.engine = string(db.Dialect)
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		drop()
		return nil, err
	}
	r.logf("%s database at %s", db.Dialect, db.Location)
	return func() {
		db.Close()
		drop()
		if r.opt.DBURL != "" {
			os.RemoveAll(r.dataDir)
		}
	}, nil
}

// generate loads the demo county and the cases: through the engine for
// --quick, with the bulk generator for the full sizes.
func (r *runner) generate(ctx context.Context) error {
	start := time.Now()
	if _, err := demo.Ensure(ctx, r.db, r.opt.Seed); err != nil {
		return fmt.Errorf("demo county: %w", err)
	}
	r.logf("demo county loaded in %.1f s", time.Since(start).Seconds())
	if r.opt.Counties > 1 {
		start = time.Now()
		if err := demo.EnsureProvince(ctx, r.db, r.opt.Seed, r.opt.Counties, nil); err != nil {
			return fmt.Errorf("province: %w", err)
		}
		r.logf("province of %d counties loaded in %.1f s", r.opt.Counties, time.Since(start).Seconds())
	}
	now := r.opt.Now()
	if r.size == 0 {
		perDay, days := 20, 30
		if r.opt.tiny {
			perDay, days = 3, 10
		}
		r.perDay = perDay
		start = time.Now()
		if err := demo.GenerateCases(ctx, r.db, demo.CaseOptions{PerDay: perDay, Days: days, Until: now, Seed: r.opt.Seed}); err != nil {
			return fmt.Errorf("demo cases: %w", err)
		}
		el := time.Since(start)
		var events int
		if err := r.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_events`).Scan(&events); err != nil {
			return err
		}
		r.add(Row{What: fmt.Sprintf("generate through the engine (demo.GenerateCases, %d/day over %d days)", perDay, days),
			Value: float64(events) / el.Seconds(), Unit: "events/s",
			Note: "one engine transaction per event, as a hall would create them; the full run uses the bulk generator"})
		return nil
	}
	// One year of a county (or province) at this volume: the busier the
	// database, the more cases per day, as a province of 120 counties has.
	r.perDay = max(r.size/250, 20)
	last := time.Now()
	res, err := bulk.Generate(ctx, r.db, bulk.Options{Cases: r.size, PerDay: r.perDay, Until: now, Seed: r.opt.Seed, Progress: func(done, total int) {
		if time.Since(last) > 5*time.Second || done == total {
			last = time.Now()
			r.logf("generated %d of %d cases (%.0f cases/min)", done, total, float64(done)/time.Since(start).Minutes())
		}
	}})
	if err != nil {
		return fmt.Errorf("bulk generation: %w", err)
	}
	rate := float64(res.Cases) / res.Elapsed.Minutes()
	r.add(Row{What: fmt.Sprintf("bulk generate (%d cases, %d events, %d/day)", res.Cases, res.Events, r.perDay), Value: rate, Unit: "cases/min"}.
		target("≥ 50000 cases/min", rate >= 50000))
	return nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// rawLimit measures raw durable single-row commits, one client and many.
func (r *runner) rawLimit(ctx context.Context) error {
	var err error
	if r.raw, err = rawCommits(ctx, r.db, 1, r.opt.Duration); err != nil {
		return fmt.Errorf("raw commits: %w", err)
	}
	if r.rawN, err = rawCommits(ctx, r.db, r.opt.Clients, r.opt.Duration); err != nil {
		return fmt.Errorf("raw commits: %w", err)
	}
	r.add(Row{What: "raw durable single-row commits, 1 client", Value: r.raw, Unit: "commits/s", Note: r.durability(ctx)}.withRaw(r.raw))
	r.add(Row{What: fmt.Sprintf("raw durable single-row commits, %d clients", r.opt.Clients), Value: r.rawN, Unit: "commits/s"}.withRaw(r.raw))
	return nil
}

// durability states the settings the raw figure was taken under.
func (r *runner) durability(ctx context.Context) string {
	var parts []string
	if r.db.Dialect == store.Postgres {
		for _, s := range []string{"fsync", "synchronous_commit", "full_page_writes", "wal_sync_method"} {
			var v string
			if err := r.db.R.QueryRowContext(ctx, "SHOW "+s).Scan(&v); err == nil {
				parts = append(parts, s+"="+v)
			}
		}
		return "PostgreSQL " + strings.Join(parts, " ")
	}
	for _, p := range []string{"journal_mode", "synchronous"} {
		var v string
		if err := r.db.W.QueryRowContext(ctx, "PRAGMA "+p).Scan(&v); err == nil {
			parts = append(parts, p+"="+v)
		}
	}
	return "SQLite " + strings.Join(parts, " ") + " (synchronous 2 = FULL), one writer connection"
}

// budget is how long each query is repeated for its median.
func (r *runner) budget() time.Duration { return min(r.opt.Duration/3, 3*time.Second) }

// queries times the supervision queries and the deadline scan at this size.
func (r *runner) queries(ctx context.Context) error {
	today := clock.Today(r.opt.Now())
	var lights map[int64]*monitor.Counts
	v, err := timeQuery(r.budget(), func() (err error) {
		lights, err = monitor.OpenByLight(ctx, r.db, r.cal, clock.DefaultLightRule, today)
		return err
	})
	if err != nil {
		return err
	}
	var g, y, red int
	for _, l := range lights {
		g, y, red = g+l.Green, y+l.Yellow, red+l.Red
	}
	r.add(Row{What: fmt.Sprintf("open cases by light per department (%d departments; %d green, %d yellow, %d red)", len(lights), g, y, red),
		Value: v, Unit: "ms (median)", Note: "SQL groups the open cases by department and due day (partial index on open cases); Go colours each group with the working-day calendar"})
	if err := r.bulletins(ctx, today, ""); err != nil {
		return err
	}
	if err := r.scanRow(ctx, ""); err != nil {
		return err
	}
	if r.opt.Verbose {
		explain(ctx, r.db, r.opt.Log, "lights", monitor.LightsSQL(monitor.ByDepartmentID, ""))
		explain(ctx, r.db, r.opt.Log, "deadline scan (sweep)", sweepSQL, today.Time(time.UTC))
		explain(ctx, r.db, r.opt.Log, "deadline scan (red or yellow)", overdueSQL, today.Time(time.UTC))
	}
	return nil
}

// scanRow times the deadline scans and labels the row with the open and
// closed counts, so rows at growing history can be compared.
func (r *runner) scanRow(ctx context.Context, label string) error {
	today := clock.Today(r.opt.Now())
	yellowBy, _ := r.cal.Deadline(today, clock.DefaultLightRule.YellowDaysLeft)
	found := 0
	v, err := timeQuery(r.budget(), func() (err error) {
		found, err = scanDue(ctx, r.db, today, yellowBy)
		return err
	})
	if err != nil {
		return err
	}
	open, total := r.count(ctx, "closed_at IS NULL"), r.count(ctx, "")
	r.add(Row{What: fmt.Sprintf("deadline scan%s (open %d, closed %d; %d red or yellow)", label, open, total-open, found), Size: total, Value: v,
		Unit: "ms (median)", Note: "the sweep's query plus every open case red or yellow by the next working day; both on the partial index cases_open_deadline"})
	return nil
}

// clerkStaff is the demo's "clerk" account: the HTTP benchmark signs in as
// this clerk.
func clerkStaff(ctx context.Context, db *store.DB) (bulk.Staff, error) {
	all, err := bulk.LoadStaff(ctx, db)
	if err != nil {
		return bulk.Staff{}, err
	}
	for _, s := range all {
		if s.Username == "clerk" {
			return s, nil
		}
	}
	return bulk.Staff{}, errors.New("no demo account \"clerk\"")
}

// transitions measures durable case transitions through the engine.
func (r *runner) transitions(ctx context.Context, clerk bulk.Staff) error {
	fl, err := chooseFlow(ctx, r.db, clerk.DeptID)
	if err != nil {
		return err
	}
	eng := cases.New(r.db, &catalogue.Service{DB: r.db, Now: time.Now}, time.Now)
	// Measured with supervision's witnesses (totals, anomalies), as the
	// server runs them.
	supervision.Watch(eng, r.db, time.Now)
	var actions []string
	for _, s := range fl.steps {
		actions = append(actions, s.action)
	}
	for _, clients := range []int{1, r.opt.Clients} {
		// Each round is topped up with prepared cases for its length at
		// the rate seen so far (the raw rate before the first round), plus
		// cases in hand for every client, so few are left over to skew the
		// open set afterwards.
		pool := &casePool{}
		expect := max(r.raw, r.rawN)
		seed := r.opt.Seed + int64(clients)*1000
		// A stalled round (no transition can get a connection) must end
		// and be reported, not hang the bench; preparing its cases does
		// not count against it.
		stalled := false
		rate, err := rounds(r.opt.Duration, func(d time.Duration) (float64, error) {
			need := min(int(expect*d.Seconds()*1.3)/len(fl.steps)+2*clients+5, 500_000)
			if n := need - pool.len(); n > 0 {
				seed++
				nos, err := bulk.PrepareReceived(ctx, r.db, n, bulk.Fixed{Item: fl.item, Clerk: fl.clerk}, seed)
				if err != nil {
					return 0, fmt.Errorf("prepare cases: %w", err)
				}
				pool.add(nos)
			}
			tctx, cancel := context.WithTimeout(ctx, d+stallGrace)
			defer cancel()
			rate, err := runTransitions(tctx, eng, fl, pool, clients, d)
			if err != nil && errors.Is(tctx.Err(), context.DeadlineExceeded) {
				stalled = true
			}
			expect = rate
			return rate, err
		})
		what := fmt.Sprintf("case transitions, %d client", clients)
		if clients > 1 {
			what += "s, each on its own cases"
		}
		if err != nil && ctx.Err() == nil && stalled {
			r.fail("%s: stalled, no result within %s (%v)", what, r.opt.Duration+stallGrace, err)
			r.add(Row{What: what, Skipped: true, Note: fmt.Sprintf("stalled: did not finish within %s; see docs/PERFORMANCE.md (connection pool)", r.opt.Duration+stallGrace)})
			continue
		}
		if err != nil {
			return fmt.Errorf("transitions: %w", err)
		}
		r.transRate = max(r.transRate, rate)
		row := Row{What: what, Value: rate, Unit: "transitions/s"}.withRaw(r.raw)
		if clients == 1 {
			row.Note = fmt.Sprintf("item %s, %s, through cases.Service.Act (one transaction each; the API then reads the case back)", fl.item.Code, strings.Join(actions, "→"))
		}
		r.add(row.target("≥ 0.5 × raw", row.Ratio >= 0.5))
	}
	return nil
}

// endpoint is one HTTP row set.
type endpoint struct {
	name    string
	pattern string // as registered; the row is skipped when absent
	signed  bool
	mk      func(i int64) *http.Request
	p99     string // the target for p99, if any
	write   bool   // a durable write: throughput against the raw limit
}

// http measures the pages and API under concurrent load on loopback.
func (r *runner) http(ctx context.Context, clerk bulk.Staff) error {
	cfg := web.Config{Version: "bench", DataDir: r.dataDir}
	svc, err := web.NewServices(r.db, quietLogger(), cfg)
	if err != nil {
		return err
	}
	srv, err := web.New(svc, cfg)
	if err != nil {
		return err
	}
	var command []string
	if len(r.opt.ServerCommand) > 0 {
		command = append(append(command, r.opt.ServerCommand...), "--data", r.dataDir, "--db", r.dbURL)
	}
	lb, err := startServer(ctx, srv, command, r.opt.Clients, r.opt.Duration+stallGrace)
	if err != nil {
		return err
	}
	defer lb.close()
	if err := lb.login("clerk"); err != nil {
		return err
	}
	progress, err := r.progressInputs(ctx)
	if err != nil {
		return err
	}
	pages, err := r.clerkCases(ctx, clerk)
	if err != nil {
		return err
	}
	// Cases for the acceptance action are prepared just before it runs
	// (last), so they do not sit in the clerk's inbox while /workbench is
	// measured.
	var accept []string
	prepareAccept := func() error {
		it, ok := r.itemOf(ctx, clerk)
		if !ok {
			return nil
		}
		rate := r.transRate
		if rate <= 0 {
			rate = max(r.raw, r.rawN)
		}
		n := min(int(rate*r.opt.Duration.Seconds()*1.5)+2*r.opt.Clients, 500_000)
		var err error
		accept, err = bulk.PrepareReceived(ctx, r.db, n, bulk.Fixed{Item: it, Clerk: clerk}, r.opt.Seed+7)
		return err
	}
	get := func(path string) func(int64) *http.Request {
		return func(int64) *http.Request {
			req, _ := http.NewRequest(http.MethodGet, lb.base+path, nil)
			return req
		}
	}
	eps := []endpoint{
		{name: "GET /api/v1/items?q=登记 (public catalogue search)", pattern: "GET /api/v1/items", mk: get("/api/v1/items?q=" + url.QueryEscape("登记"))},
	}
	if r.opt.Counties > 1 {
		// A county's portal searches its own catalogue; the row above is
		// the whole province's (every county's items).
		eps = append(eps, endpoint{name: "GET /api/v1/items?q=登记&county= (one county's catalogue search)", pattern: "GET /api/v1/items",
			mk: get("/api/v1/items?q=" + url.QueryEscape("登记") + "&county=" + clerk.Region[:min(len(clerk.Region), 6)])})
	}
	eps = append(eps, []endpoint{
		{name: "GET /api/v1/progress (public progress query)", pattern: "GET /api/v1/progress", mk: func(i int64) *http.Request {
			p := progress[int(i)%len(progress)]
			req, _ := http.NewRequest(http.MethodGet, lb.base+"/api/v1/progress?no="+url.QueryEscape(p[0])+"&phone="+url.QueryEscape(p[1]), nil)
			return req
		}},
		{name: "GET /cases/{no} (case page, signed-in clerk)", pattern: "GET /cases/{no}", signed: true, p99: "p99 ≤ 20 ms at 1M cases, 64 clients",
			mk: func(i int64) *http.Request {
				req, _ := http.NewRequest(http.MethodGet, lb.base+"/cases/"+pages[int(i)%len(pages)], nil)
				return req
			}},
		{name: "GET /workbench (clerk's inbox)", pattern: "GET /workbench", signed: true, p99: "p99 ≤ 20 ms at 1M cases, 64 clients", mk: get("/workbench")},
		{name: "POST /api/v1/cases/{no}/actions/accept (acceptance)", pattern: "POST /api/v1/cases/{no}/actions/{action}", signed: true, write: true,
			mk: func(i int64) *http.Request {
				if int(i) >= len(accept) {
					return nil
				}
				req, _ := http.NewRequest(http.MethodPost, lb.base+"/api/v1/cases/"+accept[i]+"/actions/accept", strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-CSRF-Token", lb.csrf)
				return req
			}},
	}...)
	pid := "self"
	if lb.proc != nil {
		pid = strconv.Itoa(lb.proc.Process.Pid)
	}
	watch := watchRSS(pid)
	measured := false
	for _, ep := range eps {
		switch {
		case !lb.hasRoute(ep.pattern):
			r.add(Row{What: "HTTP " + ep.name, Skipped: true, Note: "route " + ep.pattern + " is not registered yet"})
			continue
		case ep.write:
			if err := prepareAccept(); err != nil {
				return err
			}
		}
		switch {
		case ep.pattern == "GET /api/v1/progress" && len(progress) == 0, ep.pattern == "GET /cases/{no}" && len(pages) == 0,
			ep.write && len(accept) == 0:
			r.add(Row{What: "HTTP " + ep.name, Skipped: true, Note: "no suitable cases in the data"})
			continue
		}
		var res loadResult
		if ep.write {
			// Each case is accepted once, so one long run, not rounds.
			res = lb.load(ctx, r.opt.Clients, r.opt.Duration, ep.signed, ep.mk)
		} else {
			// A short warm-up fills the connection pool and caches.
			lb.load(ctx, r.opt.Clients, min(r.opt.Duration/10, time.Second), ep.signed, ep.mk)
			res = lb.load(ctx, r.opt.Clients, r.opt.Duration, ep.signed, ep.mk)
		}
		measured = true
		if res.failures > 0 {
			r.fail("HTTP %s: %d of %d requests failed (statuses %v); first: %s", ep.name, res.failures, res.failures+len(res.lat), res.statuses, res.firstErr)
		}
		if len(res.lat) == 0 {
			r.add(Row{What: "HTTP " + ep.name, Skipped: true, Note: "no request succeeded: " + res.firstErr})
			continue
		}
		p50, p99 := Percentile(res.lat, 50), Percentile(res.lat, 99)
		label := fmt.Sprintf("HTTP %s, %d clients", ep.name, r.opt.Clients)
		r.add(Row{What: label + ", p50", Value: ms(p50), Unit: "ms"})
		p99row := Row{What: label + ", p99", Value: ms(p99), Unit: "ms"}
		if ep.p99 != "" {
			p99row = p99row.target(ep.p99, ms(p99) <= 20)
		}
		r.add(p99row)
		tp := Row{What: label + ", throughput", Value: float64(len(res.lat)) / res.elapsed.Seconds(), Unit: "requests/s"}
		if ep.write {
			tp = tp.withRaw(r.raw)
			if int(res.elapsed) < int(r.opt.Duration)*9/10 {
				tp.Note = fmt.Sprintf("ran out of the %d prepared cases after %.1f s", len(accept), res.elapsed.Seconds())
			}
		}
		r.add(tp)
	}
	peak, how := watch.end()
	what := "peak RSS of the server process during the HTTP load"
	if lb.proc == nil {
		what = "peak RSS during the HTTP load (server and load clients in one process)"
		// What the Go runtime held at the end of the load, to tell the
		// heap (server and clients) from the rest of the resident set
		// (binary, SQLite's page cache, stacks, memory not yet returned).
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		how += fmt.Sprintf("; at the end: Go heap in use %.0f MB, stacks %.0f MB, %d goroutines",
			float64(ms.HeapInuse)/(1<<20), float64(ms.StackInuse)/(1<<20), runtime.NumGoroutine())
		if r.opt.MemProfile != "" && measured {
			if err := writeHeapProfile(r.opt.MemProfile); err != nil {
				return err
			}
		}
	}
	if measured {
		r.add(Row{What: what, Value: peak, Unit: "MB", Note: how}.target("≤ 300 MB at 1M cases", peak <= 300))
	}
	return nil
}

// progressInputs are (case number, phone) pairs spread over the table.
func (r *runner) progressInputs(ctx context.Context) ([][2]string, error) {
	rows, err := r.db.R.QueryContext(ctx, `SELECT c.no, a.phone FROM cases c JOIN applicants a ON a.id = c.applicant_id
		WHERE a.phone <> '' AND c.id % $1 = 0 ORDER BY c.id LIMIT 2000`, max(r.count(ctx, "")/2000, 1))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// clerkCases are cases the clerk may open, spread over the table.
func (r *runner) clerkCases(ctx context.Context, clerk bulk.Staff) ([]string, error) {
	n := r.count(ctx, fmt.Sprintf("centre_id = %d AND department_id = %d", clerk.CentreID, clerk.DeptID))
	return store.Column[string](r.db.R.QueryContext(ctx, `SELECT no FROM cases WHERE centre_id = $1 AND department_id = $2 AND id % $3 = 0 ORDER BY id LIMIT 2000`,
		clerk.CentreID, clerk.DeptID, max(n/2000, 1)))
}

// itemOf is an item of the clerk's department that goes to review after
// acceptance (falling back to any workable item of the department).
func (r *runner) itemOf(ctx context.Context, clerk bulk.Staff) (catalogue.Item, bool) {
	county, err := bulk.LoadCounty(ctx, r.db)
	if err != nil {
		return catalogue.Item{}, false
	}
	items := county.Items()
	var fallback *catalogue.Item
	for i, it := range items {
		if it.DepartmentID != clerk.DeptID {
			continue
		}
		if !cases.DecidedOnAcceptance(&it) {
			return it, true
		}
		if fallback == nil {
			fallback = &items[i]
		}
	}
	if fallback != nil {
		return *fallback, true
	}
	return catalogue.Item{}, false
}

// growth adds closed history before the existing data and times the
// deadline scan again: its cost must follow the open cases, not the closed.
func (r *runner) growth(ctx context.Context) error {
	// Beyond a million, +1M closed is enough to see whether the scan grows
	// with history; +10M would double a 10M run's generation time.
	steps := []int{min(r.size, 1_000_000)}
	perDay := r.perDay
	if r.size == 0 {
		steps, perDay = []int{2000, 10000}, 200
		if r.opt.tiny {
			steps = []int{300}
		}
	}
	for _, n := range steps {
		var earliest time.Time
		var raw any
		if err := r.db.R.QueryRowContext(ctx, `SELECT MIN(received_at) FROM cases`).Scan(&raw); err != nil {
			return err
		}
		switch x := raw.(type) {
		case time.Time:
			earliest = x
		case string:
			t, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", x)
			if err != nil {
				return fmt.Errorf("earliest case: %w", err)
			}
			earliest = t
		default:
			earliest = r.opt.Now()
		}
		// History ends before the earliest case and at least 150 days ago,
		// so even the longest reviews in it have closed: the open set
		// stays what it was and only closed cases are added.
		last := clock.Today(earliest).AddDays(-1)
		if limit := clock.Today(r.opt.Now()).AddDays(-150); limit.Before(last) {
			last = limit
		}
		until := last.Time(clock.Shanghai).Add(17 * time.Hour)
		r.logf("adding %d closed cases of history before %s", n, clock.Today(until))
		if _, err := bulk.Generate(ctx, r.db, bulk.Options{Cases: n, PerDay: perDay, Until: until, Now: r.opt.Now(), Seed: r.opt.Seed + int64(n)}); err != nil {
			return fmt.Errorf("history: %w", err)
		}
		if err := r.scanRow(ctx, fmt.Sprintf(" after +%d closed", n)); err != nil {
			return err
		}
	}
	return nil
}

// verify checks every event chain of the database the run produced.
func (r *runner) verify(ctx context.Context) error {
	start := time.Now()
	brk, n, err := cases.Verify(ctx, r.db)
	if err != nil {
		return err
	}
	if brk != nil {
		r.fail("verify: %s", brk)
		return nil
	}
	r.add(Row{What: fmt.Sprintf("verify every case's hash chain (%d events)", n), Value: float64(n) / time.Since(start).Seconds(), Unit: "events/s"})
	return nil
}
