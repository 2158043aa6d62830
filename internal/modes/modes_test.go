package modes_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/modes"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/supervision"
	"onestop/internal/testutil"
)

// world is the demo county with one test item of the clerk's department,
// one applicant and the modes service on the engine, on a real database,
// with a clock the test moves.
type world struct {
	t      *testing.T
	db     *store.DB
	mu     sync.Mutex
	now    time.Time
	eng    *cases.Service
	svc    *modes.Service
	orgs   map[string]org.Actor
	actors map[string]cases.Actor
	app    applicants.Applicant
}

func (w *world) clock() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }
func (w *world) set(t time.Time)  { w.mu.Lock(); w.now = t; w.mu.Unlock() }

// at is 10:00 Shanghai time on a day.
func at(day string) time.Time {
	d := calendar.MustParseDate(day)
	return time.Date(d.Year, d.Month, d.Day, 2, 0, 0, 0, time.UTC)
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, db: testutil.NewTestDB(t), now: at("2026-09-28"), orgs: map[string]org.Actor{}, actors: map[string]cases.Actor{}}
	if _, err := demo.Ensure(ctx, w.db, 431022); err != nil {
		t.Fatal(err)
	}
	if err := cases.EnsureCalendar(ctx, w.db, w.now); err != nil {
		t.Fatal(err)
	}
	os := &org.Service{DB: w.db, Now: w.clock}
	var other string
	if err := w.db.R.QueryRowContext(ctx, `SELECT s.username FROM staff s, staff me WHERE me.username = 'reviewer' AND s.role = 'reviewer'
		AND s.department_id <> me.department_id ORDER BY s.id LIMIT 1`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	for key, u := range map[string]string{"admin": "admin", "clerk": "clerk", "reviewer": "reviewer", "approver": "approver",
		"deptadmin": "deptadmin", "supervisor": "supervisor", "other": other} {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		w.orgs[key] = st.Actor("192.0.2.7")
		w.actors[key] = cases.StaffActor(w.orgs[key])
	}
	cat := &catalogue.Service{DB: w.db, Now: w.clock}
	w.eng = cases.New(w.db, cat, w.clock)
	w.svc = modes.New(w.db, cat, w.eng, w.clock)
	supervision.Watch(w.eng, w.db, w.clock) // supervision sees both modes
	c := catalogue.Content{Name: "测试许可", Type: "licensing", DepartmentID: w.orgs["clerk"].DepartmentID, Audience: "both",
		LegalBasis: "《中华人民共和国行政许可法》第十二条", StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true,
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}, {Name: "身份证件", Required: true, Form: "copy", Copies: 1},
			{Name: "无犯罪记录证明", Required: true, Form: "original", Copies: 1}},
		Steps: catalogue.DefaultSteps(5)}
	if _, err := cat.Create(ctx, w.orgs["admin"], "T-001", c, ""); err != nil {
		t.Fatal(err)
	}
	as := &applicants.Service{DB: w.db, Now: w.clock}
	app, err := as.Register(ctx, applicants.Input{Kind: "citizen", IDNumber: "11010519491231002X", Name: "王小明", Phone: "13800138000"}, false)
	if err != nil {
		t.Fatal(err)
	}
	w.app = app
	w.actors["applicant"] = cases.Actor{ApplicantID: app.ID, ApplicantName: app.Name, Address: "198.51.100.1"}
	return w
}

// settings stores both modes on T-001: a commitment replaces the criminal
// record certificate, verified 10 working days after approval; 容缺 may owe
// the ID copy for 3 working days.
func (w *world) settings() {
	w.t.Helper()
	_, err := w.svc.Save(context.Background(), w.orgs["deptadmin"], "T-001", modes.Settings{
		Commitment: true, Replaced: []string{"无犯罪记录证明"}, VerifyDays: 10, Terms: "申请人无故意犯罪记录。",
		Lenient: true, Minor: []string{"身份证件"}, SupplyDays: 3, Margin: 2})
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) submit(mode string, materials ...int) (*cases.Case, error) {
	var ch []cases.MaterialChange
	for _, m := range materials {
		ch = append(ch, cases.MaterialChange{Seq: m, Paper: true})
	}
	return w.eng.Submit(context.Background(), w.actors["clerk"], cases.SubmitInput{ItemCode: "T-001", ApplicantID: w.app.ID, Materials: ch, Mode: mode})
}

