// Package bulk generates case histories at volume for the benchmarks and
// for `onestop gen`: it writes cases straight into the tables, many rows
// per INSERT and thousands of cases per transaction, because the engine's
// one transaction per transition (~500 events/s in demo.GenerateCases)
// would need days for a million cases. It does not copy the engine's
// rules: every action goes through the case rules (cases.Check,
// cases.Apply), the clock (cases.Clock), the record (cases.Record) and the
// hash chain (cases.HashEvent), so `onestop verify` passes and the engine
// can continue any case from where it stands. What it leaves out: deemed
// approvals and late decisions on items that allow deemed approval (a
// running server's sweep would have decided those), and cases left lying
// forever (they would make the open set grow with history, which no real
// hall does).
package bulk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/clock"
	"onestop/internal/demo"
	"onestop/internal/demo/data"
	"onestop/internal/ident"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/tally"
)

// Options says what to generate.
type Options struct {
	// Cases is how many cases to add.
	Cases int
	// PerDay is the average number of arrivals per working day; the
	// arrivals fill the working days that end on Until's day, going back as
	// far as Cases/PerDay needs.
	PerDay int
	// Until is the last arrival instant; Now is the generator's present: no
	// event happens after it, so cases still running at Now stay open where
	// the simulated staff left them. Now defaults to Until.
	Until, Now time.Time
	Seed       int64
	// Batch is the number of cases per transaction (default 2000).
	Batch int
	// Progress, when set, is called after each committed batch.
	Progress func(done, total int)
}

// Result reports what was written.
type Result struct {
	Cases, Events, Applicants int
	Elapsed                   time.Duration
}

// Generate adds opt.Cases cases with their histories to a database that holds
// the demo county (demo.Ensure).
func Generate(ctx context.Context, db *store.DB, opt Options) (Result, error) {
	start := time.Now()
	if opt.Cases <= 0 {
		return Result{}, nil
	}
	if opt.PerDay <= 0 {
		opt.PerDay = 400
	}
	if opt.Until.IsZero() {
		opt.Until = time.Now()
	}
	if opt.Now.IsZero() {
		opt.Now = opt.Until
	}
	w, err := newWorld(ctx, db, opt.Seed, nil)
	if err != nil {
		return Result{}, err
	}
	plan := w.arrivals(opt)
	batch := opt.Batch
	if batch <= 0 {
		batch = 2000
	}
	var res Result
	for i := 0; i < len(plan); i += batch {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		b := &rowsBuf{}
		for _, at := range plan[i:min(i+batch, len(plan))] {
			if err := w.simulate(b, at, opt.Now, nil); err != nil {
				return res, err
			}
		}
		if err := b.flush(ctx, db); err != nil {
			return res, err
		}
		res.Cases += b.cases
		res.Events += len(b.events)
		res.Applicants += len(b.applicants)
		if opt.Progress != nil {
			opt.Progress(res.Cases, len(plan))
		}
	}
	if err := w.finish(ctx, db); err != nil {
		return res, err
	}
	res.Elapsed = time.Since(start)
	// After a bulk load PostgreSQL's statistics still describe the empty
	// tables until autovacuum gets round to them, and cached statements
	// switch to generic plans built on those: the 1M inbox ran at 38 req/s
	// on a plan that expected one row per department where there were
	// 442. Analyse now, as a DBA would after a load. (SQLite plans well
	// without statistics here, and ANALYZE could change them; left alone.)
	if db.Dialect == store.Postgres {
		if _, err := db.W.ExecContext(ctx, `ANALYZE cases, case_events, case_materials, case_documents, case_messages, applicants`); err != nil {
			return res, fmt.Errorf("analyze after bulk load: %w", err)
		}
	}
	// The cases were written around the engine, so its witness never saw
	// them: supervision's running totals are recounted from the cases.
	if err := tally.Recount(ctx, db); err != nil {
		return res, fmt.Errorf("recount totals after bulk load: %w", err)
	}
	if db.Dialect == store.Postgres {
		if _, err := db.W.ExecContext(ctx, `ANALYZE supervision_totals, supervision_months`); err != nil {
			return res, fmt.Errorf("analyze after bulk load: %w", err)
		}
	}
	return res, nil
}

// Fixed pins what a prepared case is: one item, received by one clerk.
type Fixed struct {
	Item  catalogue.Item
	Clerk Staff
}

