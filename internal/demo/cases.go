package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strconv"
	"sync"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/clock"
	"onestop/internal/demo/data"
	"onestop/internal/ident"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/supervision"
)

// The demo's year of cases is generated through the case engine itself —
// every case is submitted, accepted, reviewed and decided by the demo staff
// with the engine's rules, clock and record — so the record verifies and
// every screen has history. It runs in the background after the server is
// up, a simulated day at a time, remembering in settings how far it got
// so a restart resumes instead of starting over.

// CaseOptions tunes the generation.
type CaseOptions struct {
	PerDay int       // average arrivals per working day (the county had 100+)
	Days   int       // how far back from Until to start (calendar days)
	Until  time.Time // usually now
	Seed   int64
	Log    *slog.Logger
}

type simulator struct {
	ctx   context.Context
	db    *store.DB
	opt   CaseOptions
	rng   *rand.Rand
	names *data.NameGen
	cal   *calendar.Calendar

	mu  sync.Mutex
	now time.Time
	eng *cases.Service
	app *applicants.Service

	mix        ItemMix
	clerks     map[int64][]org.Actor // department → hall clerks
	township   map[int64][]org.Actor // department → township clerks
	roleHolder map[string]org.Actor  // "dept/role" → reviewer/approver
	people     []int64               // applicants registered so far
	orgs       []int64
}

func (s *simulator) clock() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now }
func (s *simulator) set(t time.Time)  { s.mu.Lock(); s.now = t; s.mu.Unlock() }

