package cases_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

// world is a demo county with two test items of the clerk's department and
// one applicant, on a real database, with a clock the test moves.
type world struct {
	t      *testing.T
	db     *store.DB
	now    time.Time
	mu     sync.Mutex
	eng    *cases.Service
	cat    *catalogue.Service
	actors map[string]cases.Actor
	orgs   map[string]org.Actor
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
	w := &world{t: t, db: testutil.NewTestDB(t), now: at("2026-09-28"), actors: map[string]cases.Actor{}, orgs: map[string]org.Actor{}}
	if _, err := demo.Ensure(ctx, w.db, 431022); err != nil {
		t.Fatal(err)
	}
	if err := cases.EnsureCalendar(ctx, w.db, w.now); err != nil {
		t.Fatal(err)
	}
	os := &org.Service{DB: w.db, Now: w.clock}
	for _, u := range []string{"admin", "clerk", "reviewer", "approver", "tclerk", "supervisor", "deptadmin"} {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		w.orgs[u] = st.Actor("192.0.2.7")
		w.actors[u] = cases.StaffActor(w.orgs[u])
	}
	w.cat = &catalogue.Service{DB: w.db, Now: w.clock}
	w.eng = cases.New(w.db, w.cat, w.clock)
	dept := w.orgs["clerk"].DepartmentID
	base := catalogue.Content{Type: "licensing", DepartmentID: dept, Audience: "both", LegalBasis: "《中华人民共和国行政许可法》第十二条",
		StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true,
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}, {Name: "身份证件", Required: true, Form: "copy", Copies: 1},
			{Name: "授权委托书", Required: false, Condition: "委托他人办理的", Form: "original", Copies: 1}},
		Steps: catalogue.DefaultSteps(5)}
	mk := func(code, name string, mod func(*catalogue.Content)) {
		c := base
		c.Name = name
		if mod != nil {
			mod(&c)
		}
		if _, err := w.cat.Create(ctx, w.orgs["admin"], code, c, ""); err != nil {
			t.Fatalf("item %s: %v", code, err)
		}
	}
	mk("T-001", "测试许可", nil)
	mk("T-002", "测试备案（超时默认）", func(c *catalogue.Content) {
		c.Type, c.DeemedApproval, c.DeemedNote = "filing", true, "依据《宜章县行政审批超时默认办理暂行办法》第五条，视为同意。"
	})
	mk("T-003", "测试证明", func(c *catalogue.Content) {
		c.Type, c.Immediate, c.PromisedDays, c.Steps = "public_service", true, 0, catalogue.DefaultSteps(0)
	})
	as := &applicants.Service{DB: w.db, Now: w.clock}
	app, err := as.Register(ctx, applicants.Input{Kind: "citizen", IDNumber: "11010519491231002X", Name: "王小明", Phone: "13800138000"}, false)
	if err != nil {
		t.Fatal(err)
	}
	w.app = app
	w.actors["applicant"] = cases.Actor{ApplicantID: app.ID, ApplicantName: app.Name, Address: "198.51.100.1"}
	return w
}

func (w *world) submit(item string, materials ...int) *cases.Case {
	w.t.Helper()
	var ch []cases.MaterialChange
	for _, m := range materials {
		ch = append(ch, cases.MaterialChange{Seq: m, Paper: true})
	}
	c, err := w.eng.Submit(context.Background(), w.actors["clerk"], cases.SubmitInput{ItemCode: item, ApplicantID: w.app.ID, Materials: ch})
	if err != nil {
		w.t.Fatalf("submit %s: %v", item, err)
	}
	return c
}