func (w *world) act(who, no, action string, in cases.Input) *cases.Case {
	w.t.Helper()
	if _, err := w.eng.Act(context.Background(), w.actors[who], no, action, in); err != nil {
		w.t.Fatalf("%s %s: %v", who, action, err)
	}
	c, err := w.eng.Get(context.Background(), cases.SystemActor, no)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// wantErr checks an error's code and its key (message or field).
func wantErr(t *testing.T, err error, code apperr.Code, key string) {
	t.Helper()
	ae := apperr.As(err)
	if ae == nil || ae.Code != code {
		t.Fatalf("want %s %s, got %v", code, key, err)
	}
	if key == "" || ae.Msg.Key == key {
		return
	}
	for _, m := range ae.Fields {
		if m.Key == key {
			return
		}
	}
	t.Fatalf("want %s %s, got %v (%+v)", code, key, err, ae.Fields)
}

// modePayload is the "mode" record of the case's event with the action.
func modePayload(t *testing.T, c *cases.Case, action string) string {
	t.Helper()
	for _, e := range c.Events {
		if e.Action == action {
			return string(e.Payload)
		}
	}
	t.Fatalf("no %s event", action)
	return ""
}

func TestSettingsLimits(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ok := modes.Settings{Lenient: true, Minor: []string{"身份证件"}, SupplyDays: 3, Margin: 2}
	for _, tc := range []struct {
		name  string
		mod   func(*modes.Settings)
		field string
	}{
		// Shenzhen 2019: at most 20 working days …
		{"over 20 days", func(s *modes.Settings) { s.SupplyDays = 21 }, "modes.supply_days_range"},
		// … ending at least 2 working days before the promised limit (5).
		{"too close to the promised limit", func(s *modes.Settings) { s.SupplyDays = 4 }, "modes.supply_days_margin"},
		{"margin under 2", func(s *modes.Settings) { s.Margin = 1 }, "modes.margin_min"},
		{"unknown material", func(s *modes.Settings) { s.Minor = []string{"户口本"} }, "modes.material_unknown"},
		{"no material", func(s *modes.Settings) { s.Minor = nil }, "modes.materials_required"},
		{"every main material owed", func(s *modes.Settings) { s.Minor = []string{"申请表", "身份证件", "无犯罪记录证明"} }, "modes.minor_all"},
		{"commitment without terms", func(s *modes.Settings) {
			s.Commitment, s.Replaced, s.VerifyDays, s.Terms = true, []string{"身份证件"}, 10, ""
		}, "error.required"},
		{"commitment terms of 50,000 characters", func(s *modes.Settings) {
			s.Commitment, s.Replaced, s.VerifyDays, s.Terms = true, []string{"身份证件"}, 10, strings.Repeat("承", 50000)
		}, ""},
		{"commitment without a schedule", func(s *modes.Settings) {
			s.Commitment, s.Replaced, s.Terms = true, []string{"身份证件"}, "条件"
		}, "modes.verify_days_range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.mod(&s)
			_, err := w.svc.Save(ctx, w.orgs["deptadmin"], "T-001", s)
			wantErr(t, err, apperr.Invalid, tc.field)
			_, got, _ := w.svc.Settings(ctx, "T-001")
			if got.Lenient || got.Commitment {
				t.Fatalf("a refused setting was stored: %+v", got)
			}
		})
	}
	if _, err := w.svc.Save(ctx, w.orgs["deptadmin"], "T-001", ok); err != nil {
		t.Fatal(err)
	}
	// Only the catalogue's admins: not a reviewer, not the clerk.
	for _, who := range []string{"reviewer", "clerk", "supervisor"} {
		_, err := w.svc.Save(ctx, w.orgs[who], "T-001", ok)
		wantErr(t, err, apperr.Forbidden, "")
	}
}