// PrepareReceived adds n cases of one item, received now at one clerk's
// window with every required material handed in: the starting point of
// the transition and acceptance benchmarks. It returns their numbers.
func PrepareReceived(ctx context.Context, db *store.DB, n int, f Fixed, seed int64) ([]string, error) {
	w, err := newWorld(ctx, db, seed, &f)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	var nos []string
	for i := 0; i < n; i += 2000 {
		b := &rowsBuf{}
		for j := i; j < min(i+2000, n); j++ {
			if err := w.simulate(b, now, now, &f); err != nil {
				return nil, err
			}
		}
		if err := b.flush(ctx, db); err != nil {
			return nil, err
		}
		nos = append(nos, b.nos...)
	}
	// What the witness would have counted for these receipts (all at one
	// window, now; their later transitions go through the engine).
	k := tally.Key{Day: clock.Today(now), DepartmentID: f.Item.DepartmentID, CentreID: f.Clerk.CentreID}
	if err := tally.Add(ctx, db.W, k, map[tally.Column]int{tally.Received: len(nos)}); err != nil {
		return nil, err
	}
	return nos, w.finish(ctx, db)
}

// Staff is a staff member as the generator and the benchmarks use them.
type Staff struct {
	ID         int64
	Username   string
	Name       string
	Role       string
	CentreID   int64
	CentreKind string
	Region     string // the centre's region code
	DeptID     int64
	WindowID   int64
}

// OrgActor is the staff member as the engine's rules see them.
func (s Staff) OrgActor(address string) org.Actor {
	return org.Actor{StaffID: s.ID, Username: s.Username, Name: s.Name, Role: org.Role(s.Role), CentreID: s.CentreID, CentreKind: s.CentreKind,
		RegionCode: s.Region, DepartmentID: s.DeptID, WindowID: s.WindowID, Address: address}
}

// place is what the engine records as the place of a staff action.
func (s Staff) place() string {
	if s.WindowID != 0 {
		return "window:" + strconv.FormatInt(s.WindowID, 10) + " " + bulkAddress
	}
	return bulkAddress
}

// bulkAddress stands where the engine records the client address.
const bulkAddress = "bulk"

type applicantRef struct {
	id          int64
	name, phone string
}

type numKey struct {
	centre int64
	day    string
}

// world is the demo county as the generator sees it.
type world struct {
	dialect  store.Dialect
	cal      *calendar.Calendar
	rng      *rand.Rand
	names    *data.NameGen
	mix      demo.ItemMix
	clerks   map[int64][]Staff // department → hall clerks at a window
	township map[int64][]Staff // department → township clerks
	holder   map[string]Staff  // "dept/role" → the engine's A person (first active by id)
	hall     int64             // some county hall: there is at least one
	county   map[int64]string  // department → its county's division code
	centres  map[int64]string  // id → code, upper-case as in case numbers
	numbers  map[numKey]int
	touched  map[numKey]bool
	seen     map[string]bool
	nextCase int64
	nextApp  int64
	people   []applicantRef
	orgs     []applicantRef
	reuse    bool // every case goes to a returning applicant (see newWorld)
}