func (w *world) act(who, no, action string, in cases.Input) *cases.Case {
	w.t.Helper()
	written, err := w.eng.Act(context.Background(), w.actors[who], no, action, in)
	if err != nil {
		w.t.Fatalf("%s %s: %v", who, action, err)
	}
	// Act answers with the case as written; what is stored must match it.
	c, err := w.eng.Get(context.Background(), w.actors[who], no)
	if err != nil {
		w.t.Fatalf("%s reads %s after %s: %v", who, no, action, err)
	}
	if c.Version != written.Version || c.State != written.State || c.Step != written.Step {
		w.t.Fatalf("%s %s: answered version %d %s step %d, stored %d %s step %d", who, action, written.Version, written.State, written.Step,
			c.Version, c.State, c.Step)
	}
	return c
}

func (w *world) refused(who, no, action string, in cases.Input, code apperr.Code, key string) {
	w.t.Helper()
	_, err := w.eng.Act(context.Background(), w.actors[who], no, action, in)
	ae := apperr.As(err)
	if ae == nil || ae.Code != code || (key != "" && ae.Msg.Key != key && !hasField(ae, key)) {
		w.t.Fatalf("%s %s: want %s %s, got %v", who, action, code, key, err)
	}
}

func hasField(ae *apperr.Error, key string) bool {
	for _, m := range ae.Fields {
		if m.Key == key {
			return true
		}
	}
	return false
}

func (w *world) verify() {
	w.t.Helper()
	brk, n, err := cases.Verify(context.Background(), w.db)
	if err != nil || brk != nil || n == 0 {
		w.t.Fatalf("verify: %v %v (%d events)", brk, err, n)
	}
}

func TestLifecycleFromWindowToDelivery(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001", 1, 2)
	if c.State != cases.Received || c.FirstContact == "" || len(c.Documents) != 1 || c.Documents[0].Kind != "receipt" {
		t.Fatalf("after submit: %+v", c)
	}
	if len(c.No) != len("431022")+8+4 || c.No[:14] != "43102220260928" {
		t.Fatalf("case number %q", c.No)
	}
	c = w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	// Accepted Monday 2026-09-28: Sep 29, 30 are days 1–2; Oct 1–7 is the
	// National Day holiday; Oct 8, 9 (Thu, Fri) are days 3–4; Oct 10 is an
	// adjusted working Saturday: day 5.
	if c.State != cases.InProgress || c.StepRole != "reviewer" || c.Deadline.String() != "2026-10-10" {
		t.Fatalf("after accept: state %s role %s deadline %v", c.State, c.StepRole, c.Deadline)
	}
	// Statutory 20: from Oct 10 (day 5) … working days Oct 12–16 (10), 19–23 (15), 26–30 (20).
	if c.StatutoryDeadline.String() != "2026-10-30" {
		t.Fatalf("statutory deadline %v", c.StatutoryDeadline)
	}
	w.refused("clerk", c.No, cases.ActApprove, cases.Input{}, apperr.Forbidden, "case.not_your_step")
	w.refused("reviewer", c.No, cases.ActForward, cases.Input{}, apperr.Invalid, "error.required")
	c = w.act("reviewer", c.No, cases.ActForward, cases.Input{Opinion: "材料齐全，符合条件。"})
	if c.StepRole != "approver" {
		t.Fatalf("after forward: %s", c.StepRole)
	}
	w.refused("reviewer", c.No, cases.ActApprove, cases.Input{}, apperr.Forbidden, "")
	c = w.act("approver", c.No, cases.ActApprove, cases.Input{Opinion: "同意"})
	if c.State != cases.Approved || c.Decision != "approved" {
		t.Fatalf("after approve: %s", c.State)
	}
	w.refused("clerk", c.No, cases.ActDeliver, cases.Input{Delivery: "window"}, apperr.Conflict, "case.invalid_transition")
	c = w.act("clerk", c.No, cases.ActComplete, cases.Input{})
	w.refused("clerk", c.No, cases.ActDeliver, cases.Input{Delivery: "pigeon"}, apperr.Invalid, "error.choose")
	c = w.act("clerk", c.No, cases.ActDeliver, cases.Input{Delivery: "window"})
	if c.State != cases.Delivered || c.ClosedAt == nil {
		t.Fatalf("after deliver: %s", c.State)
	}
	kinds := map[string]bool{}
	for _, d := range c.Documents {
		kinds[d.Kind] = true
	}
	if !kinds["receipt"] || !kinds["acceptance"] || !kinds["approval"] || len(c.Events) != 6 {
		t.Fatalf("documents %v, %d events", kinds, len(c.Events))
	}
	for i, e := range c.Events {
		if e.Seq != i+1 || (i > 0 && e.PrevHash != c.Events[i-1].Hash) {
			t.Fatalf("chain broken at %d", i)
		}
	}
	w.refused("clerk", c.No, cases.ActWithdraw, cases.Input{}, apperr.Conflict, "case.invalid_transition")
	w.verify()
}

