package ratings_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/catalogue/cataloguetest"
	"onestop/internal/clock"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/ratings"
	"onestop/internal/tally"
)

// world is the demo county with a case engine that keeps the running
// totals, a clock the test moves, FGJ's item T-001 and MZJ's M-001, and
// two registered citizens.
type world struct {
	*cataloguetest.World
	t      *testing.T
	mu     sync.Mutex
	now    time.Time
	eng    *cases.Service
	svc    *ratings.Service
	actors map[string]cases.Actor
	apps   []applicants.Applicant
}

func (w *world) clock() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }
func (w *world) set(day string) {
	d := calendar.MustParseDate(day)
	w.mu.Lock()
	w.now = time.Date(d.Year, d.Month, d.Day, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	w.mu.Unlock()
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{World: cataloguetest.Setup(t), t: t, actors: map[string]cases.Actor{}}
	w.set("2026-09-21")
	if err := cases.EnsureCalendar(ctx, w.DB, w.clock()); err != nil {
		t.Fatal(err)
	}
	w.Cat.Now = w.clock
	for _, u := range []string{"clerk", "reviewer", "approver", "mzj.clerk1", "mzj.reviewer", "mzj.approver"} {
		st, err := w.Org.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatalf("demo account %s: %v", u, err)
		}
		w.actors[u] = cases.StaffActor(st.Actor("192.0.2.9"))
	}
	w.eng = cases.New(w.DB, w.Cat, w.clock)
	w.eng.Witnesses = append(w.eng.Witnesses, tally.Witness{})
	w.svc = &ratings.Service{DB: w.DB, Cases: w.eng, Now: w.clock, Text: func(_, key string, _ map[string]any) string { return key }}
	for code, dept := range map[string]int64{"T-001": w.Depts["FGJ"], "M-001": w.Depts["MZJ"]} {
		c := cataloguetest.Content(dept)
		c.Materials = append(c.Materials, catalogue.Material{Name: "身份证件", Required: true, Form: "copy", Copies: 1})
		w.Create(t, code, c)
	}
	as := &applicants.Service{DB: w.DB, Now: w.clock}
	for _, in := range []applicants.Input{
		{Kind: "citizen", IDNumber: "11010519491231002X", Name: "王小明", Phone: "13800138000"},
		{Kind: "citizen", IDNumber: "440524188001010014", Name: "李四", Phone: "13900139000"},
	} {
		app, err := as.Register(ctx, in, false)
		if err != nil {
			t.Fatal(err)
		}
		w.apps = append(w.apps, app)
	}
	return w
}

// decided files a case for the first citizen at item's department, and
// takes it to a decision; undecided stops after acceptance.
func (w *world) caseOf(item string, decide bool) *cases.Case {
	w.t.Helper()
	ctx := context.Background()
	clerk, rev, appr := "clerk", "reviewer", "approver"
	if item == "M-001" {
		clerk, rev, appr = "mzj.clerk1", "mzj.reviewer", "mzj.approver"
	}
	c, err := w.eng.Submit(ctx, w.actors[clerk], cases.SubmitInput{ItemCode: item, ApplicantID: w.apps[0].ID,
		Materials: []cases.MaterialChange{{Seq: 1, Paper: true}, {Seq: 2, Paper: true}}})
	if err != nil {
		w.t.Fatal(err)
	}
	steps := []struct {
		who, act string
		in       cases.Input
	}{{clerk, cases.ActAccept, cases.Input{}}}
	if decide {
		steps = append(steps, struct {
			who, act string
			in       cases.Input
		}{rev, cases.ActForward, cases.Input{Opinion: "材料齐全，符合条件。"}}, struct {
			who, act string
			in       cases.Input
		}{appr, cases.ActApprove, cases.Input{Opinion: "同意"}}, struct {
			who, act string
			in       cases.Input
		}{clerk, cases.ActComplete, cases.Input{}})
	}
	for _, s := range steps {
		if c, err = w.eng.Act(ctx, w.actors[s.who], c.No, s.act, s.in); err != nil {
			w.t.Fatalf("%s %s: %v", s.who, s.act, err)
		}
	}
	return c
}