// newWorld reads what the generator needs from the database. For cases
// of one fixed item and clerk (the benchmarks' prepared cases, made
// several times a run) it skips the catalogue, reads only that centre's
// numbers and reuses recent applicants instead of reading every identity
// number: at 10M cases those reads took longer than the round they fed.
func newWorld(ctx context.Context, db *store.DB, seed int64, fixed *Fixed) (*world, error) {
	w := &world{dialect: db.Dialect, rng: rand.New(rand.NewPCG(uint64(seed), 0x62756c6b)), names: data.Names(seed ^ 0x5eed),
		clerks: map[int64][]Staff{}, township: map[int64][]Staff{}, holder: map[string]Staff{}, centres: map[int64]string{},
		numbers: map[numKey]int{}, touched: map[numKey]bool{}, seen: map[string]bool{}}
	var err error
	if w.cal, err = cases.Calendar(ctx, db.R); err != nil {
		return nil, err
	}
	staff, err := LoadStaff(ctx, db)
	if err != nil {
		return nil, err
	}
	for _, st := range staff {
		switch {
		case st.Role == "clerk" && st.CentreKind == "hall" && st.WindowID != 0:
			w.clerks[st.DeptID] = append(w.clerks[st.DeptID], st)
		case st.Role == "clerk" && st.CentreKind == "township":
			w.township[st.DeptID] = append(w.township[st.DeptID], st)
		}
		// Staff come ordered by id, so the first seen is the engine's pick.
		key := holderKey(st.DeptID, st.Role)
		if _, ok := w.holder[key]; !ok && st.DeptID != 0 {
			w.holder[key] = st
		}
	}
	rows, err := db.R.QueryContext(ctx, `SELECT id, code, kind FROM centres WHERE retired_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var code, kind string
		if err := rows.Scan(&id, &code, &kind); err != nil {
			rows.Close()
			return nil, err
		}
		w.centres[id] = strings.ToUpper(code)
		if kind == "hall" && w.hall == 0 {
			w.hall = id
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if w.hall == 0 {
		return nil, errors.New("bulk: no county hall: load the demo county first")
	}
	if w.county, err = departmentCounties(ctx, db); err != nil {
		return nil, err
	}
	if fixed == nil {
		cat := &catalogue.Service{DB: db, Now: time.Now}
		err := cat.InForce(ctx, func(it catalogue.Item) error {
			if w.workable(it) {
				w.mix.Add(it)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(w.mix.Items) == 0 {
			return nil, errors.New("bulk: no items with staffed windows: load the demo county first")
		}
	}
	if err := db.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM cases`).Scan(&w.nextCase); err != nil {
		return nil, err
	}
	if err := db.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM applicants`).Scan(&w.nextApp); err != nil {
		return nil, err
	}
	numbers, args := `SELECT centre_id, day, last FROM case_numbers`, []any{}
	if fixed != nil {
		numbers, args = numbers+` WHERE centre_id = $1`, append(args, fixed.Clerk.CentreID)
	}
	rows, err = db.R.QueryContext(ctx, numbers, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k numKey
		var last int
		if err := rows.Scan(&k.centre, &k.day, &last); err != nil {
			rows.Close()
			return nil, err
		}
		w.numbers[k] = last
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if fixed != nil {
		if err := w.recentApplicants(ctx, db); err != nil {
			return nil, err
		}
		if len(w.people) > 0 && len(w.orgs) > 0 {
			w.reuse = true
			return w, nil
		}
	}
	// Identity numbers already taken (a generator's own are remembered as
	// it goes); reading them is cheap next to generating.
	rows, err = db.R.QueryContext(ctx, `SELECT id_number FROM applicants`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		w.seen[n] = true
	}
	return w, rows.Err()
}

// recentApplicants fills the returning-applicant pools with the latest
// 500 applicants of each kind.
func (w *world) recentApplicants(ctx context.Context, db *store.DB) error {
	for kind, pool := range map[string]*[]applicantRef{"citizen": &w.people, "organisation": &w.orgs} {
		rows, err := db.R.QueryContext(ctx, `SELECT id, name, phone FROM applicants WHERE kind = $1 ORDER BY id DESC LIMIT 500`, kind)
		if err != nil {
			return err
		}
		for rows.Next() {
			var a applicantRef
			if err := rows.Scan(&a.id, &a.name, &a.phone); err != nil {
				rows.Close()
				return err
			}
			*pool = append(*pool, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// departmentCounties maps departments to their county's division code
// (the demo county's for a department without one).
func departmentCounties(ctx context.Context, db *store.DB) (map[int64]string, error) {
	rows, err := db.R.QueryContext(ctx, `SELECT id, COALESCE(region_code, '') FROM departments`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		if code == "" {
			code = data.County.Code
		}
		out[id] = code
	}
	return out, rows.Err()
}

// County is the demo county as the generator sees it, for the benchmarks
// that act on generated cases: the workable items, who receives them and
// who holds each step.
type County struct{ w *world }

// LoadCounty reads the county from the database (demo.Ensure loaded).
func LoadCounty(ctx context.Context, db *store.DB) (*County, error) {
	w, err := newWorld(ctx, db, 1, nil)
	if err != nil {
		return nil, err
	}
	return &County{w}, nil
}

// Items are the items the generator can run: a hall clerk receives them
// and every review step has a holder.
func (c *County) Items() []catalogue.Item { return c.w.mix.Items }

// HallClerk is who picks up the department's online applications.
func (c *County) HallClerk(dept int64) Staff { return c.w.hallClerk(dept) }

// Holder is the A person of the department's steps of a role (zero when
// nobody holds it).
func (c *County) Holder(dept int64, role string) Staff { return c.w.holder[holderKey(dept, role)] }

// hallClerk is the first clerk at a window of the department's county
// hall: who picks up its online applications.
func (w *world) hallClerk(dept int64) Staff {
	for _, c := range w.clerks[dept] {
		if c.CentreKind == "hall" {
			return c
		}
	}
	return Staff{}
}

// LoadStaff lists active staff ordered by id.
func LoadStaff(ctx context.Context, db *store.DB) ([]Staff, error) {
	rows, err := db.R.QueryContext(ctx, `SELECT s.id, s.username, s.name, s.role, COALESCE(s.centre_id, 0), COALESCE(c.kind, ''), COALESCE(c.region_code, ''),
		COALESCE(s.department_id, 0), COALESCE(s.window_id, 0)
		FROM staff s LEFT JOIN centres c ON c.id = s.centre_id WHERE s.retired_at IS NULL ORDER BY s.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		var s Staff
		if err := rows.Scan(&s.ID, &s.Username, &s.Name, &s.Role, &s.CentreID, &s.CentreKind, &s.Region, &s.DeptID, &s.WindowID); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// workable: the item has a hall clerk to receive it and, unless decided on
// the spot, a holder for every review step (the engine could not move the
// case otherwise).
func (w *world) workable(it catalogue.Item) bool {
	if len(w.clerks[it.DepartmentID]) == 0 {
		return false
	}
	if cases.DecidedOnAcceptance(&it) {
		return true
	}
	for _, s := range it.Steps[1:] {
		if s.Role == "reviewer" || s.Role == "approver" {
			if _, ok := w.holder[holderKey(it.DepartmentID, s.Role)]; !ok {
				return false
			}
		}
	}
	return true
}

// arrivals spreads opt.Cases arrival instants over the working days that
// end on Until's day: more on Mondays, fewer on Fridays, two thirds in the
// morning, as in demo.GenerateCases.
func (w *world) arrivals(opt Options) []time.Time {
	need := (opt.Cases + opt.PerDay - 1) / opt.PerDay
	var days []calendar.Date
	for d := clock.Today(opt.Until); len(days) < need; d = d.AddDays(-1) {
		if ok, _ := w.cal.IsWorkingDay(d); ok {
			days = append(days, d)
		}
	}
	slices.Reverse(days)
	factor := func(d calendar.Date) float64 {
		f := map[time.Weekday]float64{time.Monday: 1.3, time.Tuesday: 1.1, time.Wednesday: 1.0, time.Thursday: 0.95, time.Friday: 0.8}[d.Weekday()]
		if f == 0 {
			f = 0.6 // an adjusted working weekend day
		}
		return f * (0.8 + 0.4*w.rng.Float64())
	}
	weights := make([]float64, len(days))
	var total float64
	for i, d := range days {
		weights[i] = factor(d)
		total += weights[i]
	}
	counts := make([]int, len(days))
	given := 0
	for i := range days {
		counts[i] = int(float64(opt.Cases) * weights[i] / total)
		given += counts[i]
	}
	for i := 0; given < opt.Cases; i = (i + 1) % len(days) {
		counts[i]++
		given++
	}
	out := make([]time.Time, 0, opt.Cases)
	for i, d := range days {
		minutes := make([]int, counts[i])
		for j := range minutes {
			minutes[j] = demo.ArrivalMinute(w.rng)
		}
		sort.Ints(minutes)
		for _, m := range minutes {
			at := d.Time(clock.Shanghai).Add(time.Duration(m)*time.Minute + time.Duration(w.rng.IntN(60_000))*time.Millisecond)
			if at.After(opt.Until) {
				at = opt.Until
			}
			out = append(out, at.UTC())
		}
	}
	return out
}

// workingAfter is an instant k working days after t at a plausible hour
// (k = 0: a little later the same day).
func (w *world) workingAfter(t time.Time, k int) time.Time {
	if k <= 0 {
		return t.Add(time.Duration(10+w.rng.IntN(120))*time.Minute + time.Duration(w.rng.IntN(60_000))*time.Millisecond)
	}
	d, _ := w.cal.Deadline(clock.Today(t), k)
	return d.Time(clock.Shanghai).Add(time.Duration(9*60+w.rng.IntN(7*60))*time.Minute + time.Duration(w.rng.IntN(60_000))*time.Millisecond)
}

var orgNames = []string{"宜章县湘南商贸有限公司", "宜章县骑田农业开发有限公司", "宜章县章水建筑工程有限公司", "宜章县岩泉餐饮店", "宜章县浆水运输有限公司",
	"宜章县长村百货店", "宜章县城北药房", "宜章县南岭物业服务有限公司"}

// applicant returns a returning applicant most of the time, else registers
// a new one in the batch.
func (w *world) applicant(b *rowsBuf, kind, county string, now time.Time) applicantRef {
	pool := &w.people
	if kind == "organisation" {
		pool = &w.orgs
	}
	if (w.reuse || len(*pool) > 50 && w.rng.IntN(3) > 0) && len(*pool) > 0 {
		return (*pool)[w.rng.IntN(len(*pool))]
	}
	var number, name, contact, phone string
	for {
		if kind == "citizen" {
			p := w.names.Person(county)
			number, name, phone = p.ResidentID, p.Name, p.Phone
		} else {
			body := "91" + county
			const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
			for len(body) < 17 {
				body += string(chars[w.rng.IntN(len(chars))])
			}
			check, _ := ident.CreditCodeCheck(body)
			number = body + string(check)
			name = orgNames[w.rng.IntN(len(orgNames))] + strconv.Itoa(len(w.orgs)+1) + "号店"
			contact, phone = w.names.Next(), w.names.Phone()
		}
		if !w.seen[number] {
			break
		}
	}
	w.seen[number] = true
	w.nextApp++
	a := applicantRef{id: w.nextApp, name: name, phone: phone}
	b.applicants = append(b.applicants, []any{a.id, kind, number, name, contact, phone, now, now})
	*pool = append(*pool, a)
	return a
}

// number gives the next case number of a centre and day, as the engine's
// nextNumber does.
func (w *world) number(centre int64, at time.Time) string {
	day := at.In(clock.Shanghai).Format("20060102")
	k := numKey{centre, day}
	w.numbers[k]++
	w.touched[k] = true
	return fmt.Sprintf("%s%s%04d", w.centres[centre], day, w.numbers[k])
}

// finish stores the case-number counters so the engine's next number on
// those days follows the generated ones, and moves PostgreSQL's identity
// sequences past the ids given explicitly.
func (w *world) finish(ctx context.Context, db *store.DB) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		for k := range w.touched {
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_numbers (centre_id, day, last) VALUES ($1, $2, $3)
				ON CONFLICT (centre_id, day) DO UPDATE SET last = excluded.last`, k.centre, k.day, w.numbers[k]); err != nil {
				return err
			}
		}
		if db.Dialect == store.Postgres {
			for _, t := range []string{"cases", "applicants"} {
				if _, err := tx.ExecContext(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT MAX(id) FROM %s))`, t, t)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// kase is one case being simulated: the row as the engine would leave it,
// changed only by the case rules (cases.Check, cases.Apply).
type kase struct {
	w         *world
	b         *rowsBuf
	it        catalogue.Item
	c         cases.Case
	applicant applicantRef
	first     int64
	version   int
	lastHash  string
	updated   time.Time
	// recorded is the row as the last event's record left it.
	recorded cases.RowFacts
}

type actorRef struct {
	id                int64
	name, role, place string
}

func staffActor(s Staff) actorRef {
	return actorRef{id: s.ID, name: s.Name, role: s.Role, place: s.place()}
}

// act has a staff member take an action as the engine would: the case
// rules must allow it, they change the case, the step entered gets its A
// person, and the event records it. A refusal is the generator's bug (or a
// rule changed under it), never data to write.
func (k *kase) act(at time.Time, s Staff, act cases.Action, in cases.Input, payload map[string]any, mats ...cases.Material) error {
	at = at.UTC().Truncate(time.Millisecond)
	if err := cases.Check(&k.c, cases.StaffActor(s.OrgActor(bulkAddress)), act); err != nil {
		return fmt.Errorf("bulk: case %s: the case rules refuse %s by %s: %w", k.c.No, act, s.Username, err)
	}
	e := cases.Apply(&k.c, act, in, at, k.w.cal)
	if e.Enter >= 0 {
		step := k.it.Steps[e.Enter]
		cases.EnterStep(&k.c, e.Enter, k.w.holder[holderKey(k.it.DepartmentID, step.Role)].ID)
		payload["step"] = step.Name
	}
	k.event(at, staffActor(s), string(act), payload, e.Docs, e.Msgs, mats...)
	return nil
}

// event appends one event with its documents, messages and the record of
// what it changed, as the engine's commit does.
func (k *kase) event(at time.Time, a actorRef, action string, payload map[string]any, docs, msgs []string, mats ...cases.Material) {
	at = at.UTC().Truncate(time.Millisecond)
	after := k.facts(at)
	cases.Record(payload, k.recorded, after, docs, msgs, mats)
	k.recorded = after
	p, _ := json.Marshal(payload)
	k.version++
	e := cases.Event{Seq: k.version, At: at, ActorID: a.id, Actor: a.name, Role: a.role, Place: a.place, Action: action, Payload: p, PrevHash: k.lastHash}
	e.Hash = cases.HashEvent(k.c.No, e)
	k.b.events = append(k.b.events, []any{k.c.ID, e.Seq, at, store.NullID(a.id), a.name, a.role, a.place, action, string(p), e.PrevHash, e.Hash})
	for _, d := range docs {
		k.b.docs = append(k.b.docs, []any{k.c.ID, d, e.Seq, at})
	}
	for _, m := range msgs {
		k.b.msgs = append(k.b.msgs, []any{k.c.ID, at, action, m})
	}
	k.lastHash, k.updated = e.Hash, at
}

func holderKey(dept int64, role string) string { return fmt.Sprintf("%d/%s", dept, role) }

// holder is the A person of the step the case stands at.
func (k *kase) holder() Staff { return k.w.holder[holderKey(k.it.DepartmentID, k.c.StepRole)] }

// simulate runs one case from arrival at `at` as far as `now` allows and
// adds its rows to the batch. fixed pins item and clerk and stops after
// the submission (prepared cases for the benchmarks).
func (w *world) simulate(b *rowsBuf, at, now time.Time, fixed *Fixed) error {
	at = at.UTC().Truncate(time.Millisecond)
	var it catalogue.Item
	if fixed != nil {
		it = fixed.Item
	} else {
		it = w.mix.Pick(w.rng)
	}
	kind := "citizen"
	if it.Audience == "organisation" || (it.Audience == "both" && w.rng.IntN(4) == 0) {
		kind = "organisation"
	}
	k := &kase{w: w, b: b, it: it}
	k.applicant = w.applicant(b, kind, w.county[it.DepartmentID], at)
	k.c = cases.Case{Item: &k.it, State: cases.Received, ReceivedAt: at, ItemVersionID: it.VersionID, DepartmentID: it.DepartmentID,
		ApplicantID: k.applicant.id, PromisedDays: it.PromisedDays, StatutoryDays: it.StatutoryDays, FeesFen: it.TotalFeeFen(),
		DeemedAllowed: it.DeemedApproval}
	clerk := w.clerks[it.DepartmentID][w.rng.IntN(len(w.clerks[it.DepartmentID]))]
	if tc := w.township[it.DepartmentID]; it.AtTownship && len(tc) > 0 && w.rng.IntN(5) < 2 {
		clerk = tc[w.rng.IntN(len(tc))]
	}
	online := fixed == nil && it.Online && !it.Immediate && w.rng.IntN(100) < 35
	if fixed != nil {
		clerk = fixed.Clerk
	}
	missing := -1
	for i, m := range it.Materials {
		st := "missing"
		if m.Required {
			if missing < 0 && fixed == nil && !it.Immediate && w.rng.IntN(100) < 8 {
				missing = i + 1
			} else {
				st = "received"
			}
		}
		mat := cases.Material{Seq: i + 1, Name: m.Name, Required: m.Required, Status: st}
		if st == "received" {
			mat.Paper, mat.ChangedAt = true, &at
		}
		k.c.Materials = append(k.c.Materials, mat)
	}
	var submitter actorRef
	switch {
	case online:
		// The department's county hall receives it (as the engine's Submit
		// does) and its clerk there picks it up.
		clerk = w.hallClerk(it.DepartmentID)
		k.c.Channel, k.c.CentreID = "online", clerk.CentreID
		submitter = actorRef{name: k.applicant.name, role: "applicant", place: bulkAddress}
	default:
		k.c.Channel, k.c.CentreID, k.first = "window", clerk.CentreID, clerk.ID
		if clerk.CentreKind != "hall" {
			k.c.Channel = "township"
		}
		submitter = staffActor(clerk)
	}
	w.nextCase++
	k.c.ID, k.c.No = w.nextCase, w.number(k.c.CentreID, at)
	var got []string
	for _, m := range k.c.Materials {
		if m.Status == "received" {
			got = append(got, m.Name)
		}
	}
	due := cases.NoticeDueAfter(w.cal, at)
	k.c.NoticeDue = &due
	k.event(at, submitter, cases.ActSubmit, map[string]any{"item_code": it.Code, "item_version": it.Version, "channel": k.c.Channel, "received": got},
		[]string{"receipt"}, []string{"case.msg.received"}, k.c.Materials...)
	if fixed == nil {
		if err := w.lifecycle(k, clerk, at, now, online, missing); err != nil {
			return err
		}
	}
	return k.store()
}

// lifecycle continues a submitted case as demo.GenerateCases does, stopping
// at the first step that would happen after now.
func (w *world) lifecycle(k *kase, clerk Staff, at, now time.Time, online bool, missing int) error {
	t := w.workingAfter(at, map[bool]int{true: 1, false: 0}[online])
	due := func(when time.Time) bool { return !when.After(now) }
	r := w.rng.IntN(1000)
	switch {
	case r < 10:
		if !due(t) {
			return nil
		}
		return k.act(t, clerk, cases.ActDecline, cases.Input{}, map[string]any{"reason": "申请事项不属于本机关职权范围，请向郴州市相关部门申请。", "remedy": cases.RemedyText})
	case r < 20:
		if !due(t) {
			return nil
		}
		return k.act(t, clerk, cases.ActWithdraw, cases.Input{}, map[string]any{"reason": "申请人主动撤回"})
	}
	if missing > 0 {
		if !due(t) {
			return nil
		}
		m := &k.c.Materials[missing-1]
		m.Status, m.Note = "missing", "请补充提交该材料"
		if err := k.act(t, clerk, cases.ActSupplement, cases.Input{},
			map[string]any{"materials": []map[string]any{{"seq": m.Seq, "name": m.Name, "status": m.Status, "note": m.Note}}}, *m); err != nil {
			return err
		}
		when := w.workingAfter(t, 1+w.rng.IntN(2))
		if !due(when) {
			return nil
		}
		m.Status, m.Note, m.Paper, m.ChangedAt = "received", "", true, ptr(when)
		if err := k.act(when, clerk, cases.ActResubmit, cases.Input{}, map[string]any{"received": []string{m.Name}}, *m); err != nil {
			return err
		}
		t = when
	}
	t = w.workingAfter(t, 0)
	if !due(t) {
		return nil
	}
	if err := k.act(t, clerk, cases.ActAccept, cases.Input{}, map[string]any{}); err != nil {
		return err
	}
	if k.c.State == cases.InProgress {
		if ok, err := w.review(k, &t, now); !ok || err != nil {
			return err
		}
		t = w.workingAfter(t, 0)
		if !due(t) {
			return nil
		}
		if err := k.act(t, clerk, cases.ActComplete, cases.Input{}, map[string]any{}); err != nil {
			return err
		}
	}
	t = w.workingAfter(t, w.rng.IntN(3))
	if !due(t) {
		return nil
	}
	method := []string{"window", "window", "post", "electronic"}[w.rng.IntN(4)]
	return k.act(t, clerk, cases.ActDeliver, cases.Input{Delivery: method}, map[string]any{"delivery": method})
}

// review runs the review steps up to the decision; false when now came
// first.
func (w *world) review(k *kase, t *time.Time, now time.Time) (bool, error) {
	it := k.it
	due := func(when time.Time) bool { return !when.After(now) }
	reviewer := w.holder[holderKey(it.DepartmentID, "reviewer")]
	if reviewer.ID == 0 {
		reviewer = w.holder[holderKey(it.DepartmentID, "approver")]
	}
	if w.rng.IntN(50) == 0 {
		when := w.workingAfter(*t, 1)
		if !due(when) {
			return false, nil
		}
		in := cases.Input{PauseReason: "expert_review", ExpectedDays: 5}
		if err := k.act(when, reviewer, cases.ActSuspend, in, map[string]any{"pause_reason": in.PauseReason, "expected_days": in.ExpectedDays, "note": ""}); err != nil {
			return false, err
		}
		*t = when
		when = w.workingAfter(*t, 2+w.rng.IntN(5))
		if !due(when) {
			return false, nil
		}
		if err := k.act(when, reviewer, cases.ActResume, cases.Input{}, map[string]any{}); err != nil {
			return false, err
		}
		*t = when
	}
	budget := max(it.PromisedDays, 1)
	review := w.rng.IntN(max(budget/2, 1) + 1)
	// A few run late, but not on items with deemed approval: there the
	// server's sweep would have decided first.
	if !it.DeemedApproval && w.rng.IntN(40) == 0 {
		review = budget + 1 + w.rng.IntN(3)
	}
	for {
		holder := k.holder()
		if cases.IsDecisionStep(&k.c) {
			when := w.workingAfter(*t, 1)
			if it.DeemedApproval {
				// Decided on or before the deadline, never after it.
				if dl := k.deadline(when); dl != nil && clock.Today(when).After(*dl) {
					when = dl.Time(clock.Shanghai).Add(16 * time.Hour)
				}
				if when.Before(*t) {
					when = t.Add(time.Minute)
				}
			}
			if !due(when) {
				return false, nil
			}
			act, payload := cases.Action(cases.ActApprove), map[string]any{"opinion": "符合法定条件，准予许可。"}
			if w.rng.IntN(100) < 3 {
				act, payload = cases.ActRefuse, map[string]any{"reason": "申请材料反映的情况不符合法定条件。", "remedy": cases.RemedyText}
			}
			if err := k.act(when, holder, act, cases.Input{}, payload); err != nil {
				return false, err
			}
			*t = when
			return true, nil
		}
		when := w.workingAfter(*t, review)
		if it.DeemedApproval {
			if dl := k.deadline(when); dl != nil && clock.Today(when).After(*dl) {
				when = t.Add(time.Hour)
			}
		}
		if !due(when) {
			return false, nil
		}
		payload := map[string]any{"opinion": "经审查，材料齐全，符合规定，拟同意。", "from_step": it.Steps[k.c.Step].Name}
		if err := k.act(when, holder, cases.ActForward, cases.Input{}, payload); err != nil {
			return false, err
		}
		*t = when
	}
}

// deadline is the promised deadline as the engine's clock computes it at
// `at`.
func (k *kase) deadline(at time.Time) *calendar.Date {
	cases.Clock(&k.c, k.w.cal, at, clock.DefaultLightRule)
	return k.c.Deadline
}

// facts is the case row as the engine's commit at `at` writes it, for the
// event's record.
func (k *kase) facts(at time.Time) cases.RowFacts {
	cases.Clock(&k.c, k.w.cal, at, clock.DefaultLightRule)
	return cases.FactsOf(&k.c)
}

// store adds the case row, its materials and pauses to the batch, with the
// deadlines the engine's last commit would have stored.
func (k *kase) store() error {
	c := &k.c
	var deadline, statutory any
	cases.Clock(c, k.w.cal, k.updated, clock.DefaultLightRule)
	if c.Deadline != nil {
		deadline, statutory = c.Deadline.Time(time.UTC), c.StatutoryDeadline.Time(time.UTC)
	}
	b := k.b
	b.cases++
	b.nos = append(b.nos, c.No)
	b.caseRows = append(b.caseRows, []any{c.ID, c.No, k.it.ID, k.it.VersionID, k.it.DepartmentID, c.CentreID, c.Channel, k.applicant.id, store.NullID(k.first),
		c.State, c.Step, c.StepRole, store.NullID(c.AssigneeID), k.version, c.ReceivedAt, c.NoticeDue, c.AcceptedAt, c.DecidedAt, c.CompletedAt, c.DeliveredAt,
		c.ClosedAt, k.it.PromisedDays, k.it.StatutoryDays, 0, deadline, statutory, c.Provisional, c.Paused, k.it.DeemedApproval, c.Decision, false,
		c.Delivery, k.it.TotalFeeFen(), k.lastHash, c.ReceivedAt, k.updated})
	for _, m := range c.Materials {
		b.materials = append(b.materials, []any{c.ID, m.Seq, m.Name, m.Required, m.Status, m.Note, m.Paper, m.ChangedAt})
	}
	for _, p := range c.Pauses {
		var to any
		if p.To != nil {
			to = *p.To
		}
		b.pauses = append(b.pauses, []any{c.ID, p.From, to, p.Reason, p.ExpectedDays})
	}
	return nil
}

func ptr(t time.Time) *time.Time {
	t = t.UTC().Truncate(time.Millisecond)
	return &t
}

// rowsBuf collects one transaction's rows, table by table.
type rowsBuf struct {
	cases                                                       int
	nos                                                         []string
	applicants, caseRows, materials, events, docs, msgs, pauses [][]any
}

var (
	colsApplicants = []string{"id", "kind", "id_number", "name", "contact_name", "phone", "created_at", "updated_at"}
	colsCases      = []string{"id", "no", "item_id", "item_version_id", "department_id", "centre_id", "channel", "applicant_id", "first_contact_id",
		"state", "step", "step_role", "assignee_id", "version", "received_at", "notice_due", "accepted_at", "decided_at", "completed_at", "delivered_at",
		"closed_at", "promised_days", "statutory_days", "extension_days", "deadline", "statutory_deadline", "provisional", "paused", "deemed_allowed",
		"decision", "deemed", "delivery", "fees_fen", "last_hash", "created_at", "updated_at"}
	colsMaterials = []string{"case_id", "seq", "name", "required", "status", "note", "paper", "changed_at"}
	colsEvents    = []string{"case_id", "seq", "at", "actor_id", "actor", "role", "place", "action", "payload", "prev_hash", "hash"}
	colsDocs      = []string{"case_id", "kind", "event_seq", "issued_at"}
	colsMsgs      = []string{"case_id", "at", "kind", "text"}
	colsPauses    = []string{"case_id", "from_at", "to_at", "reason", "expected_days"}
)

// flush writes the batch in one transaction, parents before children.
func (b *rowsBuf) flush(ctx context.Context, db *store.DB) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		for _, t := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"applicants", colsApplicants, b.applicants}, {"cases", colsCases, b.caseRows}, {"case_materials", colsMaterials, b.materials},
			{"case_events", colsEvents, b.events}, {"case_documents", colsDocs, b.docs}, {"case_messages", colsMsgs, b.msgs},
			{"case_pauses", colsPauses, b.pauses},
		} {
			if err := insertRows(ctx, tx, db.Dialect, t.table, t.cols, t.rows); err != nil {
				return fmt.Errorf("bulk insert into %s: %w", t.table, err)
			}
		}
		return nil
	})
}

// maxParams keeps a statement under SQLite's 32766 bound variables (and
// PostgreSQL's 65535).
const maxParams = 30000

// insertRows writes rows with multi-row INSERTs. SQLite gets anonymous
// "?" parameters: with numbered ones it looks each name up in a list, which
// made a 30000-parameter statement quadratic (90% of the time in profiles).
func insertRows(ctx context.Context, tx *sql.Tx, dialect store.Dialect, table string, cols []string, rows [][]any) error {
	per := maxParams / len(cols)
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	for len(rows) > 0 {
		chunk := rows[:min(per, len(rows))]
		rows = rows[len(chunk):]
		var sb strings.Builder
		sb.Grow(len(head) + len(chunk)*len(cols)*7)
		sb.WriteString(head)
		args := make([]any, 0, len(chunk)*len(cols))
		for i, r := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					sb.WriteByte(',')
				}
				args = append(args, v)
				if dialect == store.Postgres {
					sb.WriteByte('$')
					sb.WriteString(strconv.Itoa(len(args)))
				} else {
					sb.WriteByte('?')
				}
			}
			sb.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
