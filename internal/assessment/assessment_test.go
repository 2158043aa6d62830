package assessment_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/assessment"
	"onestop/internal/calendar"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/queue"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

type world struct {
	t                                       *testing.T
	db                                      *store.DB
	svc                                     *assessment.Service
	sup, clerk, deptAdmin, township, leader org.Actor
	applicant, item, version                int64
	n                                       int
}

var now = time.Date(2026, 5, 14, 2, 0, 0, 0, time.UTC)

func newWorld(t *testing.T) *world {
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatal(err)
	}
	os := &org.Service{DB: db, Now: time.Now}
	actor := func(u string) org.Actor {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		return st.Actor("192.0.2.1")
	}
	w := &world{t: t, db: db, svc: &assessment.Service{DB: db, Now: func() time.Time { return now }},
		sup: actor("supervisor"), clerk: actor("clerk"), deptAdmin: actor("deptadmin"), township: actor("township"), leader: actor("leader")}
	if w.clerk.WindowID == 0 || w.sup.CentreID != w.clerk.CentreID {
		t.Fatal("demo: the clerk sits at a window of the supervisor's centre")
	}
	if err := db.R.QueryRowContext(ctx, `SELECT id, item_id FROM item_versions ORDER BY id LIMIT 1`).Scan(&w.version, &w.item); err != nil {
		t.Fatal(err)
	}
	// The clerk punches: the centre keeps attendance (default hours,
	// 08:30–17:30 in winter, grace 5 minutes) and the clerk has a PIN.
	w.exec(`INSERT INTO attendance_shifts (centre_id, enabled, am_start, am_end, pm_start, pm_end, summer_am_start, summer_am_end, summer_pm_start,
		summer_pm_end, updated_at) VALUES ($1, TRUE, '08:30', '12:00', '14:00', '17:30', '08:30', '12:00', '14:30', '18:00', $2)`, w.clerk.CentreID, now)
	w.exec(`UPDATE staff SET attendance_pin = '9001' WHERE id = $1`, w.clerk.StaffID)
	w.exec(`INSERT INTO applicants (kind, id_number, name, created_at, updated_at) VALUES ('citizen', '430000199001010011', '测试', $1, $1)`, now)
	if err := db.R.QueryRowContext(ctx, `SELECT id FROM applicants WHERE id_number = '430000199001010011'`).Scan(&w.applicant); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) exec(q string, args ...any) {
	w.t.Helper()
	if _, err := w.db.W.ExecContext(context.Background(), q, args...); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

func at(day string, hour int) time.Time {
	d := calendar.MustParseDate(day)
	return time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, time.UTC)
}

func date(day string) time.Time { return calendar.MustParseDate(day).Time(time.UTC) }

// addCase writes a completed case of the clerk's (first contact) and
// returns its id.
func (w *world) addCase(received, decided, deadline string) int64 {
	w.t.Helper()
	w.n++
	no := "T" + strings.Repeat("0", 3) + string(rune('A'+w.n))
	w.exec(`INSERT INTO cases (no, item_id, item_version_id, department_id, centre_id, channel, applicant_id, first_contact_id, state, version,
		received_at, accepted_at, decided_at, completed_at, deadline, promised_days, statutory_days, deemed_allowed, last_hash, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 'window', $6, $7, 'completed', 1, $8, $8, $9, $9, $10, 5, 20, FALSE, 'x', $8, $9)`,
		no, w.item, w.version, w.clerk.DepartmentID, w.clerk.CentreID, w.applicant, w.clerk.StaffID, at(received, 2), at(decided, 3), date(deadline))
	var id int64
	if err := w.db.R.QueryRowContext(context.Background(), `SELECT id FROM cases WHERE no = $1`, no).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return id
}

