package tally_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/catalogue/cataloguetest"
	"onestop/internal/org"
	"onestop/internal/tally"
)

// world is the demo county (cataloguetest) with a case engine that keeps
// the running totals, a clock the test moves, and test items: FGJ's
// promised (T-001), deemed-approval (T-002) and immediate (T-003) items,
// MZJ's promised item (M-001) and MZJ's immediate item (M-003) that the
// township centre handles.
type world struct {
	*cataloguetest.World
	t      *testing.T
	mu     sync.Mutex
	now    time.Time
	eng    *cases.Service
	actors map[string]cases.Actor
	app    applicants.Applicant
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
	w.set("2026-10-12")
	if err := cases.EnsureCalendar(ctx, w.DB, w.clock()); err != nil {
		t.Fatal(err)
	}
	w.Cat.Now = w.clock
	for _, u := range []string{"clerk", "reviewer", "approver", "tclerk", "mzj.clerk1", "mzj.reviewer", "mzj.approver"} {
		st, err := w.Org.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatalf("demo account %s: %v", u, err)
		}
		w.actors[u] = cases.StaffActor(st.Actor("192.0.2.9"))
	}
	if w.actors["clerk"].Staff.DepartmentID != w.Depts["FGJ"] || w.actors["tclerk"].Staff.DepartmentID != w.Depts["MZJ"] ||
		w.actors["mzj.clerk1"].Staff.DepartmentID != w.Depts["MZJ"] {
		t.Fatal("demo accounts changed departments")
	}
	w.eng = cases.New(w.DB, w.Cat, w.clock)
	w.eng.Witnesses = append(w.eng.Witnesses, tally.Witness{})
	mk := func(code string, dept int64, mod func(*catalogue.Content)) {
		c := cataloguetest.Content(dept)
		c.Materials = append(c.Materials, catalogue.Material{Name: "身份证件", Required: true, Form: "copy", Copies: 1})
		if mod != nil {
			mod(&c)
		}
		w.Create(t, code, c)
	}
	mk("T-001", w.Depts["FGJ"], nil)
	mk("T-002", w.Depts["FGJ"], func(c *catalogue.Content) {
		c.Type, c.DeemedApproval, c.DeemedNote = "filing", true, "依据《宜章县行政审批超时默认办理暂行办法》第五条，视为同意。"
	})
	immediate := func(c *catalogue.Content) {
		c.Type, c.Immediate, c.PromisedDays, c.Steps, c.Online, c.AtTownship = "public_service", true, 0, catalogue.DefaultSteps(0), false, true
	}
	mk("T-003", w.Depts["FGJ"], immediate)
	mk("M-001", w.Depts["MZJ"], nil)
	mk("M-003", w.Depts["MZJ"], immediate)
	as := &applicants.Service{DB: w.DB, Now: w.clock}
	app, err := as.Register(ctx, applicants.Input{Kind: "citizen", IDNumber: "11010519491231002X", Name: "王小明", Phone: "13800138000"}, false)
	if err != nil {
		t.Fatal(err)
	}
	w.app = app
	w.actors["applicant"] = cases.Actor{ApplicantID: app.ID, ApplicantName: app.Name, Address: "198.51.100.1"}
	return w
}

// submit files a case at a window (or online for the applicant).
func (w *world) submit(who, item string) *cases.Case {
	w.t.Helper()
	in := cases.SubmitInput{ItemCode: item, ApplicantID: w.app.ID, Materials: []cases.MaterialChange{{Seq: 1, Paper: true}, {Seq: 2, Paper: true}}}
	if who == "applicant" {
		in = cases.SubmitInput{ItemCode: item, Materials: []cases.MaterialChange{
			{Seq: 1, File: &cases.FileRef{SHA256: "ab", Name: "申请表.pdf", Type: "application/pdf", Size: 10}},
			{Seq: 2, File: &cases.FileRef{SHA256: "cd", Name: "身份证.pdf", Type: "application/pdf", Size: 10}}}}
	}
	c, err := w.eng.Submit(context.Background(), w.actors[who], in)
	if err != nil {
		w.t.Fatalf("%s submits %s: %v", who, item, err)
	}
	return c
}

func (w *world) act(who, no, action string, in cases.Input) *cases.Case {
	w.t.Helper()
	c, err := w.eng.Act(context.Background(), w.actors[who], no, action, in)
	if err != nil {
		w.t.Fatalf("%s %s %s: %v", who, action, no, err)
	}
	return c
}

