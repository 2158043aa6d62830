package cases_test

import (
	"context"
	"testing"

	"onestop/internal/apperr"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/org"
)

// townshipWorld adds to the demo county a civil-affairs item a township
// centre accepts (代办), and the people of the round trip: the township's
// clerk (tclerk, 民政局 at the first township), the department's window,
// reviewer and approver at the county hall, and another township's clerk
// of the same department.
func townshipWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	ctx := context.Background()
	os := &org.Service{DB: w.db, Now: w.clock}
	for who, u := range map[string]string{"hall": "mzj.clerk1", "mreviewer": "mzj.reviewer", "mapprover": "mzj.approver", "t2clerk": "t02.clerk"} {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		w.orgs[who] = st.Actor("192.0.2.8")
		w.actors[who] = cases.StaffActor(w.orgs[who])
	}
	if w.orgs["t2clerk"].DepartmentID != w.orgs["tclerk"].DepartmentID || w.orgs["t2clerk"].CentreID == w.orgs["tclerk"].CentreID ||
		w.orgs["hall"].DepartmentID != w.orgs["tclerk"].DepartmentID || w.orgs["hall"].CentreKind != "hall" {
		t.Fatal("the demo's township and hall clerks are not what this test needs")
	}
	c := catalogue.Content{Type: "public_service", DepartmentID: w.orgs["tclerk"].DepartmentID, Audience: "citizen", Name: "测试乡镇代办事项",
		LegalBasis: "《社会救助暂行办法》第十一条", StatutoryDays: 20, PromisedDays: 5, Visits: 1, AtHall: true, AtTownship: true,
		Materials: []catalogue.Material{{Name: "申请书", Required: true, Form: "original", Copies: 1}}, Steps: catalogue.DefaultSteps(5)}
	if _, err := w.cat.Create(ctx, w.orgs["admin"], "T-TWN", c, ""); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) submitAt(who string, pickup string) *cases.Case {
	w.t.Helper()
	c, err := w.eng.Submit(context.Background(), w.actors[who], cases.SubmitInput{ItemCode: "T-TWN", ApplicantID: w.app.ID, Pickup: pickup,
		Materials: []cases.MaterialChange{{Seq: 1, Paper: true}}})
	if err != nil {
		w.t.Fatalf("%s submits: %v", who, err)
	}
	return c
}

// decide takes a township case from acceptance to the department's
// completion at the county hall.
func (w *world) decideAtCounty(no string) *cases.Case {
	w.t.Helper()
	w.act("tclerk", no, cases.ActAccept, cases.Input{})
	w.act("mreviewer", no, cases.ActForward, cases.Input{Opinion: "材料齐全，拟同意。"})
	w.act("mapprover", no, cases.ActApprove, cases.Input{Opinion: "准予。"})
	return w.act("hall", no, cases.ActComplete, cases.Input{})
}

// The round trip: the township accepts, the county department reviews,
// decides and completes, and the result is handed over at the township by
// the township's clerk — not by the county's window, and not by a clerk
// of another township of the same department.
func TestTownshipRoundTrip(t *testing.T) {
	w := townshipWorld(t)
	c := w.submitAt("tclerk", "")
	if c.Channel != "township" || c.CentreID != w.orgs["tclerk"].CentreID || c.PickupCentreID != c.CentreID || c.PickupCentre == "" {
		t.Fatalf("a township case: channel %s centre %d pick-up %d %q", c.Channel, c.CentreID, c.PickupCentreID, c.PickupCentre)
	}
	// Accepting is the township's act; the county's window does not accept
	// what was handed in elsewhere.
	w.refused("hall", c.No, cases.ActAccept, cases.Input{}, apperr.Forbidden, "")
	w.act("tclerk", c.No, cases.ActAccept, cases.Input{})
	// Supervision sees it by channel and by centre (the live board's
	// drill-down), and not under the county hall.
	for _, f := range []cases.InboxFilter{{Channel: "township"}, {CentreID: c.CentreID}} {
		if list, _, err := w.eng.Inbox(context.Background(), w.actors["supervisor"], f); err != nil || !listed(list, c.No) {
			t.Fatalf("supervision's %+v lacks the township case: %v", f, err)
		}
	}
	if list, _, _ := w.eng.Inbox(context.Background(), w.actors["supervisor"], cases.InboxFilter{CentreID: w.orgs["hall"].CentreID}); listed(list, c.No) {
		t.Fatal("supervision lists the township case under the county hall")
	}
	// The department's reviewer finds it in their inbox.
	list, _, err := w.eng.Inbox(context.Background(), w.actors["mreviewer"], cases.InboxFilter{})
	if err != nil || !listed(list, c.No) {
		t.Fatalf("the county reviewer's inbox lacks the township case: %v", err)
	}
	w.act("mreviewer", c.No, cases.ActForward, cases.Input{Opinion: "材料齐全，拟同意。"})
	w.act("mapprover", c.No, cases.ActApprove, cases.Input{Opinion: "准予。"})
	// The department completes it at the county; the township does not.
	w.refused("tclerk", c.No, cases.ActComplete, cases.Input{}, apperr.Forbidden, "")
	list, _, err = w.eng.Inbox(context.Background(), w.actors["hall"], cases.InboxFilter{})
	if err != nil || !listed(list, c.No) {
		t.Fatalf("the county window's inbox lacks the decided township case: %v", err)
	}
	w.act("hall", c.No, cases.ActComplete, cases.Input{})
	// Ready for pick-up at the township: on its clerk's list, off the
	// county window's.
	list, _, err = w.eng.Inbox(context.Background(), w.actors["tclerk"], cases.InboxFilter{State: cases.Completed})
	if err != nil || !listed(list, c.No) {
		t.Fatalf("the township's ready-for-pick-up list lacks the case: %v", err)
	}
	list, _, _ = w.eng.Inbox(context.Background(), w.actors["hall"], cases.InboxFilter{})
	if listed(list, c.No) {
		t.Fatal("the county window still lists a case collected at the township")
	}
	w.refused("hall", c.No, cases.ActDeliver, cases.Input{Delivery: "window"}, apperr.Forbidden, "")
	w.refused("t2clerk", c.No, cases.ActDeliver, cases.Input{Delivery: "window"}, apperr.NotFound, "")
	c = w.act("tclerk", c.No, cases.ActDeliver, cases.Input{Delivery: "window"})
	if c.State != cases.Delivered {
		t.Fatalf("delivered: %s", c.State)
	}
	w.verify()
}