func (w *world) addRating(caseID int64, level int, day string) int64 {
	w.t.Helper()
	w.exec(`INSERT INTO ratings (case_id, case_no, item_code, channel, level, comment, reasons, named, window_id, staff_id, department_id, centre_id, rated_at)
		SELECT id, no, 'X', 'portal', $2, '', '[]', FALSE, $3, $4, department_id, centre_id, $5 FROM cases WHERE id = $1`,
		caseID, level, w.clerk.WindowID, w.clerk.StaffID, at(day, 4))
	var id int64
	if err := w.db.R.QueryRowContext(context.Background(), `SELECT id FROM ratings WHERE case_id = $1`, caseID).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// record is one finished quarter (2026 Q1) at the clerk's window: two
// cases, one late; a content and a bad rating, the bad one fixed only
// after its due day; an anomaly; one punch.
func (w *world) record() {
	a := w.addCase("2026-02-02", "2026-02-05", "2026-02-10")
	b := w.addCase("2026-02-02", "2026-03-20", "2026-03-02")
	w.addRating(a, 5, "2026-02-06")
	r := w.addRating(b, 1, "2026-03-21")
	w.exec(`INSERT INTO rectifications (rating_id, case_id, region_code, department_id, centre_id, opened_at, revisit_due, fix_due, state, version, fixed_at, outcome)
		SELECT r.id, r.case_id, '431022', r.department_id, r.centre_id, $2, $3, $3, 'submitted', 2, $4, 'fixed' FROM ratings r WHERE r.id = $1`,
		r, at("2026-03-21", 5), date("2026-03-27"), at("2026-04-02", 3))
	w.exec(`INSERT INTO anomalies (case_id, department_id, centre_id, rule, severity, fact_key, raised_at) SELECT id, department_id, centre_id, 'T05', 'warning', 'k', $2 FROM cases WHERE id = $1`,
		b, at("2026-03-03", 2))
	w.exec(`INSERT INTO punches (staff_id, centre_id, at, source, reason, created_at) VALUES ($1, $2, $3, 'manual', 'test', $3)`, w.clerk.StaffID, w.clerk.CentreID, at("2026-02-02", 0))
	w.exec(`INSERT INTO punches (staff_id, centre_id, at, source, reason, created_at) VALUES ($1, $2, $3, 'manual', 'test', $3)`, w.clerk.StaffID, w.clerk.CentreID, at("2026-02-02", 10))
}

func row(t *testing.T, x *assessment.Assessment, level string, id int64) assessment.Row {
	t.Helper()
	for _, r := range x.Rows {
		if r.Subject.Level == level && r.Subject.ID == id {
			return r
		}
	}
	t.Fatalf("no %s %d in %d rows", level, id, len(x.Rows))
	return assessment.Row{}
}

func score(t *testing.T, r assessment.Row, code string) assessment.Score {
	for _, s := range r.Scores {
		if s.Code == code {
			return s
		}
	}
	t.Fatalf("no %s", code)
	return assessment.Score{}
}

// The quarter's check reads the quarter's record: the counts behind each
// value, indicators without a source say "no data" and their weight is
// shared among the rest, and the score is graded.
func TestQuarterCheck(t *testing.T) {
	w := newWorld(t)
	w.record()
	x, err := w.svc.Run(context.Background(), w.sup, assessment.RunInput{Kind: assessment.Quarter, Year: 2026, N: 1})
	if err != nil {
		t.Fatal(err)
	}
	if x.From.String() != "2026-01-01" || x.To.String() != "2026-03-31" || x.Settings.Version != 0 {
		t.Fatalf("period %s–%s settings %d", x.From, x.To, x.Settings.Version)
	}
	win := row(t, x, assessment.Window, w.clerk.WindowID)
	want := map[string]assessment.Input{assessment.OnTime: {1, 2}, assessment.Satisfaction: {1, 2}, assessment.Rectified: {0, 1}, assessment.Anomalies: {1, 2}}
	for code, in := range want {
		if s := score(t, win, code); s.Input != in || s.Points == nil {
			t.Errorf("%s: %+v, want %+v", code, s.Input, in)
		}
	}
	att := score(t, win, assessment.Attendance)
	if att.Input.Num != 1 || att.Input.Den < 50 {
		t.Errorf("attendance %+v: one full working day (08:00–18:00) of the quarter's", att.Input)
	}
	if strings.Join(win.NoData, ",") != "waiting,orders,duty" { // no ticket in this record
		t.Errorf("no data %v", win.NoData)
	}
	// on time 50, satisfaction 50, rectified 0, anomalies 100-10*50 = 0,
	// attendance 100/WD; weights 25, 20, 10, 10, 15 of 80.
	attPts := *att.Points
	wantScore := (50*25 + 50*20 + 0*10 + 0*10 + attPts*15) / 80
	if win.Score == nil || *win.Score-wantScore > 0.006 || wantScore-*win.Score > 0.006 || win.Grade != assessment.GradeFail || win.Rank == 0 {
		t.Errorf("score %v grade %s rank %d, want %.2f 不合格", win.Score, win.Grade, win.Rank, wantScore)
	}
	dept := row(t, x, assessment.Department, w.clerk.DepartmentID)
	if s := score(t, dept, assessment.Orders); s.Points == nil || *s.Points != 100 {
		t.Errorf("a department without orders: %+v", s)
	}
}

// Records written after the period's end change nothing in a
// recomputation, and new weights change no stored assessment.
func TestReproducible(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.record()
	x, err := w.svc.Run(ctx, w.sup, assessment.RunInput{Kind: assessment.Quarter, Year: 2026, N: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := w.addCase("2026-04-01", "2026-04-03", "2026-04-02")
	w.addRating(c, 1, "2026-04-05")
	w.exec(`INSERT INTO anomalies (case_id, department_id, centre_id, rule, severity, fact_key, raised_at) SELECT id, department_id, centre_id, 'T05', 'warning', 'k', $2 FROM cases WHERE id = $1`,
		c, at("2026-04-10", 2))
	w.exec(`INSERT INTO punches (staff_id, centre_id, at, source, reason, created_at) VALUES ($1, $2, $3, 'manual', 'test', $3)`, w.clerk.StaffID, w.clerk.CentreID, at("2026-04-01", 1))
	w.exec(`INSERT INTO correction_orders (no, region_code, department_id, centre_id, issued_by, issued_at, subject, instruction, deadline_days, due, state, version, last_hash, updated_at)
		VALUES ('督-2026-0001', '431022', $1, $2, $3, $4, 's', 'i', 5, $5, 'open', 1, 'x', $4)`, w.clerk.DepartmentID, w.clerk.CentreID, w.sup.StaffID, at("2026-04-02", 2), date("2026-04-09"))
	cmp, err := w.svc.Recompute(ctx, w.sup, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Identical {
		t.Fatalf("records after the period changed %v", cmp.Different)
	}
	// A record inside the period makes the comparison say so.
	w.addCase("2026-03-02", "2026-03-03", "2026-03-10")
	if cmp, err = w.svc.Recompute(ctx, w.sup, x.ID); err != nil || cmp.Identical || len(cmp.Different) == 0 {
		t.Fatalf("a case inside the period: %+v %v", cmp, err)
	}
	st := assessment.Defaults()
	st.Weights[assessment.OnTime], st.Weights[assessment.Satisfaction] = 45, 0
	if _, err := w.svc.SetSettings(ctx, w.sup, st); err != nil {
		t.Fatal(err)
	}
	again, err := w.svc.Get(ctx, w.sup, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Settings.Weights[assessment.OnTime] != 25 || again.Settings.Version != 0 ||
		*row(t, again, assessment.Window, w.clerk.WindowID).Score != *row(t, x, assessment.Window, w.clerk.WindowID).Score {
		t.Fatalf("new weights changed a stored assessment: %+v", again.Settings)
	}
	y, err := w.svc.Run(ctx, w.sup, assessment.RunInput{Kind: assessment.Quarter, Year: 2026, N: 1})
	if err != nil || y.Settings.Version != 1 || y.Settings.Weights[assessment.OnTime] != 45 {
		t.Fatalf("a new run uses the new weights: %+v %v", y, err)
	}
}

func field(t *testing.T, err error, f string) {
	t.Helper()
	ae := apperr.As(err)
	if ae == nil || ae.Code != apperr.Invalid || ae.Fields[f].Key == "" {
		t.Errorf("%v: want a field error on %s", err, f)
	}
}

// Bad weights, thresholds and periods are field errors and change nothing.
func TestBadInput(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	st := assessment.Defaults()
	st.Weights[assessment.OnTime] = 24
	_, err := w.svc.SetSettings(ctx, w.sup, st)
	field(t, err, "weights")
	st = assessment.Defaults()
	st.Weights[assessment.OnTime], st.Weights[assessment.Satisfaction] = -5, 50
	_, err = w.svc.SetSettings(ctx, w.sup, st)
	field(t, err, "weight.on_time")
	st = assessment.Defaults()
	st.Weights[strings.Repeat("x", 50000)] = 0
	_, err = w.svc.SetSettings(ctx, w.sup, st)
	field(t, err, "weights")
	st = assessment.Defaults()
	st.Grades.Good = 95
	_, err = w.svc.SetSettings(ctx, w.sup, st)
	field(t, err, "grade.excellent")
	if cur, err := w.svc.Current(ctx, w.db.R, w.sup.CentreID); err != nil || cur.Version != 0 {
		t.Fatalf("a refused change was stored: %+v %v", cur, err)
	}
	for _, in := range []struct {
		in assessment.RunInput
		f  string
	}{
		{assessment.RunInput{Kind: strings.Repeat("q", 50000), Year: 2026, N: 1}, "kind"},
		{assessment.RunInput{Kind: "", Year: 2026, N: 1}, "kind"},
		{assessment.RunInput{Kind: assessment.Quarter, Year: 2026, N: 5}, "n"},
		{assessment.RunInput{Kind: assessment.Quarter, Year: 2026, N: 2}, "n"}, // not over on 14 May
		{assessment.RunInput{Kind: assessment.Year, Year: 2025, N: 2}, "n"},
		{assessment.RunInput{Kind: assessment.Half, Year: 1800, N: 1}, "n"},
	} {
		_, err := w.svc.Run(ctx, w.sup, in.in)
		field(t, err, in.f)
	}
	if list, err := w.svc.List(ctx, w.sup); err != nil || len(list) != 0 {
		t.Fatalf("refused runs stored: %v %v", list, err)
	}
}

// Who may run, configure and read: the supervisor runs; a clerk and a
// leader may not run or configure; a department admin reads only their
// own department's rows; another centre's admin does not find it.
func TestScope(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.record()
	for _, a := range []org.Actor{w.clerk, w.leader, w.deptAdmin} {
		if _, err := w.svc.Run(ctx, a, assessment.RunInput{Kind: assessment.Quarter, Year: 2026, N: 1}); apperr.As(err) == nil || apperr.As(err).Code != apperr.Forbidden {
			t.Errorf("%s ran an assessment: %v", a.Username, err)
		}
		if _, err := w.svc.SetSettings(ctx, a, assessment.Defaults()); apperr.As(err) == nil || apperr.As(err).Code != apperr.Forbidden {
			t.Errorf("%s set weights: %v", a.Username, err)
		}
	}
	x, err := w.svc.Run(ctx, w.sup, assessment.RunInput{Kind: assessment.Quarter, Year: 2026, N: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Get(ctx, w.clerk, x.ID); apperr.As(err) == nil || apperr.As(err).Code != apperr.Forbidden {
		t.Errorf("a clerk read an assessment: %v", err)
	}
	if got, err := w.svc.Get(ctx, w.leader, x.ID); err != nil || len(got.Rows) != len(x.Rows) {
		t.Errorf("the leader reads every row: %v", err)
	}
	da, err := w.svc.Get(ctx, w.deptAdmin, x.ID)
	if err != nil || len(da.Rows) == 0 || len(da.Rows) >= len(x.Rows) {
		t.Fatalf("department admin: %v", err)
	}
	for _, r := range da.Rows {
		if r.Subject.DepartmentID != w.deptAdmin.DepartmentID {
			t.Fatalf("department admin sees %+v", r.Subject)
		}
	}
	if cmp, err := w.svc.Recompute(ctx, w.deptAdmin, x.ID); err != nil || len(cmp.Rows) != len(da.Rows) || !cmp.Identical {
		t.Fatalf("department admin's recompute: %v", err)
	}
	if _, err := w.svc.Get(ctx, w.township, x.ID); apperr.As(err) == nil || apperr.As(err).Code != apperr.NotFound {
		t.Errorf("another centre's admin found it: %v", err)
	}
	if list, err := w.svc.List(ctx, w.township); err != nil || len(list) != 0 {
		t.Errorf("another centre's admin lists it: %v %v", list, err)
	}
}

// The demo's seeding files the last finished quarter's check once.
func TestDemoSeed(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := demo.SeedAssessment(ctx, w.db, now); err != nil {
			t.Fatal(err)
		}
	}
	list, err := w.svc.List(ctx, w.sup)
	if err != nil || len(list) != 1 || list[0].Kind != assessment.Quarter || list[0].Year != 2026 || list[0].N != 1 {
		t.Fatalf("demo assessment: %+v %v", list, err)
	}
	// The demo's heads sat their quarter's duty days, one missed one: the
	// department ranking shows leaders' duty, full and short.
	x, err := w.svc.Get(ctx, w.sup, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var full, short int
	for _, r := range x.Rows {
		if s := score(t, r, assessment.Duty); r.Subject.Level == assessment.Department && s.Points != nil {
			if *s.Points == 100 {
				full++
			} else {
				short++
			}
		}
	}
	if full < 2 || short != 1 {
		t.Fatalf("demo duty scores: %d full, %d short; want the three heads', one short", full, short)
	}
}

// Waiting time (issue 15 §6) is the queue's own figure: the clerk's window
// calls two tickets after 10 and 30 minutes, a mean of 20 minutes, which
// scores 100·(60−20)/(60−15) points; a person has no waiting figure.
func TestWaitingFromTheQueue(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	clock := at("2026-02-03", 1)
	q := &queue.Service{DB: w.db, Now: func() time.Time { return clock }}
	var group int64
	if err := w.db.R.QueryRowContext(ctx, `SELECT group_id FROM queue_group_windows WHERE window_id = $1 ORDER BY group_id LIMIT 1`, w.clerk.WindowID).Scan(&group); err != nil {
		t.Fatalf("the demo clerk's window serves no queue group: %v", err)
	}
	for _, wait := range []time.Duration{10 * time.Minute, 30 * time.Minute} {
		if _, err := q.Issue(ctx, queue.IssueInput{CentreID: w.clerk.CentreID, GroupID: group, Channel: "kiosk"}); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(wait)
		tk, err := q.CallNext(ctx, w.clerk)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := q.Start(ctx, w.clerk, tk.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := q.Finish(ctx, w.clerk, tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	x, err := w.svc.Run(ctx, w.sup, assessment.RunInput{Kind: assessment.Quarter, Year: 2026, N: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := score(t, row(t, x, assessment.Window, w.clerk.WindowID), assessment.Waiting)
	if s.Input != (assessment.Input{Num: 40 * 60, Den: 2}) || s.Points == nil || *s.Points-100.0*40/45 > 0.006 || 100.0*40/45-*s.Points > 0.006 {
		t.Fatalf("window waiting: %+v points %v", s.Input, s.Points)
	}
	if s := score(t, row(t, x, assessment.Department, w.clerk.DepartmentID), assessment.Waiting); s.Input != (assessment.Input{Num: 40 * 60, Den: 2}) {
		t.Errorf("department waiting: %+v", s.Input)
	}
	if p := row(t, x, assessment.Person, w.clerk.StaffID); !slices.Contains(p.NoData, assessment.Waiting) {
		t.Errorf("a person scored on waiting: no data %v", p.NoData)
	}
}