func (w *world) sweep(day string) {
	w.t.Helper()
	w.set(day)
	if _, err := w.eng.Sweep(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

// decide takes an accepted promised case through review and approval on
// day, then completes it.
func (w *world) decide(dept, no, day string) {
	w.t.Helper()
	w.set(day)
	rev, appr, clerk := "reviewer", "approver", "clerk"
	if dept == "MZJ" {
		rev, appr, clerk = "mzj.reviewer", "mzj.approver", "mzj.clerk1"
	}
	w.act(rev, no, cases.ActForward, cases.Input{Opinion: "材料齐全，符合条件。"})
	w.act(appr, no, cases.ActApprove, cases.Input{Opinion: "同意"})
	w.act(clerk, no, cases.ActComplete, cases.Input{})
}

// november is the hand-counted month (2026-11 has no public holiday, so
// working days are Monday to Friday):
//
// FGJ at the hall:
//
//	c1 window, received+accepted Mon 2, deadline 9, approved+completed Thu 5: on time, 3 days used
//	c2 online, received Mon 2, accepted Tue 3, deadline 10, completed Thu 12: overdue, 7 days used
//	c3 T-002 window, accepted Mon 2, deadline 9, deemed approved by the sweep Tue 10, completed 10: overdue, 6 days
//	c4 T-003 immediate, accepted Tue 3 = completed: on time, 0 days, promised 0
//	c5 window, received Wed 4, never noticed: deemed accepted by the sweep of Thu 12, as of Wed 4
//	c6 window, received Thu 5, withdrawn
//	c7 window, accepted Mon 16, suspended Tue 17, resumed Thu 19 (18 and 19 excluded), deadline 25,
//	   completed Tue 24: on time, 6 - 2 = 4 days
//
// MZJ at the hall: m1 window, accepted Mon 2, completed Fri 6: on time, 4 days; m2 online, received Fri 6 only.
// MZJ at the township centre: t1 M-003 immediate, accepted = completed Tue 3.
// Outside the month: c0 window FGJ received Fri Oct 30 (not counted in November; it is October's).
func november(t *testing.T) (*world, map[string]string) {
	w := newWorld(t)
	nos := map[string]string{}
	w.set("2026-10-30")
	nos["c0"] = w.submit("clerk", "T-001").No
	w.set("2026-11-02")
	nos["c1"] = w.submit("clerk", "T-001").No
	w.act("clerk", nos["c1"], cases.ActAccept, cases.Input{})
	nos["c2"] = w.submit("applicant", "T-001").No
	nos["c3"] = w.submit("clerk", "T-002").No
	w.act("clerk", nos["c3"], cases.ActAccept, cases.Input{})
	nos["m1"] = w.submit("mzj.clerk1", "M-001").No
	w.act("mzj.clerk1", nos["m1"], cases.ActAccept, cases.Input{})
	w.set("2026-11-03")
	w.act("clerk", nos["c2"], cases.ActAccept, cases.Input{})
	nos["c4"] = w.submit("clerk", "T-003").No
	w.act("clerk", nos["c4"], cases.ActAccept, cases.Input{})
	nos["t1"] = w.submit("tclerk", "M-003").No
	w.act("tclerk", nos["t1"], cases.ActAccept, cases.Input{})
	w.set("2026-11-04")
	nos["c5"] = w.submit("clerk", "T-001").No
	w.decide("FGJ", nos["c1"], "2026-11-05")
	nos["c6"] = w.submit("clerk", "T-001").No
	w.act("clerk", nos["c6"], cases.ActWithdraw, cases.Input{Reason: "申请人撤回"})
	w.decide("MZJ", nos["m1"], "2026-11-06")
	nos["m2"] = w.submit("applicant", "M-001").No
	w.sweep("2026-11-10") // c3 deemed approved
	w.act("clerk", nos["c3"], cases.ActComplete, cases.Input{})
	w.decide("FGJ", nos["c2"], "2026-11-12")
	w.sweep("2026-11-12") // c5 deemed accepted
	w.set("2026-11-16")
	nos["c7"] = w.submit("clerk", "T-001").No
	w.act("clerk", nos["c7"], cases.ActAccept, cases.Input{})
	w.set("2026-11-17")
	w.act("reviewer", nos["c7"], cases.ActSuspend, cases.Input{PauseReason: "expert_review", ExpectedDays: 3})
	w.set("2026-11-19")
	w.act("reviewer", nos["c7"], cases.ActResume, cases.Input{})
	w.decide("FGJ", nos["c7"], "2026-11-24")
	return w, nos
}

func supervisor(t *testing.T, w *world, who string) org.Actor {
	t.Helper()
	a, ok := w.Actors[who]
	if !ok {
		t.Fatalf("no %s", who)
	}
	return a
}