// An item on an excluded matter (environment, health: 国办发〔2020〕42号)
// may not offer 告知承诺.
func TestCommitmentExcludedMatter(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	cat := &catalogue.Service{DB: w.db, Now: w.clock}
	it, err := cat.Item(ctx, "T-001")
	if err != nil {
		t.Fatal(err)
	}
	c := it.Content
	c.Themes = []string{"环保"}
	if _, _, err := cat.Update(ctx, w.orgs["admin"], "T-001", c, "环保"); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Save(ctx, w.orgs["deptadmin"], "T-001", modes.Settings{Commitment: true, Replaced: []string{"身份证件"}, VerifyDays: 5, Terms: "条件"})
	wantErr(t, err, apperr.Invalid, "modes.commitment_excluded")
}

func TestModeNeedsEligibleItem(t *testing.T) {
	w := newWorld(t)
	_, err := w.submit(modes.Commitment, 1, 2)
	wantErr(t, err, apperr.Invalid, "modes.not_eligible")
	_, err = w.submit("wholesale", 1, 2)
	wantErr(t, err, apperr.Invalid, "error.choose")
}

// 容缺: the ID copy owed at acceptance on Monday 2026-09-28 is due on the
// third working day: Sep 29, Sep 30, then the National Day holiday (Oct
// 1–7), so Oct 8.
func TestLenientSupplyDeadlineAcrossHoliday(t *testing.T) {
	w := newWorld(t)
	w.settings()
	c, err := w.submit(modes.Lenient, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	// Without 容缺 the same papers could not be accepted.
	normal, err := w.submit("", 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.eng.Act(context.Background(), w.actors["clerk"], normal.No, cases.ActAccept, cases.Input{})
	wantErr(t, err, apperr.Conflict, "case.materials_incomplete")

	c = w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	if c.State != cases.InProgress {
		t.Fatalf("state %s", c.State)
	}
	if p := modePayload(t, c, cases.ActAccept); !strings.Contains(p, `"supply_due":"2026-10-08"`) || !strings.Contains(p, "身份证件") {
		t.Fatalf("acceptance event: %s", p)
	}
	// Only what is owed may be supplied, and only by the applicant or the
	// window.
	_, err = w.eng.Act(context.Background(), w.actors["clerk"], c.No, cases.ActSupply, cases.Input{Materials: []cases.MaterialChange{{Seq: 1, Paper: true}}})
	wantErr(t, err, apperr.Invalid, "modes.not_owed")
	_, err = w.eng.Act(context.Background(), w.actors["reviewer"], c.No, cases.ActSupply, cases.Input{Materials: []cases.MaterialChange{{Seq: 2, Paper: true}}})
	wantErr(t, err, apperr.Forbidden, "")
	c = w.act("applicant", c.No, cases.ActSupply, cases.Input{Materials: []cases.MaterialChange{{Seq: 2, Paper: true}}})
	if p := modePayload(t, c, cases.ActSupply); !strings.Contains(p, `"supplied":true`) {
		t.Fatalf("supply event: %s", p)
	}
	_, err = w.eng.Act(context.Background(), w.actors["applicant"], c.No, cases.ActSupply, cases.Input{Materials: []cases.MaterialChange{{Seq: 2, Paper: true}}})
	wantErr(t, err, apperr.Conflict, "modes.not_pending")
	if brk, _, err := cases.Verify(context.Background(), w.db); err != nil || brk != nil {
		t.Fatalf("chain: %v %v", brk, err)
	}
}

// 告知承诺 from intake to revocation: the certificate replaced, the
// verification scheduled on the item's 10 working days after approval,
// visible to the deciding department only, the revocation with its
// document, and the credit mark that refuses the next commitment.
func TestCommitmentVerificationAndRevocation(t *testing.T) {
	w := newWorld(t)
	w.settings()
	ctx := context.Background()
	// Approved Wednesday 2026-09-30: 10 working days are Oct 8, 9, 10
	// (adjusted Saturday), 12–16, 19, 20: Oct 20.
	c := w.approvedOnCommitment(at("2026-09-30"))
	if p := modePayload(t, c, cases.ActApprove); !strings.Contains(p, `"verify_due":"2026-10-20"`) {
		t.Fatalf("approval event: %s", p)
	}
	vs, err := w.svc.Verifications(ctx, w.orgs["reviewer"])
	if err != nil || len(vs) != 1 || vs[0].CaseNo != c.No || vs[0].Due.String() != "2026-10-20" || vs[0].Overdue {
		t.Fatalf("verifications %+v %v", vs, err)
	}
	w.set(at("2026-10-21"))
	if vs, _ = w.svc.Verifications(ctx, w.orgs["reviewer"]); len(vs) != 1 || !vs[0].Overdue {
		t.Fatalf("overdue: %+v", vs)
	}
	// Another department's reviewer neither sees nor revokes it; the
	// applicant may not mark their own; a clerk and the supervisor have no
	// verification list.
	if vs, err := w.svc.Verifications(ctx, w.orgs["other"]); err != nil || len(vs) != 0 {
		t.Fatalf("other department sees %+v %v", vs, err)
	}
	_, err = w.svc.Outcome(ctx, w.orgs["other"], c.No, false, "虚假承诺")
	wantErr(t, err, apperr.NotFound, "")
	_, err = w.eng.Act(ctx, w.actors["applicant"], c.No, cases.ActVerify, cases.Input{})
	wantErr(t, err, apperr.Forbidden, "")
	for _, who := range []string{"clerk", "supervisor"} {
		_, err = w.svc.Verifications(ctx, w.orgs[who])
		wantErr(t, err, apperr.Forbidden, "")
	}
	// A revocation needs its reasons.
	_, err = w.svc.Outcome(ctx, w.orgs["reviewer"], c.No, false, "  ")
	wantErr(t, err, apperr.Invalid, "error.required")

	if _, err := w.svc.Outcome(ctx, w.orgs["reviewer"], c.No, false, "经核查，申请人有故意犯罪记录，承诺不实。"); err != nil {
		t.Fatal(err)
	}
	c, _ = w.eng.Get(ctx, cases.SystemActor, c.No)
	if c.State != cases.Revoked || c.Decision != "revoked" || c.ClosedAt == nil {
		t.Fatalf("after revocation: %s %s", c.State, c.Decision)
	}
	if d := c.Documents[len(c.Documents)-1]; d.Kind != "revocation" {
		t.Fatalf("documents %+v", c.Documents)
	}
	if p := modePayload(t, c, cases.ActRevoke); !strings.Contains(p, cases.RemedyText) || !strings.Contains(p, `"outcome":"false"`) {
		t.Fatalf("revocation event: %s", p)
	}
	w.anomaly(c.No, "P08")
	// Once decided, the verification is no longer pending.
	_, err = w.svc.Outcome(ctx, w.orgs["reviewer"], c.No, true, "")
	wantErr(t, err, apperr.Conflict, "")
	marks, err := w.svc.CreditMarks(ctx, w.orgs["clerk"], w.app.ID)
	if err != nil || len(marks) != 1 || marks[0].CaseNo != c.No {
		t.Fatalf("credit marks %+v %v", marks, err)
	}
	if _, err := w.svc.CreditMarks(ctx, org.Actor{Role: org.Leader}, w.app.ID); err == nil {
		t.Fatal("a leader reads credit marks")
	}
	// The next application may not use 告知承诺 …
	_, err = w.submit(modes.Commitment, 1, 2)
	wantErr(t, err, apperr.Invalid, "modes.credit_marked")
	// … but may still apply normally.
	if _, err := w.submit("", 1, 2, 3); err != nil {
		t.Fatal(err)
	}
	if brk, _, err := cases.Verify(ctx, w.db); err != nil || brk != nil {
		t.Fatalf("chain: %v %v", brk, err)
	}
}

// A verification that passes leaves the decision standing and marks
// nothing.
func TestCommitmentVerified(t *testing.T) {
	w := newWorld(t)
	w.settings()
	ctx := context.Background()
	c := w.approvedOnCommitment(w.clock())
	if _, err := w.svc.Outcome(ctx, w.orgs["approver"], c.No, true, "核查属实"); err != nil {
		t.Fatal(err)
	}
	c, _ = w.eng.Get(ctx, cases.SystemActor, c.No)
	if c.State != cases.Approved {
		t.Fatalf("state %s", c.State)
	}
	if vs, _ := w.svc.Verifications(ctx, w.orgs["reviewer"]); len(vs) != 0 {
		t.Fatalf("still listed: %+v", vs)
	}
	if _, err := w.submit(modes.Commitment, 1, 2); err != nil {
		t.Fatalf("a verified applicant is refused: %v", err)
	}
}

// Missing the supply deadline ends the case, by the system, once, and tells
// the applicant; a case whose owed materials came in is left alone.
func TestLenientMissedDeadlineTerminates(t *testing.T) {
	w := newWorld(t)
	w.settings()
	ctx := context.Background()
	late, err := w.submit(modes.Lenient, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := w.submit(modes.Lenient, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	w.act("clerk", late.No, cases.ActAccept, cases.Input{})
	w.act("clerk", kept.No, cases.ActAccept, cases.Input{})
	w.act("clerk", kept.No, cases.ActSupply, cases.Input{Materials: []cases.MaterialChange{{Seq: 2, Paper: true}}})
	// Due 2026-10-08 (across the National Day holiday): still open that day.
	w.set(at("2026-10-08"))
	if n, err := w.svc.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("on the last day: %d %v", n, err)
	}
	w.set(at("2026-10-09"))
	if n, err := w.svc.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("the day after: %d %v", n, err)
	}
	if n, err := w.svc.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("second sweep: %d %v", n, err)
	}
	c, _ := w.eng.Get(ctx, cases.SystemActor, late.No)
	if c.State != cases.Terminated || c.ClosedAt == nil {
		t.Fatalf("state %s", c.State)
	}
	if m := c.Messages[len(c.Messages)-1]; m.Text != "case.msg.terminated" {
		t.Fatalf("messages %+v", c.Messages)
	}
	if p := modePayload(t, c, cases.ActTerminate); !strings.Contains(p, "身份证件") || !strings.Contains(p, "2026-10-08") {
		t.Fatalf("termination event: %s", p)
	}
	w.anomaly(late.No, "P07")
	if c, _ := w.eng.Get(ctx, cases.SystemActor, kept.No); c.State != cases.InProgress {
		t.Fatalf("supplied case: %s", c.State)
	}
}

// The demo offers the modes on some of its items, within the limits.
func TestDemoOffersModes(t *testing.T) {
	w := newWorld(t)
	var n int
	if err := w.db.R.QueryRow(`SELECT COUNT(*) FROM item_modes WHERE commitment AND lenient AND supply_days BETWEEN 1 AND 20`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("the demo offers no acceptance mode")
	}
}

// anomaly checks supervision raised the rule on the case, once.
func (w *world) anomaly(no, rule string) {
	w.t.Helper()
	var n int
	if err := w.db.R.QueryRow(`SELECT COUNT(*) FROM anomalies a JOIN cases c ON c.id = a.case_id WHERE c.no = $1 AND a.rule = $2`, no, rule).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	if n != 1 {
		w.t.Fatalf("%s: %d anomalies %s", no, n, rule)
	}
}

// approvedOnCommitment submits T-001 on commitment without the replaced
// certificate, accepts and forwards it, and approves it at the instant.
func (w *world) approvedOnCommitment(approve time.Time) *cases.Case {
	w.t.Helper()
	c, err := w.submit(modes.Commitment, 1, 2)
	if err != nil {
		w.t.Fatal(err)
	}
	w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	w.act("reviewer", c.No, cases.ActForward, cases.Input{Opinion: "承诺内容完整。"})
	w.set(approve)
	return w.act("approver", c.No, cases.ActApprove, cases.Input{Opinion: "同意"})
}