func TestScopeAndInvalidActions(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001", 1, 2)
	// A township clerk of another department: the case does not exist.
	w.refused("tclerk", c.No, cases.ActAccept, cases.Input{}, apperr.NotFound, "")
	if _, err := w.eng.Get(context.Background(), w.actors["tclerk"], c.No); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("foreign clerk reads case: %v", err)
	}
	// A supervisor reads it but cannot act.
	if _, err := w.eng.Get(context.Background(), w.actors["supervisor"], c.No); err != nil {
		t.Fatal(err)
	}
	w.refused("supervisor", c.No, cases.ActAccept, cases.Input{}, apperr.Forbidden, "")
	w.refused("reviewer", c.No, cases.ActForward, cases.Input{Opinion: "x"}, apperr.Conflict, "case.invalid_transition")
	w.refused("clerk", c.No, "explode", cases.Input{}, apperr.NotFound, "case.unknown_action")
	w.refused("clerk", "NOPE", cases.ActAccept, cases.Input{}, apperr.NotFound, "")
	// Declining needs reasons and states the remedy.
	w.refused("clerk", c.No, cases.ActDecline, cases.Input{}, apperr.Invalid, "error.required")
	c = w.act("clerk", c.No, cases.ActDecline, cases.Input{Reason: "不属于本机关职权范围", RightOrgan: "郴州市市场监督管理局"})
	if c.State != cases.Declined || c.ClosedAt == nil || string(c.Events[1].Payload) == "" {
		t.Fatalf("declined: %+v", c.State)
	}
	w.verify()
}

func TestSupplementNoticeListsEverythingOnce(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001", 1) // the ID copy (2) is missing
	w.refused("clerk", c.No, cases.ActAccept, cases.Input{}, apperr.Conflict, "case.materials_incomplete")
	c = w.act("clerk", c.No, cases.ActSupplement, cases.Input{Materials: []cases.MaterialChange{
		{Seq: 2, Status: "missing", Note: "请提供身份证复印件"}, {Seq: 1, Status: "defective", Note: "申请表缺少签名"}}})
	if c.State != cases.Supplement || len(c.Messages) != 2 {
		t.Fatalf("after notice: %s, %d messages", c.State, len(c.Messages))
	}
	w.set(w.clock().Add(time.Hour))
	c = w.act("applicant", c.No, cases.ActResubmit, cases.Input{Materials: []cases.MaterialChange{{Seq: 2, Paper: true}}})
	if c.State != cases.Received {
		t.Fatalf("after resubmit: %s", c.State)
	}
	// A second notice may not raise the application form, which did not
	// change since the first notice …
	w.refused("clerk", c.No, cases.ActSupplement, cases.Input{Materials: []cases.MaterialChange{{Seq: 1, Status: "defective", Note: "仍缺签名"}}},
		apperr.Invalid, "case.second_notice_unchanged")
	// … only the ID copy, which did.
	w.act("clerk", c.No, cases.ActSupplement, cases.Input{Materials: []cases.MaterialChange{{Seq: 2, Status: "defective", Note: "复印件不清晰"}}})
	w.verify()
}

func TestNoNoticeWithinFiveWorkingDaysMeansAccepted(t *testing.T) {
	w := newWorld(t)
	w.set(at("2026-09-24")) // Thursday
	c := w.submit("T-001", 1)
	// Working days after Thu Sep 24: Sep 25–27 is Mid-Autumn, so 28 (1),
	// 29 (2), 30 (3), then National Day, Oct 8 (4), Oct 9 (5). The notice
	// could still be sent on Oct 9; on Oct 10 (an adjusted working
	// Saturday) the application counts as accepted from Sep 24.
	w.set(at("2026-10-09"))
	if r, err := w.eng.Sweep(context.Background()); err != nil || r.DeemedAccepted != 0 {
		t.Fatalf("sweep on the last day: %+v %v", r, err)
	}
	w.set(at("2026-10-10"))
	if r, err := w.eng.Sweep(context.Background()); err != nil || r.DeemedAccepted != 1 {
		t.Fatalf("sweep after: %+v %v", r, err)
	}
	got, _ := w.eng.Get(context.Background(), w.actors["clerk"], c.No)
	if got.State != cases.InProgress || !got.AcceptedAt.Equal(got.ReceivedAt) {
		t.Fatalf("deemed acceptance: %s accepted %v received %v", got.State, got.AcceptedAt, got.ReceivedAt)
	}
	w.verify()
}

func TestImmediateItemIsCompletedOnTheSpot(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-003", 1, 2)
	c = w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	if c.State != cases.Completed || c.Decision != "approved" || c.CompletedAt == nil {
		t.Fatalf("immediate: %s", c.State)
	}
}

func TestSuspendResumeAndExtendMoveTheDeadline(t *testing.T) {
	w := newWorld(t)
	w.set(at("2026-11-02")) // Monday
	c := w.submit("T-001", 1, 2)
	c = w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	if c.Deadline.String() != "2026-11-09" { // 3,4,5,6,9
		t.Fatalf("deadline %v", c.Deadline)
	}
	w.refused("reviewer", c.No, cases.ActSuspend, cases.Input{PauseReason: "holiday", ExpectedDays: 3}, apperr.Invalid, "error.choose")
	w.act("reviewer", c.No, cases.ActSuspend, cases.Input{PauseReason: "expert_review", ExpectedDays: 3})
	w.refused("reviewer", c.No, cases.ActForward, cases.Input{Opinion: "x"}, apperr.Conflict, "case.paused")
	w.set(at("2026-11-05"))
	c = w.act("reviewer", c.No, cases.ActResume, cases.Input{})
	// Paused Mon Nov 2, resumed Thu Nov 5: Nov 3, 4, 5 excluded → +3.
	if c.Deadline.String() != "2026-11-12" || c.Paused {
		t.Fatalf("after resume: %v paused %v", c.Deadline, c.Paused)
	}
	w.refused("reviewer", c.No, cases.ActExtend, cases.Input{Days: 5, Reason: "x"}, apperr.Forbidden, "")
	w.refused("approver", c.No, cases.ActExtend, cases.Input{Days: 11, Reason: "情况复杂"}, apperr.Invalid, "case.extension_days")
	c = w.act("approver", c.No, cases.ActExtend, cases.Input{Days: 10, Reason: "情况复杂，需补充调查"})
	// Promised 5 + 10 extension + 3 paused = 18 working days after Nov 2;
	// statutory 20 + 10 + 3 = 33 → Dec 17.
	if c.Deadline.String() != "2026-11-26" || c.StatutoryDeadline.String() != "2026-12-17" {
		t.Fatalf("after extension: %v / %v", c.Deadline, c.StatutoryDeadline)
	}
	w.refused("approver", c.No, cases.ActExtend, cases.Input{Days: 1, Reason: "再延"}, apperr.Conflict, "case.already_extended")
	w.verify()
}

func TestConcurrentActionsExactlyOneWins(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001", 1, 2)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.eng.Act(context.Background(), w.actors["clerk"], c.No, cases.ActAccept, cases.Input{Version: c.Version})
		}()
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case apperr.Is(err, apperr.Conflict):
			conflict++
		default:
			t.Fatalf("unexpected: %v", err)
		}
	}
	if ok != 1 || conflict != 1 {
		t.Fatalf("ok %d conflict %d", ok, conflict)
	}
	w.verify()
}

// Deemed approval fires once: after a "restart" (a new engine on the same
// database) that spanned the deadline, and with two engines sweeping at once.
func TestDeemedApprovalHappensExactlyOnce(t *testing.T) {
	w := newWorld(t)
	w.set(at("2026-11-02"))
	c := w.submit("T-002", 1, 2)
	w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	other := w.submit("T-001", 1, 2) // same deadline, deemed approval not allowed
	w.act("clerk", other.No, cases.ActAccept, cases.Input{})
	w.set(at("2026-11-09")) // deadline day: not yet
	if r, _ := w.eng.Sweep(context.Background()); r.DeemedApproved != 0 {
		t.Fatal("deemed approval on the deadline day")
	}
	w.set(at("2026-11-10"))
	var wg sync.WaitGroup
	total := make([]int, 4)
	for i := range total {
		wg.Add(1)
		go func() {
			defer wg.Done()
			eng := cases.New(w.db, w.cat, w.clock) // a freshly started process
			r, err := eng.Sweep(context.Background())
			if err != nil {
				t.Error(err)
			}
			total[i] = r.DeemedApproved
		}()
	}
	wg.Wait()
	if total[0]+total[1]+total[2]+total[3] != 1 {
		t.Fatalf("deemed approvals: %v", total)
	}
	got, _ := w.eng.Get(context.Background(), w.actors["supervisor"], c.No)
	if got.State != cases.Approved || !got.Deemed || len(got.Messages) == 0 {
		t.Fatalf("deemed case: %s deemed %v", got.State, got.Deemed)
	}
	var flags, events int
	_ = w.db.R.QueryRow(`SELECT COUNT(*) FROM supervision_flags WHERE kind = 'deemed_approval'`).Scan(&flags)
	_ = w.db.R.QueryRow(`SELECT COUNT(*) FROM case_events WHERE action = 'deemed_approve'`).Scan(&events)
	if flags != 1 || events != 1 {
		t.Fatalf("flags %d events %d", flags, events)
	}
	o, _ := w.eng.Get(context.Background(), w.actors["supervisor"], other.No)
	if o.State != cases.InProgress || o.Light != "red" {
		t.Fatalf("the other case: %s %s", o.State, o.Light)
	}
	w.verify()
}

func TestVerifyNamesTheEditedEvent(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001", 1, 2)
	w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	w.verify()
	if _, err := w.db.W.Exec(`UPDATE case_events SET payload = '{"forged":true}' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	brk, _, err := cases.Verify(context.Background(), w.db)
	if err != nil || brk == nil || brk.CaseNo != c.No || brk.Seq != 2 {
		t.Fatalf("verify after edit: %v %v", brk, err)
	}
}

// Verify reads a range of cases per query; a chain is checked whole and an
// edit in a later range is still found.
func TestVerifyAcrossBatches(t *testing.T) {
	w := newWorld(t)
	defer cases.SetVerifyBatch(2)()
	var last *cases.Case
	for i := 0; i < 5; i++ {
		last = w.submit("T-001", 1, 2)
		w.act("clerk", last.No, cases.ActAccept, cases.Input{})
	}
	var total int
	if err := w.db.R.QueryRow(`SELECT COUNT(*) FROM case_events`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	brk, n, err := cases.Verify(context.Background(), w.db)
	if err != nil || brk != nil || n != total {
		t.Fatalf("verify: %v %v, %d events of %d", brk, err, n, total)
	}
	if _, err := w.db.W.Exec(`UPDATE case_events SET payload = '{"forged":true}' WHERE seq = 2 AND case_id = (SELECT id FROM cases WHERE no = $1)`, last.No); err != nil {
		t.Fatal(err)
	}
	brk, _, err = cases.Verify(context.Background(), w.db)
	if err != nil || brk == nil || brk.CaseNo != last.No || brk.Seq != 2 {
		t.Fatalf("verify after editing the last case: %v %v", brk, err)
	}
}

func TestBackupActsWhenTheAssigneeIsAway(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	// A second reviewer in the department is the first one's B.
	os := &org.Service{DB: w.db, Now: w.clock}
	b, err := os.CreateStaff(ctx, w.orgs["admin"], org.StaffInput{Username: "reviewer.b", Name: "备岗审核", Role: org.Reviewer,
		CentreID: w.orgs["reviewer"].CentreID, DepartmentID: w.orgs["reviewer"].DepartmentID, Password: "abcd12345"})
	if err != nil {
		t.Fatal(err)
	}
	w.actors["b"] = cases.StaffActor(b.Actor("192.0.2.9"))
	c := w.submit("T-001", 1, 2)
	w.act("clerk", c.No, cases.ActAccept, cases.Input{})
	w.refused("b", c.No, cases.ActForward, cases.Input{Opinion: "同意"}, apperr.Forbidden, "case.assigned_to_other")
	if _, err := w.db.W.Exec(`UPDATE staff SET absent = TRUE, backup_id = $1 WHERE username = 'reviewer'`, b.ID); err != nil {
		t.Fatal(err)
	}
	c = w.act("b", c.No, cases.ActForward, cases.Input{Opinion: "A角请假，B角代为审查。"})
	if c.StepRole != "approver" {
		t.Fatal(c.StepRole)
	}

	// A new case's review step goes to the reviewer at work (B), not to
	// the absent A.
	c2 := w.submit("T-001", 1, 2)
	c2 = w.act("clerk", c2.No, cases.ActAccept, cases.Input{})
	if c2.AssigneeID != b.ID {
		t.Fatalf("review step assigned to %d (%s), want the reviewer at work %d", c2.AssigneeID, c2.Assignee, b.ID)
	}

	// A away and B away too: nobody covers, so any reviewer of the
	// department may act and sees the case in their inbox.
	c3 := w.submit("T-001", 1, 2)
	if _, err := w.db.W.Exec(`UPDATE staff SET absent = FALSE WHERE username = 'reviewer'`); err != nil {
		t.Fatal(err)
	}
	c3 = w.act("clerk", c3.No, cases.ActAccept, cases.Input{})
	if c3.Assignee != w.orgs["reviewer"].Name {
		t.Fatalf("c3 assigned to %s", c3.Assignee)
	}
	w.refused("b", c3.No, cases.ActForward, cases.Input{Opinion: "同意"}, apperr.Forbidden, "case.assigned_to_other")
	if _, err := w.db.W.Exec(`UPDATE staff SET absent = TRUE, backup_id = $1 WHERE username = 'reviewer'`, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.W.Exec(`UPDATE staff SET absent = TRUE WHERE id = $1`, b.ID); err != nil {
		t.Fatal(err)
	}
	other, err := os.CreateStaff(ctx, w.orgs["admin"], org.StaffInput{Username: "reviewer.c", Name: "第三审核", Role: org.Reviewer,
		CentreID: w.orgs["reviewer"].CentreID, DepartmentID: w.orgs["reviewer"].DepartmentID, Password: "abcd12345"})
	if err != nil {
		t.Fatal(err)
	}
	w.actors["c"] = cases.StaffActor(other.Actor("192.0.2.10"))
	// A and B both away (DOMAIN.md §3): the department's chief
	// representative acts, not "anyone of the role".
	if _, err := os.SetDepartmentLeads(ctx, w.orgs["admin"], w.orgs["reviewer"].DepartmentID,
		org.LeadsInput{ChiefRepID: w.orgs["approver"].StaffID}); err != nil {
		t.Fatal(err)
	}
	got, err := w.eng.Get(ctx, w.actors["c"], c3.No)
	if err != nil || !got.AssigneeUncovered || got.CoverID != w.orgs["approver"].StaffID {
		t.Fatalf("uncovered not shown with its chief representative: %v %d %v", got.AssigneeUncovered, got.CoverID, err)
	}
	w.refused("c", c3.No, cases.ActForward, cases.Input{Opinion: "同意"}, apperr.Forbidden, "case.assigned_to_other")
	if list, _, err := w.eng.Inbox(ctx, w.actors["c"], cases.InboxFilter{}); err != nil || len(list) != 0 {
		t.Fatalf("a plain reviewer's inbox holds the uncovered case: %d %v", len(list), err)
	}
	if list, _, err := w.eng.Inbox(ctx, w.actors["approver"], cases.InboxFilter{}); err != nil || !inList(list, c3.No) {
		t.Fatalf("the chief representative's inbox lacks the uncovered case: %v", err)
	}
	c3 = w.act("approver", c3.No, cases.ActForward, cases.Input{Opinion: "A、B角均不在岗，首席代表代为审查。"})
	if c3.StepRole != "approver" || w.lastPayload(c3.No)["acting_for"] != w.orgs["reviewer"].Name {
		t.Fatalf("%s %v", c3.StepRole, w.lastPayload(c3.No))
	}

	// The chief representative away too: nobody acts until the
	// department admin assigns someone of the step's role.
	c4 := w.submit("T-001", 1, 2)
	if _, err := w.db.W.Exec(`UPDATE staff SET absent = FALSE WHERE username = 'reviewer'`); err != nil {
		t.Fatal(err)
	}
	c4 = w.act("clerk", c4.No, cases.ActAccept, cases.Input{})
	if _, err := w.db.W.Exec(`UPDATE staff SET absent = TRUE WHERE username IN ('reviewer', 'approver')`); err != nil {
		t.Fatal(err)
	}
	w.refused("c", c4.No, cases.ActForward, cases.Input{Opinion: "同意"}, apperr.Forbidden, "case.assigned_to_other")
	w.refused("approver", c4.No, cases.ActForward, cases.Input{Opinion: "同意"}, apperr.Forbidden, "")
	if _, err := w.eng.AssignCover(ctx, w.orgs["admin"], c4.No, other.ID); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("the centre admin assigns: %v", err)
	}
	if _, err := w.eng.AssignCover(ctx, w.orgs["deptadmin"], c4.No, w.orgs["clerk"].StaffID); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a clerk assigned to a review step: %v", err)
	}
	if _, err := w.eng.AssignCover(ctx, w.orgs["deptadmin"], c4.No, b.ID); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("an absent B assigned: %v", err)
	}
	if _, err := w.eng.AssignCover(ctx, w.orgs["deptadmin"], c4.No, other.ID); err != nil {
		t.Fatal(err)
	}
	if list, _, err := w.eng.Inbox(ctx, w.actors["c"], cases.InboxFilter{}); err != nil || !inList(list, c4.No) {
		t.Fatalf("the assigned reviewer's inbox lacks the case: %v", err)
	}
	c4 = w.act("c", c4.No, cases.ActForward, cases.Input{Opinion: "经部门管理员指派代为审查。"})
	p := w.lastPayload(c4.No)
	if c4.StepRole != "approver" || p["acting_for"] != w.orgs["reviewer"].Name || p["assigned_by"] != w.orgs["deptadmin"].Name {
		t.Fatalf("the record lacks acting_for/assigned_by: %v", p)
	}
	if _, err := w.db.W.Exec(`UPDATE staff SET absent = FALSE WHERE username IN ('reviewer', 'approver')`); err != nil {
		t.Fatal(err)
	}
}

func inList(list []*cases.Case, no string) bool {
	for _, c := range list {
		if c.No == no {
			return true
		}
	}
	return false
}

// lastPayload is the payload of the case's last event.
func (w *world) lastPayload(no string) map[string]any {
	w.t.Helper()
	var raw string
	if err := w.db.R.QueryRow(`SELECT e.payload FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.no = $1 ORDER BY e.seq DESC LIMIT 1`, no).Scan(&raw); err != nil {
		w.t.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		w.t.Fatal(err)
	}
	return m
}

func TestPublicProgressQuery(t *testing.T) {
	w := newWorld(t)
	c := w.submit("T-001", 1, 2)
	p, err := w.eng.ProgressOf(context.Background(), c.No, "13800138000")
	if err != nil || p.State != cases.Received || len(p.Steps) != 1 {
		t.Fatalf("progress: %+v %v", p, err)
	}
	_, wrongPhone := w.eng.ProgressOf(context.Background(), c.No, "13900139000")
	_, unknown := w.eng.ProgressOf(context.Background(), "431022202609289999", "13800138000")
	if wrongPhone == nil || unknown == nil || wrongPhone.Error() != unknown.Error() {
		t.Fatalf("wrong phone %v vs unknown %v", wrongPhone, unknown)
	}
}

func TestOnlineApplicationAndWithdrawal(t *testing.T) {
	w := newWorld(t)
	c, err := w.eng.Submit(context.Background(), w.actors["applicant"], cases.SubmitInput{ItemCode: "T-001",
		Materials: []cases.MaterialChange{{Seq: 1, File: &cases.FileRef{SHA256: "ab", Name: "申请表.pdf", Type: "application/pdf", Size: 10}}}})
	if err != nil || c.Channel != "online" || c.FirstContact != "" {
		t.Fatalf("online: %+v %v", c, err)
	}
	mine, err := w.eng.ForApplicant(context.Background(), w.app.ID, 10)
	if err != nil || len(mine) != 1 {
		t.Fatal(len(mine), err)
	}
	c = w.act("applicant", c.No, cases.ActWithdraw, cases.Input{Reason: "不再需要"})
	if c.State != cases.Withdrawn {
		t.Fatal(c.State)
	}
	// Immediate items cannot be applied for online here (not marked online).
	_, err = w.eng.Submit(context.Background(), w.actors["applicant"], cases.SubmitInput{ItemCode: "NOPE"})
	if ae := apperr.As(err); ae == nil || ae.Fields["item_code"].Key != "case.item_unknown" {
		t.Fatalf("unknown item: %v", err)
	}
}

func TestInboxOrderAndScope(t *testing.T) {
	w := newWorld(t)
	a := w.submit("T-001", 1, 2)
	w.set(w.clock().Add(24 * time.Hour))
	b := w.submit("T-001", 1, 2)
	w.act("clerk", b.No, cases.ActAccept, cases.Input{})
	list, total, err := w.eng.Inbox(context.Background(), w.actors["clerk"], cases.InboxFilter{})
	if err != nil || total != 1 || list[0].No != a.No {
		t.Fatalf("clerk inbox: %d %v", total, err)
	}
	list, total, _ = w.eng.Inbox(context.Background(), w.actors["reviewer"], cases.InboxFilter{})
	if total != 1 || list[0].No != b.No || list[0].Light == "" {
		t.Fatalf("reviewer inbox: %d", total)
	}
	_, total, _ = w.eng.Inbox(context.Background(), w.actors["tclerk"], cases.InboxFilter{All: true})
	if total != 0 {
		t.Fatalf("township clerk sees %d foreign cases", total)
	}
	_, total, _ = w.eng.Inbox(context.Background(), w.actors["supervisor"], cases.InboxFilter{All: true})
	if total != 2 {
		t.Fatalf("supervisor sees %d", total)
	}
	// The item filter takes a code in any case or part of the item's name;
	// LIKE's wildcards in it are plain characters.
	for q, want := range map[string]int{"t-001": 2, "T-001": 2, "测试许": 2, "许可": 2, "T-00": 0, "%": 0, "_": 0, "不存在": 0} {
		if _, total, err := w.eng.Inbox(context.Background(), w.actors["supervisor"], cases.InboxFilter{All: true, ItemCode: q}); err != nil || total != want {
			t.Errorf("item filter %q: %d %v, want %d", q, total, err, want)
		}
	}
}