// An applicant who chose to collect at the county hall is served there:
// the county's window delivers, the township's does not.
func TestTownshipCaseCollectedAtTheHall(t *testing.T) {
	w := townshipWorld(t)
	c := w.submitAt("tclerk", "hall")
	if c.PickupCentreID != w.orgs["hall"].CentreID || c.CentreID != w.orgs["tclerk"].CentreID {
		t.Fatalf("pick-up %d, want the hall %d", c.PickupCentreID, w.orgs["hall"].CentreID)
	}
	w.decideAtCounty(c.No)
	w.refused("tclerk", c.No, cases.ActDeliver, cases.Input{Delivery: "window"}, apperr.Forbidden, "")
	if c := w.act("hall", c.No, cases.ActDeliver, cases.Input{Delivery: "window"}); c.State != cases.Delivered {
		t.Fatalf("delivered at the hall: %s", c.State)
	}
	// A choice outside the menu is refused on its field and opens nothing.
	_, err := w.eng.Submit(context.Background(), w.actors["tclerk"], cases.SubmitInput{ItemCode: "T-TWN", ApplicantID: w.app.ID, Pickup: "anywhere"})
	if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || ae.Fields["pickup"].Key != "error.choose" {
		t.Fatalf("an unknown pick-up place: %v", err)
	}
}

// Another township's clerk of the same department, and the county's
// supervisor-less roles, cannot see or act on the township's case; nor
// can another county's hall window in a province's database.
func TestTownshipCaseAttacks(t *testing.T) {
	w := townshipWorld(t)
	c := w.submitAt("tclerk", "")
	for _, act := range []string{cases.ActAccept, cases.ActDecline, cases.ActWithdraw} {
		w.refused("t2clerk", c.No, act, cases.Input{Reason: "x"}, apperr.NotFound, "")
	}
	if _, err := w.eng.Get(context.Background(), w.actors["t2clerk"], c.No); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another township reads the case: %v", err)
	}
	list, _, _ := w.eng.Inbox(context.Background(), w.actors["t2clerk"], cases.InboxFilter{All: true})
	if listed(list, c.No) {
		t.Fatal("another township's inbox lists the case")
	}
	// The hall's clerk of another department sees nothing of it.
	w.refused("clerk", c.No, cases.ActComplete, cases.Input{}, apperr.NotFound, "")
	w.decideAtCounty(c.No)
	w.refused("t2clerk", c.No, cases.ActDeliver, cases.Input{Delivery: "window"}, apperr.NotFound, "")

	// Another county in the same database: its hall's civil affairs
	// window and its first township's clerk reach none of it.
	ctx := context.Background()
	if err := demo.EnsureProvince(ctx, w.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	os := &org.Service{DB: w.db, Now: w.clock}
	for _, pattern := range []string{"c%.mzj.clerk1", "c%.t01.clerk"} {
		var u string
		if err := w.db.R.QueryRowContext(ctx, `SELECT username FROM staff WHERE username LIKE $1 ORDER BY id LIMIT 1`, pattern).Scan(&u); err != nil {
			t.Fatalf("%s: %v", pattern, err)
		}
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		other := cases.StaffActor(st.Actor("203.0.113.9"))
		if _, err := w.eng.Act(ctx, other, c.No, cases.ActDeliver, cases.Input{Delivery: "window"}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("%s delivers another county's case: %v", u, err)
		}
		if list, _, _ := w.eng.Inbox(ctx, other, cases.InboxFilter{All: true}); listed(list, c.No) {
			t.Fatalf("%s lists another county's case", u)
		}
	}
	if c := w.act("tclerk", c.No, cases.ActDeliver, cases.Input{Delivery: "window"}); c.State != cases.Delivered {
		t.Fatalf("the attacks changed the case: %s", c.State)
	}
}

// The clock starts at the township's acceptance, not at receipt (行政许可法
// Art. 42; docs/DOMAIN.md §5): received on Monday 28 September 2026,
// accepted on Wednesday the 30th, five working days run 8, 9, 10 (a
// Saturday worked in exchange for National Day), 12 and 13 October. From
// receipt they would end on the 10th.
func TestTownshipClockStartsAtAcceptance(t *testing.T) {
	w := townshipWorld(t)
	c := w.submitAt("tclerk", "")
	w.set(at("2026-09-30"))
	c = w.act("tclerk", c.No, cases.ActAccept, cases.Input{})
	if c.AcceptedAt == nil || !c.AcceptedAt.Equal(at("2026-09-30")) || c.Deadline == nil || c.Deadline.String() != "2026-10-13" {
		t.Fatalf("accepted %v, deadline %v; want 2026-09-30 and 2026-10-13", c.AcceptedAt, c.Deadline)
	}
}

func listed(list []*cases.Case, no string) bool {
	for _, c := range list {
		if c.No == no {
			return true
		}
	}
	return false
}