func (w *world) owner() ratings.Rater { return ratings.Rater{ApplicantID: w.apps[0].ID} }

func wantCode(t *testing.T, err error, code apperr.Code, what string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

func wantField(t *testing.T, err error, field, key string) {
	t.Helper()
	ae := apperr.As(err)
	if ae == nil || ae.Code != apperr.Invalid || ae.Fields[field].Key != key {
		t.Fatalf("want field %s %s, got %v", field, key, err)
	}
}

func countRatings(t *testing.T, w *world) int {
	t.Helper()
	var n int
	if err := w.DB.R.QueryRow(`SELECT COUNT(*) FROM ratings`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// One rating per case and channel: a second one by the portal is a
// conflict and changes nothing; the QR channel still may rate; the totals
// count both and a recount agrees.
func TestRateOncePerCaseAndChannel(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.caseOf("T-001", true)
	if _, err := w.svc.Rate(ctx, w.owner(), c.No, ratings.Input{Level: 5}); err != nil {
		t.Fatal(err)
	}
	_, err := w.svc.Rate(ctx, w.owner(), c.No, ratings.Input{Level: 1, Comment: "改主意了"})
	wantCode(t, err, apperr.Conflict, "second portal rating")
	if ae := apperr.As(err); ae.Msg.Key != "rating.already" {
		t.Fatalf("second rating says %s", ae.Msg.Key)
	}
	tok, err := w.svc.QRToken(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Rate(ctx, ratings.Rater{Token: tok}, c.No, ratings.Input{Level: 4}); err != nil {
		t.Fatalf("QR after portal: %v", err)
	}
	if n := countRatings(t, w); n != 2 {
		t.Fatalf("%d ratings", n)
	}
	var total, content, bad, rect int
	if err := w.DB.R.QueryRow(`SELECT SUM(ratings), SUM(ratings_satisfied), SUM(ratings_bad) FROM supervision_totals`).Scan(&total, &content, &bad); err != nil {
		t.Fatal(err)
	}
	if err := w.DB.R.QueryRow(`SELECT COUNT(*) FROM rectifications`).Scan(&rect); err != nil {
		t.Fatal(err)
	}
	if total != 2 || content != 2 || bad != 0 || rect != 0 {
		t.Fatalf("totals %d %d %d, rectifications %d", total, content, bad, rect)
	}
	if diffs, err := tally.Check(ctx, w.DB); err != nil || len(diffs) != 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}

// Two ratings of one case by one channel at once: one wins, the other is
// a conflict, and one rating is counted.
func TestRateRaceOfTwo(t *testing.T) {
	w := newWorld(t)
	c := w.caseOf("T-001", true)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.svc.Rate(context.Background(), w.owner(), c.No, ratings.Input{Level: 1 + 4*i, Comment: "并发"})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("loser: %v", err)
		}
	}
	if ok != 1 || countRatings(t, w) != 1 {
		t.Fatalf("%d won, %d stored", ok, countRatings(t, w))
	}
	if diffs, err := tally.Check(context.Background(), w.DB); err != nil || len(diffs) != 0 {
		t.Fatalf("check: %v %v", diffs, err)
	}
}

// Levels 1–5 only; below 基本满意 a reason or a comment; unknown reasons,
// control characters and a 50,000-character comment are field errors;
// none of them stores anything.
func TestRateLevelsAndReasons(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.caseOf("T-001", true)
	for name, tc := range map[string]struct {
		in         ratings.Input
		field, key string
	}{
		"level 0":           {ratings.Input{Level: 0}, "level", "rating.level_invalid"},
		"level 6":           {ratings.Input{Level: 6}, "level", "rating.level_invalid"},
		"bad without why":   {ratings.Input{Level: 2}, "comment", "rating.reason_required"},
		"worst without why": {ratings.Input{Level: 1, Comment: "   "}, "comment", "rating.reason_required"},
		"unknown reason":    {ratings.Input{Level: 1, Reasons: []string{"'; DROP TABLE ratings;--"}}, "reasons", "rating.reason_invalid"},
		"huge comment":      {ratings.Input{Level: 5, Comment: strings.Repeat("好", 50000)}, "comment", "error.too_long"},
		"control chars":     {ratings.Input{Level: 5, Comment: "ok\x07"}, "comment", "error.bad_characters"},
	} {
		_, err := w.svc.Rate(ctx, w.owner(), c.No, tc.in)
		if ae := apperr.As(err); ae == nil || ae.Fields[tc.field].Key != tc.key {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := countRatings(t, w); n != 0 {
		t.Fatalf("refused ratings stored: %d", n)
	}
	// 基本满意 needs nothing; a bad level with only a reason is enough.
	r, err := w.svc.Rate(ctx, w.owner(), c.No, ratings.Input{Level: 2, Reasons: []string{"slow", "slow"}})
	if err != nil || len(r.Reasons) != 1 || r.RectificationID == 0 || !r.Named {
		t.Fatalf("bad with a reason: %+v %v", r, err)
	}
}

// Only a decided case may be rated; another applicant's case and an
// unknown number answer "not found" alike.
func TestRateWho(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	open := w.caseOf("T-001", false)
	_, err := w.svc.Rate(ctx, w.owner(), open.No, ratings.Input{Level: 5})
	wantCode(t, err, apperr.Conflict, "undecided case")
	done := w.caseOf("T-001", true)
	_, err = w.svc.Rate(ctx, ratings.Rater{ApplicantID: w.apps[1].ID}, done.No, ratings.Input{Level: 5})
	wantCode(t, err, apperr.NotFound, "another applicant's case")
	_, err = w.svc.Rate(ctx, ratings.Rater{ApplicantID: w.apps[1].ID}, "NO-SUCH-CASE", ratings.Input{Level: 5})
	wantCode(t, err, apperr.NotFound, "unknown case")
	_, err = w.svc.Rate(ctx, ratings.Rater{}, done.No, ratings.Input{Level: 5})
	wantCode(t, err, apperr.NotFound, "nobody")
	if n := countRatings(t, w); n != 0 {
		t.Fatalf("%d stored", n)
	}
}

// The receipt's link rates its own case only, until it expires; a forged
// token, another case's and an expired one answer "not found".
func TestQRToken(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, b := w.caseOf("T-001", true), w.caseOf("T-001", true)
	tok, err := w.svc.QRToken(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	forged := tok[:len(tok)-2] + "AA"
	if strings.HasSuffix(tok, "AA") {
		forged = tok[:len(tok)-2] + "BB"
	}
	parts := strings.Split(tok, ".")
	longer := parts[0] + ".2099-01-01." + parts[2]
	for name, tk := range map[string]string{"forged": forged, "other case": tok, "moved expiry": longer, "garbage": "qr.x", "empty-ish": "..."} {
		no := a.No
		if name == "other case" {
			no = b.No
		}
		_, err := w.svc.Rate(ctx, ratings.Rater{Token: tk}, no, ratings.Input{Level: 5})
		wantCode(t, err, apperr.NotFound, name)
	}
	w.set("2027-12-31") // 400 days after receipt have passed
	_, err = w.svc.Rate(ctx, ratings.Rater{Token: tok}, a.No, ratings.Input{Level: 5})
	wantCode(t, err, apperr.NotFound, "expired")
	w.set("2026-10-20")
	r, err := w.svc.Rate(ctx, ratings.Rater{Token: tok}, a.No, ratings.Input{Level: 5})
	if err != nil || r.Channel != ratings.QR || r.Named {
		t.Fatalf("valid token: %+v %v", r, err)
	}
}

// A pad rates only cases of its window's department and centre; a
// revoked key is refused like an unknown one.
func TestDevice(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	admin := w.Actors["admin"]
	var fgjWindow, mzjWindow int64
	hall := w.actors["clerk"].Staff.CentreID
	if err := w.DB.R.QueryRow(`SELECT id FROM windows WHERE department_id = $1 AND centre_id = $2 ORDER BY id LIMIT 1`, w.Depts["FGJ"], hall).Scan(&fgjWindow); err != nil {
		t.Fatal(err)
	}
	if err := w.DB.R.QueryRow(`SELECT id FROM windows WHERE department_id = $1 AND centre_id = $2 ORDER BY id LIMIT 1`, w.Depts["MZJ"], hall).Scan(&mzjWindow); err != nil {
		t.Fatal(err)
	}
	_, _, err := w.svc.IssueDevice(ctx, w.Actors["deptadmin"], fgjWindow, "pad")
	if ae := apperr.As(err); ae == nil || ae.Fields["window_id"].Key != "rating.window_unknown" {
		t.Fatalf("a department admin issued a pad: %v", err)
	}
	fgj, fgjKey, err := w.svc.IssueDevice(ctx, admin, fgjWindow, "1号窗口评价器")
	if err != nil {
		t.Fatal(err)
	}
	_, mzjKey, err := w.svc.IssueDevice(ctx, admin, mzjWindow, "民政窗口评价器")
	if err != nil {
		t.Fatal(err)
	}
	c := w.caseOf("T-001", true)
	mzj, err := w.svc.DeviceByKey(ctx, mzjKey)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Rate(ctx, ratings.Rater{Device: mzj}, c.No, ratings.Input{Level: 5})
	wantCode(t, err, apperr.Forbidden, "another department's pad")
	if err := w.svc.RevokeDevice(ctx, admin, fgj.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.DeviceByKey(ctx, fgjKey)
	wantCode(t, err, apperr.Unauth, "revoked key")
	_, err = w.svc.DeviceByKey(ctx, "osr_"+strings.Repeat("x", 32))
	wantCode(t, err, apperr.Unauth, "unknown key")
	if n := countRatings(t, w); n != 0 {
		t.Fatalf("%d stored", n)
	}
	_, key2, err := w.svc.IssueDevice(ctx, admin, fgjWindow, "新评价器")
	if err != nil {
		t.Fatal(err)
	}
	d2, err := w.svc.DeviceByKey(ctx, key2)
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.svc.Rate(ctx, ratings.Rater{Device: d2}, c.No, ratings.Input{Level: 3})
	if err != nil || r.Channel != ratings.Pad || r.WindowID != fgjWindow {
		t.Fatalf("own window's pad: %+v %v", r, err)
	}
}

// The rater adds to a rating once, within the period.
func TestAdditionOnce(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.caseOf("T-001", true)
	_, err := w.svc.Add(ctx, w.owner(), c.No, "补充")
	wantCode(t, err, apperr.Conflict, "addition without a rating")
	if _, err := w.svc.Rate(ctx, w.owner(), c.No, ratings.Input{Level: 4}); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Add(ctx, w.owner(), c.No, "")
	wantField(t, err, "addition", "error.required")
	r, err := w.svc.Add(ctx, w.owner(), c.No, "证照已寄到，谢谢。")
	if err != nil || r.Addition != "证照已寄到，谢谢。" || r.AddedAt == nil {
		t.Fatalf("addition: %+v %v", r, err)
	}
	_, err = w.svc.Add(ctx, w.owner(), c.No, "再补充")
	wantCode(t, err, apperr.Conflict, "second addition")
	// Another case rated, the period passes.
	c2 := w.caseOf("T-001", true)
	if _, err := w.svc.Rate(ctx, w.owner(), c2.No, ratings.Input{Level: 4}); err != nil {
		t.Fatal(err)
	}
	w.set("2026-10-07") // 16 days after 09-21
	_, err = w.svc.Add(ctx, w.owner(), c2.No, "迟到的追评")
	wantCode(t, err, apperr.Conflict, "addition after the period")
}

// A bad rating on Wednesday 30 September 2026 — before the National Day
// holiday (1–7 October) and the make-up Saturday of 10 October — is due
// for its revisit on Thursday 8 October (1 working day) and its fix on
// Tuesday 13 October (5 working days: 8, 9, Sat 10, 12, 13; Sunday 11 is
// not one). The lights turn red by themselves after those days.
func TestRectificationDeadlinesOverHolidays(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.caseOf("T-001", true)
	w.set("2026-09-30")
	r, err := w.svc.Rate(ctx, w.owner(), c.No, ratings.Input{Level: 1, Comment: "等了很久"})
	if err != nil {
		t.Fatal(err)
	}
	admin := w.Actors["deptadmin"]
	x, err := w.svc.Get(ctx, admin, r.RectificationID)
	if err != nil {
		t.Fatal(err)
	}
	if x.RevisitDue.String() != "2026-10-08" || x.FixDue.String() != "2026-10-13" {
		t.Fatalf("due %s / %s", x.RevisitDue, x.FixDue)
	}
	if x.RevisitLight.Light == clock.Red {
		t.Fatal("red on the first day")
	}
	w.set("2026-10-09")
	if x, err = w.svc.Get(ctx, admin, r.RectificationID); err != nil {
		t.Fatal(err)
	}
	if x.RevisitLight.Light != clock.Red || x.FixLight.Light == clock.Red || !x.Overdue() {
		t.Fatalf("on 10-09: revisit %v fix %v", x.RevisitLight, x.FixLight)
	}
	// A Friday rating: revisit Monday, fix the Friday after.
	c2 := w.caseOf("T-001", true)
	w.set("2026-11-06")
	r2, err := w.svc.Rate(ctx, w.owner(), c2.No, ratings.Input{Level: 2, Reasons: []string{"attitude"}})
	if err != nil {
		t.Fatal(err)
	}
	x2, err := w.svc.Get(ctx, admin, r2.RectificationID)
	if err != nil || x2.RevisitDue.String() != "2026-11-09" || x2.FixDue.String() != "2026-11-13" {
		t.Fatalf("friday: %v %v", x2, err)
	}
}

// The ledger: a named bad rating cannot be closed (nor submitted)
// without the reply and the revisit; with them the supervisor closes it.
// The department of another county (and its supervisor) cannot see or
// act on it: "not found".
func TestRectificationLedger(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.caseOf("T-001", true)
	r, err := w.svc.Rate(ctx, w.owner(), c.No, ratings.Input{Level: 1, Comment: "窗口态度差"})
	if err != nil {
		t.Fatal(err)
	}
	id := r.RectificationID
	admin, super := w.Actors["deptadmin"], w.Actors["supervisor"]
	act := func(a org.Actor, action string, in ratings.StepInput) (*ratings.Rectification, error) {
		x, err := w.svc.Get(ctx, w.Actors["supervisor"], id)
		if err != nil {
			t.Fatal(err)
		}
		in.Version = x.Version
		return w.svc.Act(ctx, a, id, action, in)
	}
	must := func(a org.Actor, action string, in ratings.StepInput) {
		t.Helper()
		if _, err := act(a, action, in); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	// Outsiders: another county's department admin and supervisor, and
	// another department of this county.
	// A second county of the province, with its own accounts.
	if err := demo.EnsureProvince(ctx, w.DB, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	strangers := map[string]org.Actor{"other dept": {StaffID: 997, Role: org.DeptAdmin, DepartmentID: w.Depts["MZJ"]}}
	for name, u := range map[string]string{"other county dept": "c430121.fgj.admin", "other county sup": "c430121.supervisor",
		"other county approver": "c430121.fgj.approver", "other county hall admin": "c430121.admin"} {
		st, err := w.Org.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		strangers[name] = st.Actor("192.0.2.7")
	}
	for name, a := range strangers {
		if _, err := w.svc.Get(ctx, a, id); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%s reads: %v", name, err)
		}
		if _, err := w.svc.Act(ctx, a, id, ratings.ActVerify, ratings.StepInput{Version: 1, Text: "x"}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%s acts: %v", name, err)
		}
		if list, _, err := w.svc.List(ctx, a, ratings.Filter{}); err != nil || len(list) != 0 {
			t.Errorf("%s lists %d ratings: %v", name, len(list), err)
		}
	}
	_, err = act(super, ratings.ActVerify, ratings.StepInput{Text: "x"})
	wantCode(t, err, apperr.Forbidden, "supervisor verifying")
	_, err = act(admin, ratings.ActVerify, ratings.StepInput{Text: ""})
	wantField(t, err, "text", "error.required")
	must(admin, ratings.ActVerify, ratings.StepInput{Text: "已电话联系申请人核实：窗口人员解释不耐心。"})
	must(admin, ratings.ActFix, ratings.StepInput{Text: "已对窗口人员批评教育并组织服务礼仪培训。"})
	must(admin, ratings.ActReply, ratings.StepInput{Text: "感谢您的监督，我们已整改。"})
	_, err = act(admin, ratings.ActSubmit, ratings.StepInput{})
	wantCode(t, err, apperr.Conflict, "submitting a named bad rating without revisit")
	_, err = act(super, ratings.ActClose, ratings.StepInput{})
	if ae := apperr.As(err); ae == nil || ae.Msg.Key != "rectify.revisit_required" {
		t.Fatalf("closing without revisit: %v", err)
	}
	_, err = act(admin, ratings.ActRevisit, ratings.StepInput{On: "2099-01-01", How: "phone", Opinion: "满意"})
	wantField(t, err, "on", "rectify.revisit_future")
	_, err = act(admin, ratings.ActRevisit, ratings.StepInput{On: "2026-09-21", How: "carrier pigeon", Opinion: "满意"})
	wantField(t, err, "how", "rectify.revisit_how")
	must(admin, ratings.ActRevisit, ratings.StepInput{On: "2026-09-21", How: "phone", Opinion: "申请人表示满意"})
	must(admin, ratings.ActSubmit, ratings.StepInput{})
	must(super, ratings.ActClose, ratings.StepInput{})
	x, err := w.svc.Get(ctx, admin, id)
	if err != nil || x.State != ratings.Closed || len(x.Steps) != 7 || x.ClosedAt == nil {
		t.Fatalf("closed: %+v %v", x, err)
	}
	// The rater sees the reply and the revisit; an SMS is queued.
	given, err := w.svc.OfCase(ctx, c.ID)
	if err != nil || len(given) != 1 || given[0].Reply != "感谢您的监督，我们已整改。" || given[0].RevisitOn == nil || given[0].RevisitOpinion != "申请人表示满意" {
		t.Fatalf("rater's view: %+v %v", given, err)
	}
	var sms int
	if err := w.DB.R.QueryRow(`SELECT COUNT(*) FROM sms_outbox WHERE phone = '13800138000'`).Scan(&sms); err != nil || sms != 1 {
		t.Fatalf("sms %d %v", sms, err)
	}
	// A stale version is a conflict.
	_, err = w.svc.Act(ctx, super, id, ratings.ActReturn, ratings.StepInput{Version: 1})
	wantCode(t, err, apperr.Conflict, "stale version")
}

// An anonymous (QR) bad rating needs no revisit; the department may
// appeal it as mistaken and the supervisor decides.
func TestRectificationAppeal(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.caseOf("T-001", true)
	tok, _ := w.svc.QRToken(ctx, c)
	r, err := w.svc.Rate(ctx, ratings.Rater{Token: tok}, c.No, ratings.Input{Level: 1, Reasons: []string{"other"}})
	if err != nil || r.Named {
		t.Fatal(r, err)
	}
	admin, super := w.Actors["deptadmin"], w.Actors["supervisor"]
	x, _ := w.svc.Get(ctx, admin, r.RectificationID)
	if x, err = w.svc.Act(ctx, admin, x.ID, ratings.ActAppeal, ratings.StepInput{Version: x.Version, Text: "评价对象错误：该件由其他部门办理。"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Act(ctx, admin, x.ID, ratings.ActUphold, ratings.StepInput{Version: x.Version}); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("department deciding its own appeal: %v", err)
	}
	if x, err = w.svc.Act(ctx, super, x.ID, ratings.ActUphold, ratings.StepInput{Version: x.Version}); err != nil || x.State != ratings.Closed || x.Outcome != "appeal_upheld" {
		t.Fatalf("upheld: %+v %v", x, err)
	}
}

// Satisfaction rates computed by hand: FGJ rated 5, 3 and 1 (satisfied
// 1 of 3, one bad), MZJ rated 4 (1 of 1). The bulletin by department
// shows them; the totals agree with a recount.
func TestSatisfactionByHand(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var fgj []*cases.Case
	for range 3 {
		fgj = append(fgj, w.caseOf("T-001", true))
	}
	m := w.caseOf("M-001", true)
	w.set("2026-10-12")
	for i, lv := range []int{5, 3, 1} {
		if _, err := w.svc.Rate(ctx, w.owner(), fgj[i].No, ratings.Input{Level: lv, Comment: "评价"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.svc.Rate(ctx, w.owner(), m.No, ratings.Input{Level: 4}); err != nil {
		t.Fatal(err)
	}
	rep, err := tally.Bulletin(ctx, w.DB, w.Actors["supervisor"], tally.Query{From: calendar.MustParseDate("2026-10-01"), To: calendar.MustParseDate("2026-10-31"), By: "department"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rep.Items {
		if r.SatisfactionRate != nil {
			got[r.Key] = strings.TrimRight(strings.TrimRight(strconvF(*r.SatisfactionRate), "0"), ".") + "/" + itoa(r.Ratings) + "/" + itoa(r.RatingsBad)
		}
	}
	want := map[string]string{itoa(int(w.Depts["FGJ"])): "0.3333/3/1", itoa(int(w.Depts["MZJ"])): "1/1/0"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("department %s: %q, want %q (all %v)", k, got[k], v, got)
		}
	}
	if rep.Total.Ratings != 4 || rep.Total.SatisfactionRate == nil || *rep.Total.SatisfactionRate != 0.5 {
		t.Errorf("total %+v", rep.Total)
	}
	st, err := w.svc.Stats(ctx, w.Actors["supervisor"], calendar.MustParseDate("2026-10-01"), calendar.MustParseDate("2026-10-31"), "department")
	if err != nil {
		t.Fatal(err)
	}
	if st.Total.Ratings != 4 || *st.Total.GoodRate() != 0.75 || st.Total.Bad != 1 || len(st.Items) != 2 || st.Items[0].Key != itoa(int(w.Depts["MZJ"])) {
		t.Errorf("stats %+v %+v", st.Total, st.Items)
	}
	if err := tally.Recount(ctx, w.DB); err != nil {
		t.Fatal(err)
	}
	if diffs, err := tally.Check(ctx, w.DB); err != nil || len(diffs) != 0 {
		t.Fatalf("check after recount: %v %v", diffs, err)
	}
	var n int
	if err := w.DB.R.QueryRow(`SELECT SUM(ratings_bad) FROM supervision_months`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("months bad %d %v", n, err)
	}
	// A tampered total is found.
	if _, err := w.DB.W.Exec(`UPDATE supervision_totals SET ratings = ratings + 1 WHERE ratings > 0`); err != nil {
		t.Fatal(err)
	}
	if diffs, _ := tally.Check(ctx, w.DB); len(diffs) == 0 {
		t.Fatal("a wrong ratings total passed the check")
	}
}

func itoa(n int) string         { return strconv.Itoa(n) }
func strconvF(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }
