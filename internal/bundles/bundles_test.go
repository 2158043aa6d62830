package bundles_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/bundles"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

// world is the demo county (BL-005: 住建局 leads, 自然资源局 and 气象局
// take part) with a company applicant, on a real database.
type world struct {
	t   testing.TB
	db  *store.DB
	mu  sync.Mutex
	now time.Time
	cat *catalogue.Service
	eng *cases.Service
	svc *bundles.Service
	org *org.Service
	app applicants.Applicant
}

func (w *world) clock() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }

func newWorld(t testing.TB) *world {
	t.Helper()
	ctx := context.Background()
	d := calendar.MustParseDate("2026-09-28")
	w := &world{t: t, db: testutil.NewTestDB(t), now: time.Date(d.Year, d.Month, d.Day, 2, 0, 0, 0, time.UTC)}
	if _, err := demo.Ensure(ctx, w.db, 431022); err != nil {
		t.Fatal(err)
	}
	if err := cases.EnsureCalendar(ctx, w.db, w.now); err != nil {
		t.Fatal(err)
	}
	w.org = &org.Service{DB: w.db, Now: w.clock}
	w.cat = &catalogue.Service{DB: w.db, Now: w.clock}
	w.eng = cases.New(w.db, w.cat, w.clock)
	w.svc = bundles.New(w.db, w.eng, w.cat, w.clock)
	w.eng.Witnesses = append(w.eng.Witnesses, w.svc)
	as := &applicants.Service{DB: w.db, Now: w.clock}
	app, err := as.Register(ctx, applicants.Input{Kind: "organisation", IDNumber: "91431022MA4L0BN55X", Name: "宜章县建新制造有限公司",
		Phone: "13800138001", ContactName: "李建新", ConfirmCheck: true}, false)
	if err != nil {
		t.Fatal(err)
	}
	w.app = app
	return w
}

// staff is the first person of a role in a department (by code).
func (w *world) staff(dept, role string) org.Actor {
	w.t.Helper()
	var username string
	if err := w.db.R.QueryRow(`SELECT s.username FROM staff s JOIN departments d ON d.id = s.department_id WHERE d.code = $1 AND s.role = $2
		ORDER BY s.id LIMIT 1`, dept, role).Scan(&username); err != nil {
		w.t.Fatalf("%s %s: %v", dept, role, err)
	}
	st, err := w.org.StaffByUsername(context.Background(), username)
	if err != nil {
		w.t.Fatal(err)
	}
	return st.Actor("192.0.2.7")
}

func (w *world) applicant() cases.Actor {
	return cases.Actor{ApplicantID: w.app.ID, ApplicantName: w.app.Name, Address: "198.51.100.1"}
}

// accepted is a BL-005 bundle handed in at the 住建局 window with every
// shared material and accepted there.
func (w *world) accepted(code string) *bundles.Bundle {
	w.t.Helper()
	ctx := context.Background()
	clerk := w.staff("ZJJ", "clerk")
	comp, err := w.cat.Composite(ctx, code)
	if err != nil {
		w.t.Fatal(err)
	}
	b, err := w.svc.Submit(ctx, cases.StaffActor(clerk), bundles.SubmitInput{CompositeCode: code, ApplicantID: w.app.ID, Received: all(comp, b0)})
	if err != nil {
		w.t.Fatalf("submit: %v", err)
	}
	if b.State != bundles.Received || len(b.Parts) != 0 {
		w.t.Fatalf("submitted bundle %s has %d parts", b.State, len(b.Parts))
	}
	b, err = w.svc.Accept(ctx, clerk, b.No, bundles.AcceptInput{})
	if err != nil {
		w.t.Fatalf("accept: %v", err)
	}
	return b
}

var b0 *bundles.Bundle

func all(comp catalogue.Composite, _ *bundles.Bundle) []int {
	var out []int
	seen := map[string]bool{}
	for _, it := range comp.Items {
		for _, m := range it.Materials {
			if !seen[m.Name] {
				seen[m.Name] = true
				out = append(out, len(out)+1)
			}
		}
	}
	return out
}

// decide takes a part through its review to the decision (approve or
// refuse), by its own department's reviewer and approver.
func (w *world) decide(dept, no, decision string) {
	w.t.Helper()
	ctx := context.Background()
	for range 5 {
		c, err := w.eng.Get(ctx, cases.SystemActor, no)
		if err != nil {
			w.t.Fatal(err)
		}
		if c.State != cases.InProgress {
			return
		}
		act := cases.ActForward
		if cases.IsDecisionStep(c) {
			act = decision
		}
		in := cases.Input{Opinion: "经审查，符合法定条件。"}
		if act == cases.ActRefuse {
			in = cases.Input{Reason: "设计文件不符合国家工程建设消防技术标准。", Remedy: cases.RemedyText}
		}
		if _, err := w.eng.Act(ctx, cases.StaffActor(w.staff(dept, c.StepRole)), no, act, in); err != nil {
			w.t.Fatalf("%s %s %s: %v", dept, act, no, err)
		}
	}
	w.t.Fatalf("%s did not reach a decision", no)
}

func (w *world) get(no string) *bundles.Bundle {
	w.t.Helper()
	b, err := w.svc.Get(context.Background(), cases.SystemActor, no)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

func deptCode(w *world, id int64) string {
	var code string
	if err := w.db.R.QueryRow(`SELECT code FROM departments WHERE id = $1`, id).Scan(&code); err != nil {
		w.t.Fatal(err)
	}
	return code
}

func TestBundleOpensOnePartPerItemEachOnItsOwnClock(t *testing.T) {
	w := newWorld(t)
	b := w.accepted("BL-005")
	if b.State != bundles.InProgress || len(b.Parts) != 3 {
		t.Fatalf("accepted bundle: %s with %d parts", b.State, len(b.Parts))
	}
	depts := map[int64]bool{}
	deadlines := map[string]calendar.Date{}
	for _, p := range b.Parts {
		depts[p.DepartmentID] = true
		if p.State != cases.InProgress || p.Deadline == nil || p.Light == "" {
			t.Fatalf("part %s: %s, deadline %v, light %q", p.No, p.State, p.Deadline, p.Light)
		}
		c, err := w.eng.Get(context.Background(), cases.SystemActor, p.No)
		if err != nil {
			t.Fatal(err)
		}
		if c.BundleNo != b.No || c.DepartmentID != p.DepartmentID {
			t.Fatalf("part %s names bundle %q", p.No, c.BundleNo)
		}
		// The shared materials were handed in once and count for every part.
		for _, m := range c.Materials {
			if m.Required && m.Status != "received" {
				t.Fatalf("part %s: material %s is %s", p.No, m.Name, m.Status)
			}
		}
		deadlines[p.ItemCode] = *p.Deadline
	}
	if len(depts) != 3 {
		t.Fatalf("parts in %d departments, want 3", len(depts))
	}
	// 7, 8 and 5 promised working days from the same acceptance: three
	// different deadlines, each the part's own.
	cal, _ := w.eng.WorkingCalendar(context.Background())
	acc := calendar.DateOf(*b.AcceptedAt, time.UTC)
	for _, p := range b.Parts {
		want := cal.AddWorkingDays(acc, p.PromisedDays).Deadline
		if deadlines[p.ItemCode] != want {
			t.Errorf("%s (%d days): deadline %s, want %s", p.ItemCode, p.PromisedDays, deadlines[p.ItemCode], want)
		}
	}
	if deadlines["ZRZYJ-003"] == deadlines["QXJ-001"] {
		t.Errorf("parts with 7 and 5 days share the deadline %s", deadlines["QXJ-001"])
	}
	if b.Deadline == nil || *b.Deadline != cal.AddWorkingDays(acc, 10).Deadline {
		t.Errorf("bundle deadline %v, want 10 working days", b.Deadline)
	}
}

func TestBundleCompletesWhenEveryPartIsDecidedAndIsDeliveredOnce(t *testing.T) {
	w := newWorld(t)
	b := w.accepted("BL-005")
	for i, p := range b.Parts {
		w.decide(deptCode(w, p.DepartmentID), p.No, cases.ActApprove)
		got := w.get(b.No)
		if i < len(b.Parts)-1 && got.State != bundles.InProgress {
			t.Fatalf("after %d of %d parts the bundle is %s", i+1, len(b.Parts), got.State)
		}
	}
	b = w.get(b.No)
	if b.State != bundles.Decided || b.Outcome != bundles.Approved {
		t.Fatalf("bundle %s/%s after every part approved", b.State, b.Outcome)
	}
	ctx := context.Background()
	// Only the lead department's clerk delivers.
	if _, err := w.svc.Deliver(ctx, w.staff("ZRZYJ", "clerk"), b.No, bundles.DeliverInput{Delivery: "window"}); apperr.As(err) == nil ||
		apperr.As(err).Code != apperr.Forbidden {
		t.Fatalf("another department's clerk delivered: %v", err)
	}
	b, err := w.svc.Deliver(ctx, w.staff("ZJJ", "clerk"), b.No, bundles.DeliverInput{Delivery: "window"})
	if err != nil {
		t.Fatal(err)
	}
	if b.State != bundles.Delivered {
		t.Fatalf("bundle %s after delivery", b.State)
	}
	for _, p := range b.Parts {
		if p.State != cases.Delivered {
			t.Errorf("part %s is %s after the combined delivery", p.No, p.State)
		}
	}
	if _, err := w.svc.Deliver(ctx, w.staff("ZJJ", "clerk"), b.No, bundles.DeliverInput{Delivery: "window"}); apperr.As(err) == nil {
		t.Fatal("delivered twice")
	}
}

func TestAllOrNothingRefusalEndsTheOpenSiblings(t *testing.T) {
	w := newWorld(t)
	b := w.accepted("BL-005")
	var refused bundles.Part
	for _, p := range b.Parts {
		if p.ItemCode == "ZJJ-004" {
			refused = p
		}
	}
	first := b.Parts[0]
	if first.No == refused.No {
		t.Fatal("test needs another part first")
	}
	w.decide(deptCode(w, first.DepartmentID), first.No, cases.ActApprove)
	w.decide("ZJJ", refused.No, cases.ActRefuse)
	b = w.get(b.No)
	if b.State != bundles.Decided || b.Outcome != bundles.Refused {
		t.Fatalf("bundle %s/%s after an all-or-nothing refusal", b.State, b.Outcome)
	}
	for _, p := range b.Parts {
		switch p.No {
		case refused.No:
			if p.State != cases.Refused {
				t.Errorf("refused part is %s", p.State)
			}
		case first.No:
			if p.State != cases.Approved {
				t.Errorf("part decided before the refusal is %s", p.State)
			}
		default:
			if p.State != cases.Terminated {
				t.Errorf("open sibling %s is %s, want terminated", p.No, p.State)
			}
			c, err := w.eng.Get(context.Background(), cases.SystemActor, p.No)
			if err != nil {
				t.Fatal(err)
			}
			last := c.Events[len(c.Events)-1]
			if !strings.Contains(string(last.Payload), refused.No) {
				t.Errorf("termination of %s does not name the refused part: %s", p.No, last.Payload)
			}
		}
	}
}

func TestKeepRestRefusalLetsTheOthersRunAndCompletesPartially(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.keepRest()
	b := w.accepted("BL-095")
	var refused bundles.Part
	for _, p := range b.Parts {
		if p.ItemCode == "ZJJ-004" {
			refused = p
		}
	}
	w.decide("ZJJ", refused.No, cases.ActRefuse)
	b = w.get(b.No)
	if b.State != bundles.InProgress {
		t.Fatalf("keep-the-rest bundle is %s after one refusal", b.State)
	}
	for _, p := range b.Parts {
		if p.No != refused.No {
			if p.State != cases.InProgress {
				t.Fatalf("sibling %s is %s, want still running", p.No, p.State)
			}
			w.decide(deptCode(w, p.DepartmentID), p.No, cases.ActApprove)
		}
	}
	b = w.get(b.No)
	if b.State != bundles.Decided || b.Outcome != bundles.Partial {
		t.Fatalf("bundle %s/%s, want decided/partial", b.State, b.Outcome)
	}
	b, err := w.svc.Deliver(ctx, w.staff("ZJJ", "clerk"), b.No, bundles.DeliverInput{Delivery: "window"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range b.Parts {
		if p.State != cases.Delivered {
			t.Errorf("part %s is %s after delivery", p.No, p.State)
		}
	}
}

func TestBundleVisibleToParticipantsOnly(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	b := w.accepted("BL-005")
	var qx bundles.Part
	for _, p := range b.Parts {
		if p.ItemCode == "QXJ-001" {
			qx = p
		}
	}
	// A participant (自然资源局's reviewer) sees the whole bundle, and a
	// suspension in 气象局 shows there at once.
	if _, err := w.eng.Act(ctx, cases.StaffActor(w.staff("QXJ", "reviewer")), qx.No, cases.ActSuspend,
		cases.Input{PauseReason: "expert_review", ExpectedDays: 5, Reason: "需组织专家评审防雷设计"}); err != nil {
		t.Fatal(err)
	}
	got, err := w.svc.Get(ctx, cases.StaffActor(w.staff("ZRZYJ", "reviewer")), b.No)
	if err != nil {
		t.Fatalf("participant cannot read the bundle: %v", err)
	}
	for _, p := range got.Parts {
		if p.No == qx.No && !p.Paused {
			t.Error("the suspension does not show on the bundle page")
		}
	}
	// A non-participant department (公安局) and another applicant are told
	// it does not exist.
	for name, a := range map[string]cases.Actor{
		"公安局 reviewer":    cases.StaffActor(w.staff("GAJ", "reviewer")),
		"公安局 clerk":       cases.StaffActor(w.staff("GAJ", "clerk")),
		"other applicant": {ApplicantID: w.app.ID + 100000, ApplicantName: "x"},
	} {
		if _, err := w.svc.Get(ctx, a, b.No); apperr.As(err) == nil || apperr.As(err).Code != apperr.NotFound {
			t.Errorf("%s reads the bundle: %v", name, err)
		}
	}
	if _, err := w.svc.Get(ctx, w.applicant(), b.No); err != nil {
		t.Errorf("the applicant cannot read their bundle: %v", err)
	}
}

func TestAnotherDepartmentCannotActOnAPartNotTheirs(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	b := w.accepted("BL-005")
	var zr bundles.Part
	for _, p := range b.Parts {
		if p.ItemCode == "ZRZYJ-003" {
			zr = p
		}
	}
	for _, role := range []string{"reviewer", "approver"} {
		for _, act := range []string{cases.ActForward, cases.ActApprove, cases.ActRefuse, cases.ActSuspend} {
			_, err := w.eng.Act(ctx, cases.StaffActor(w.staff("QXJ", role)), zr.No, act, cases.Input{Opinion: "同意", Reason: "x", Remedy: cases.RemedyText})
			if e := apperr.As(err); e == nil || (e.Code != apperr.NotFound && e.Code != apperr.Forbidden) {
				t.Errorf("气象局 %s took %s on 自然资源局's part: %v", role, act, err)
			}
		}
	}
	// Nor the lead department's reviewer: the lead receives and delivers,
	// each department decides its own part.
	if _, err := w.eng.Act(ctx, cases.StaffActor(w.staff("ZJJ", "reviewer")), zr.No, cases.ActForward, cases.Input{Opinion: "同意"}); apperr.As(err) == nil {
		t.Error("the lead department's reviewer acted on another department's part")
	}
	c, _ := w.eng.Get(ctx, cases.SystemActor, zr.No)
	if c.State != cases.InProgress || c.Version != 2 {
		t.Fatalf("part changed by refused actions: %s v%d", c.State, c.Version)
	}
}

func TestIntakeRefusesBadInputAndChangesNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	clerk := cases.StaffActor(w.staff("ZJJ", "clerk"))
	count := func() int {
		var n int
		w.db.R.QueryRow(`SELECT COUNT(*) FROM bundles`).Scan(&n)
		return n
	}
	for name, code := range map[string]string{"unknown": "BL-999", "50k": strings.Repeat("宜", 50000), "empty": ""} {
		_, err := w.svc.Submit(ctx, clerk, bundles.SubmitInput{CompositeCode: code, ApplicantID: w.app.ID})
		e := apperr.As(err)
		if _, ok := e.Fields["composite_code"]; e == nil || e.Code != apperr.Invalid || !ok {
			t.Errorf("%s composite code: %v", name, err)
		}
	}
	// Only the lead department's clerk opens the door.
	if _, err := w.svc.Submit(ctx, cases.StaffActor(w.staff("QXJ", "clerk")), bundles.SubmitInput{CompositeCode: "BL-005", ApplicantID: w.app.ID}); apperr.As(err) == nil ||
		apperr.As(err).Code != apperr.Forbidden {
		t.Errorf("a participant's clerk received the bundle: %v", err)
	}
	// Acceptance waits for the required shared materials.
	b, err := w.svc.Submit(ctx, w.applicant(), bundles.SubmitInput{CompositeCode: "bl-005"})
	if err != nil {
		t.Fatalf("online application: %v", err)
	}
	if b.Channel != "online" {
		t.Errorf("channel %s", b.Channel)
	}
	if _, err := w.svc.Accept(ctx, w.staff("ZJJ", "clerk"), b.No, bundles.AcceptInput{}); apperr.As(err) == nil || apperr.As(err).Code != apperr.Invalid {
		t.Fatalf("accepted without materials: %v", err)
	}
	if _, err := w.svc.Accept(ctx, w.staff("QXJ", "clerk"), b.No, bundles.AcceptInput{}); apperr.As(err) == nil || apperr.As(err).Code != apperr.Forbidden {
		t.Fatalf("a participant's clerk accepted: %v", err)
	}
	var parts int
	w.db.R.QueryRow(`SELECT COUNT(*) FROM cases WHERE bundle_id IS NOT NULL`).Scan(&parts)
	if parts != 0 || count() != 1 {
		t.Fatalf("refused intake left %d parts, %d bundles", parts, count())
	}
}

func TestCompositePromiseMustFitTheLongestPart(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	comp, _ := w.cat.Composite(ctx, "BL-005")
	in := catalogue.CompositeInput{Code: "BL-096", Name: "过短承诺", LeadDepartmentID: comp.LeadDepartmentID, StatutoryDays: 45, PromisedDays: 7}
	for _, it := range comp.Items {
		in.ItemCodes = append(in.ItemCodes, it.Code)
	}
	admin, _ := w.org.StaffByUsername(ctx, "admin")
	_, err := w.cat.CreateComposite(ctx, admin.Actor("192.0.2.1"), in)
	e := apperr.As(err)
	if e == nil || e.Fields["promised_days"].Key != "catalogue.promised_under_longest_part" {
		t.Fatalf("7 days for a bundle with an 8-day part: %v", err)
	}
	in.PromisedDays, in.RefusalRule = 8, "whatever"
	if _, err := w.cat.CreateComposite(ctx, admin.Actor("192.0.2.1"), in); apperr.As(err) == nil || apperr.As(err).Fields["refusal_rule"].Key == "" {
		t.Fatalf("unknown refusal rule: %v", err)
	}
	in.RefusalRule = ""
	if _, err := w.cat.CreateComposite(ctx, admin.Actor("192.0.2.1"), in); err != nil {
		t.Fatalf("8 days for a bundle whose longest part is 8: %v", err)
	}
}

// keepRest creates BL-095: BL-005's items under the keep-the-rest rule.
func (w *world) keepRest() {
	w.t.Helper()
	ctx := context.Background()
	comp, err := w.cat.Composite(ctx, "BL-005")
	if err != nil {
		w.t.Fatal(err)
	}
	in := catalogue.CompositeInput{Code: "BL-095", Name: "小型建设项目开工（可部分办结）", LeadDepartmentID: comp.LeadDepartmentID, StatutoryDays: 45,
		PromisedDays: 10, RefusalRule: catalogue.KeepRest}
	for _, it := range comp.Items {
		in.ItemCodes = append(in.ItemCodes, it.Code)
	}
	admin, err := w.org.StaffByUsername(ctx, "admin")
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.cat.CreateComposite(ctx, admin.Actor("192.0.2.1"), in); err != nil {
		w.t.Fatal(err)
	}
}