// GenerateCases fills the demo with cases from Until−Days to Until.
func GenerateCases(ctx context.Context, db *store.DB, opt CaseOptions) error {
	if opt.PerDay <= 0 {
		return nil
	}
	var doneStr string
	err := db.R.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'demo_cases_done'`).Scan(&doneStr)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	start := clock.Today(opt.Until).AddDays(-opt.Days)
	if doneStr != "" {
		d, err := calendar.ParseDate(doneStr)
		if err != nil {
			return err
		}
		start = d.AddDays(1)
	}
	end := clock.Today(opt.Until)
	if start.After(end) {
		return nil
	}
	s := &simulator{ctx: ctx, db: db, opt: opt, rng: rand.New(rand.NewPCG(uint64(opt.Seed), uint64(start.Year*10000+int(start.Month)*100+start.Day))),
		names: data.Names(opt.Seed + int64(start.Year*1000+start.Day)), clerks: map[int64][]org.Actor{}, township: map[int64][]org.Actor{},
		roleHolder: map[string]org.Actor{}}
	cat := &catalogue.Service{DB: db, Now: s.clock}
	s.eng = cases.New(db, cat, s.clock)
	// The history is written through the engine, so supervision's totals
	// and anomalies are what they would have been live.
	supervision.Watch(s.eng, db, s.clock)
	s.app = &applicants.Service{DB: db, Now: s.clock}
	if s.cal, err = cases.Calendar(ctx, db.R); err != nil {
		return err
	}
	if err := s.prepare(cat); err != nil {
		return err
	}
	total := 0
	for d := start; !d.After(end); d = d.AddDays(1) {
		if ctx.Err() != nil {
			return nil
		}
		if working, _ := s.cal.IsWorkingDay(d); working {
			n, err := s.day(d)
			if err != nil {
				return fmt.Errorf("demo cases on %s: %w", d, err)
			}
			total += n
		}
		// End of day: the engine's own sweep, as the server would run it.
		s.set(d.AddDays(1).Time(clock.Shanghai).Add(-time.Minute))
		if _, err := s.eng.Sweep(ctx); err != nil {
			return err
		}
		if _, err := db.W.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('demo_cases_done', $1)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, d.String()); err != nil {
			return err
		}
		if opt.Log != nil && d.Day == 1 {
			opt.Log.Info("demo cases", "through", d.String(), "cases", total)
		}
	}
	// A few bundles on the last day, through the bundle engine.
	if err := s.seedBundles(); err != nil {
		return err
	}
	if opt.Log != nil {
		opt.Log.Info("demo cases ready", "cases", total)
	}
	return nil
}

// prepare picks the items cases are opened for (departments with a
// reviewer and approver, or immediate items) and the staff who work them.
func (s *simulator) prepare(cat *catalogue.Service) error {
	os := &org.Service{DB: s.db, Now: s.clock}
	var staff []org.Staff
	for total := 1; len(staff) < total; {
		page, n, err := os.StaffList(s.ctx, org.Actor{Role: org.Supervisor, Province: true}, org.StaffFilter{}, org.ListOptions{Limit: 1000, Offset: len(staff)})
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		staff, total = append(staff, page...), n
	}
	for _, st := range staff {
		a := st.Actor("demo")
		switch {
		case st.Role == org.Clerk && st.CentreKind == "hall" && st.WindowID != 0:
			s.clerks[st.DepartmentID] = append(s.clerks[st.DepartmentID], a)
		case st.Role == org.Clerk && st.CentreKind == "township":
			s.township[st.DepartmentID] = append(s.township[st.DepartmentID], a)
		case st.Role == org.Reviewer || st.Role == org.Approver:
			s.roleHolder[fmt.Sprintf("%d/%s", st.DepartmentID, st.Role)] = a
		}
	}
	// The demo county's items: in a province the demo's cases stay where
	// its showcase accounts work.
	items, _, err := cat.List(s.ctx, catalogue.Filter{County: data.County.Code, Limit: 500})
	if err != nil {
		return err
	}
	for _, it := range items {
		_, staffed := s.roleHolder[fmt.Sprintf("%d/approver", it.DepartmentID)]
		if len(s.clerks[it.DepartmentID]) == 0 || (!it.Immediate && !staffed) {
			continue // commissioning units have no reviewers in the demo
		}
		s.mix.Add(it)
	}
	if len(s.mix.Items) == 0 {
		return errors.New("no demo items to open cases for")
	}
	return nil
}

// day simulates one working day's arrivals: more on Mondays, fewer on
// Fridays, most in the morning.
func (s *simulator) day(d calendar.Date) (int, error) {
	factor := map[time.Weekday]float64{time.Monday: 1.3, time.Tuesday: 1.1, time.Wednesday: 1.0, time.Thursday: 0.95, time.Friday: 0.8}[d.Weekday()]
	if factor == 0 {
		factor = 0.6 // an adjusted working weekend day
	}
	n := int(float64(s.opt.PerDay)*factor*(0.8+0.4*s.rng.Float64()) + 0.5)
	minutes := make([]int, n)
	for i := range minutes {
		minutes[i] = ArrivalMinute(s.rng)
	}
	sort.Ints(minutes)
	for _, m := range minutes {
		at := d.Time(clock.Shanghai).Add(time.Duration(m) * time.Minute)
		if at.After(s.opt.Until) {
			break
		}
		if err := s.oneCase(at); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// workingAfter is the instant k working days after t, at a plausible hour.
func (s *simulator) workingAfter(t time.Time, k int) time.Time {
	if k <= 0 {
		return t.Add(time.Duration(10+s.rng.IntN(120)) * time.Minute)
	}
	d := s.cal.AddWorkingDays(clock.Today(t), k).Deadline
	return d.Time(clock.Shanghai).Add(time.Duration(9*60+s.rng.IntN(7*60)) * time.Minute)
}

func (s *simulator) applicant(kind string) (int64, error) {
	pool := &s.people
	if kind == applicants.Organisation {
		pool = &s.orgs
	}
	// Returning applicants: most people come back to the hall.
	if len(*pool) > 50 && s.rng.IntN(3) > 0 {
		return (*pool)[s.rng.IntN(len(*pool))], nil
	}
	var in applicants.Input
	if kind == applicants.Citizen {
		p := s.names.Person(data.County.Code)
		in = applicants.Input{Kind: kind, IDNumber: p.ResidentID, Name: p.Name, Phone: p.Phone}
	} else {
		body := "91" + data.County.Code
		const chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
		for len(body) < 17 {
			body += string(chars[s.rng.IntN(len(chars))])
		}
		check, _ := ident.CreditCodeCheck(body)
		in = applicants.Input{Kind: kind, IDNumber: body + string(check), Name: orgNames[s.rng.IntN(len(orgNames))] + strconv.Itoa(len(s.orgs)+1) + "号店",
			ContactName: s.names.Next(), Phone: s.names.Phone()}
	}
	a, err := s.app.Register(s.ctx, in, false)
	if apperr.Is(err, apperr.Invalid) { // a generated number met an earlier one
		return s.applicant(kind)
	}
	if err != nil {
		return 0, err
	}
	*pool = append(*pool, a.ID)
	return a.ID, nil
}

var orgNames = []string{"宜章县湘粤商贸有限公司", "宜章县莽山农业开发有限公司", "宜章县玉溪建筑工程有限公司", "宜章县梅田餐饮店", "宜章县白石渡运输有限公司",
	"宜章县黄沙镇百货店", "宜章县城南药房", "宜章县五岭物业服务有限公司"}

func (s *simulator) act(a org.Actor, no, action string, at time.Time, in cases.Input) error {
	s.set(at)
	_, err := s.eng.Act(s.ctx, cases.StaffActor(a), no, action, in)
	return err
}

// oneCase runs a case from arrival as far as the simulated present allows.
func (s *simulator) oneCase(at time.Time) error {
	it := s.mix.Pick(s.rng)
	kind := applicants.Citizen
	if it.Audience == "organisation" || (it.Audience == "both" && s.rng.IntN(4) == 0) {
		kind = applicants.Organisation
	}
	appID, err := s.applicant(kind)
	if err != nil {
		return err
	}
	clerk := s.clerks[it.DepartmentID][s.rng.IntN(len(s.clerks[it.DepartmentID]))]
	// The department's window at the hall completes what a township
	// accepted; the township's window hands it over (docs/DOMAIN.md §17).
	issuer := clerk
	pickup := ""
	if tc := s.township[it.DepartmentID]; it.AtTownship && len(tc) > 0 && s.rng.IntN(5) < 2 {
		clerk = tc[s.rng.IntN(len(tc))]
		if appID%4 == 0 { // some villagers collect at the county hall (no draw: the demo's sequence stays as it was)
			pickup = "hall"
		}
	}
	var mats []cases.MaterialChange
	missing := -1
	for i, m := range it.Materials {
		if m.Required && missing < 0 && !it.Immediate && s.rng.IntN(100) < 8 {
			missing = i + 1
			continue
		}
		if m.Required {
			mats = append(mats, cases.MaterialChange{Seq: i + 1, Paper: true})
		}
	}
	s.set(at)
	var c *cases.Case
	online := it.Online && !it.Immediate && s.rng.IntN(100) < 35
	if online {
		c, err = s.eng.Submit(s.ctx, cases.Actor{ApplicantID: appID, Address: "demo"}, cases.SubmitInput{ItemCode: it.Code, Materials: mats})
	} else {
		c, err = s.eng.Submit(s.ctx, cases.StaffActor(clerk), cases.SubmitInput{ItemCode: it.Code, ApplicantID: appID, Materials: mats, Pickup: pickup})
	}
	if err != nil {
		return fmt.Errorf("submit %s: %w", it.Code, err)
	}
	if online { // the hall's clerk of the department picks it up
		clerk = s.clerks[it.DepartmentID][0]
	}
	no := c.No
	t := s.workingAfter(at, map[bool]int{true: 1, false: 0}[online])
	until := s.opt.Until
	step := func(a org.Actor, action string, in cases.Input, when time.Time) (bool, error) {
		if when.After(until) {
			return false, nil
		}
		if err := s.act(a, no, action, when, in); apperr.Is(err, apperr.Conflict) {
			// The server's own sweep moved the case first (e.g. deemed
			// it accepted): the demo leaves it where the engine put it.
			return false, nil
		} else if err != nil {
			return false, fmt.Errorf("%s %s: %w", action, no, err)
		}
		t = when
		return true, nil
	}
	r := s.rng.IntN(1000)
	switch {
	case r < 10:
		_, err := step(clerk, cases.ActDecline, cases.Input{Reason: "申请事项不属于本机关职权范围，请向郴州市相关部门申请。"}, t)
		return err
	case r < 20:
		_, err := step(clerk, cases.ActWithdraw, cases.Input{Reason: "申请人主动撤回"}, t)
		return err
	}
	if missing > 0 {
		if ok, err := step(clerk, cases.ActSupplement, cases.Input{Materials: []cases.MaterialChange{{Seq: missing, Status: "missing", Note: "请补充提交该材料"}}}, t); !ok || err != nil {
			return err
		}
		when := s.workingAfter(t, 1+s.rng.IntN(2))
		if when.After(until) {
			return nil
		}
		s.set(when)
		_, err := s.eng.Act(s.ctx, cases.StaffActor(clerk), no, cases.ActResubmit, cases.Input{Materials: []cases.MaterialChange{{Seq: missing, Paper: true}}})
		if apperr.Is(err, apperr.Conflict) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("resubmit %s: %w", no, err)
		}
		t = when
	}
	if ok, err := step(clerk, cases.ActAccept, cases.Input{}, s.workingAfter(t, 0)); !ok || err != nil {
		return err
	}
	if !it.Immediate {
		reviewer := s.roleHolder[fmt.Sprintf("%d/reviewer", it.DepartmentID)]
		approver := s.roleHolder[fmt.Sprintf("%d/approver", it.DepartmentID)]
		if s.rng.IntN(500) == 0 {
			return nil // left lying: it will go red (and be deemed approved where allowed)
		}
		budget := max(it.PromisedDays, 1)
		if s.rng.IntN(50) == 0 {
			if ok, err := step(reviewer, cases.ActSuspend, cases.Input{PauseReason: "expert_review", ExpectedDays: 5}, s.workingAfter(t, 1)); !ok || err != nil {
				return err
			}
			if ok, err := step(reviewer, cases.ActResume, cases.Input{}, s.workingAfter(t, 3+s.rng.IntN(5))); !ok || err != nil {
				return err
			}
		}
		// Most cases finish well inside the promise; a few run late.
		review := s.rng.IntN(max(budget/2, 1) + 1)
		if s.rng.IntN(40) == 0 {
			review = budget + 1 + s.rng.IntN(3)
		}
		holder := func(role string) org.Actor {
			if role == "approver" {
				return approver
			}
			return reviewer
		}
		for {
			cur, err := s.eng.Get(s.ctx, cases.StaffActor(approver), no)
			if err != nil {
				return err
			}
			if cur.State != cases.InProgress {
				break // deemed approved meanwhile by the sweep
			}
			if cases.IsDecisionStep(cur) {
				action, in := cases.ActApprove, cases.Input{Opinion: "符合法定条件，准予许可。"}
				if s.rng.IntN(100) < 3 {
					action, in = cases.ActRefuse, cases.Input{Reason: "申请材料反映的情况不符合法定条件。"}
				}
				if ok, err := step(holder(cur.StepRole), action, in, s.workingAfter(t, 1)); !ok || err != nil {
					return err
				}
				break
			}
			if ok, err := step(holder(cur.StepRole), cases.ActForward, cases.Input{Opinion: "经审查，材料齐全，符合规定，拟同意。"}, s.workingAfter(t, review)); !ok || err != nil {
				return err
			}
		}
		if ok, err := step(issuer, cases.ActComplete, cases.Input{}, s.workingAfter(t, 0)); !ok || err != nil {
			return err
		}
	}
	method := []string{"window", "window", "post", "electronic"}[s.rng.IntN(4)]
	deliverer := clerk
	if pickup == "hall" {
		deliverer = issuer
	}
	_, err = step(deliverer, cases.ActDeliver, cases.Input{Delivery: method}, s.workingAfter(t, s.rng.IntN(3)))
	return err
}
