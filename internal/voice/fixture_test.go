package voice_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/testutil"
	"onestop/internal/voice"
)

// fixture is the demo county on a real database, a clock the test sets
// (10:00 in Shanghai on Wednesday 2026-09-30 unless moved), two registered
// applicants and a case of the first one's.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	db     *store.DB
	svc    *voice.Service
	cases  *cases.Service
	org    *org.Service
	mu     sync.Mutex
	now    time.Time
	app    applicants.Applicant
	other  applicants.Applicant
	caseNo string
}

// at is 10:00 in Shanghai on a day.
func at(day string) time.Time {
	d := calendar.MustParseDate(day)
	return time.Date(d.Year, d.Month, d.Day, 2, 0, 0, 0, time.UTC)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(ctx, db, 431022); err != nil {
		t.Fatalf("demo: %v", err)
	}
	f := &fixture{t: t, ctx: ctx, db: db, now: at("2026-09-30")}
	cat := &catalogue.Service{DB: db, Now: f.clock}
	f.cases = cases.New(db, cat, f.clock)
	f.org = &org.Service{DB: db, Now: f.clock}
	f.svc = &voice.Service{DB: db, Cases: f.cases, Now: f.clock}
	admin := f.staff("admin")
	clerk := f.staff("clerk")
	_, err := cat.Create(ctx, admin, "T-001", catalogue.Content{Type: "licensing", Name: "测试许可", DepartmentID: clerk.DepartmentID, Audience: "both",
		LegalBasis: "《中华人民共和国行政许可法》第十二条", StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true,
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}}, Steps: catalogue.DefaultSteps(5)}, "")
	if err != nil {
		t.Fatalf("item: %v", err)
	}
	as := &applicants.Service{DB: db, Now: f.clock}
	if f.app, err = as.Register(ctx, applicants.Input{Kind: "citizen", IDNumber: "11010519491231002X", Name: "王小明", Phone: "13800138000", Password: "abcd12345"}, true); err != nil {
		t.Fatal(err)
	}
	if f.other, err = as.Register(ctx, applicants.Input{Kind: "citizen", IDNumber: "110101199003070011", Name: "李四", Phone: "13900139000", Password: "abcd12345"}, true); err != nil {
		t.Fatal(err)
	}
	c, err := f.cases.Submit(ctx, cases.Actor{ApplicantID: f.app.ID}, cases.SubmitInput{ItemCode: "T-001"})
	if err != nil {
		t.Fatalf("case: %v", err)
	}
	f.caseNo = c.No
	return f
}

func (f *fixture) clock() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }

func (f *fixture) set(t time.Time) { f.mu.Lock(); f.now = t; f.mu.Unlock() }

// staff is a demo account as an actor.
func (f *fixture) staff(username string) org.Actor {
	f.t.Helper()
	st, err := (&org.Service{DB: f.db, Now: f.clock}).StaffByUsername(f.ctx, username)
	if err != nil {
		f.t.Fatalf("staff %s: %v", username, err)
	}
	return st.Actor("192.0.2.1")
}

// dept is a demo department's id by its code (FGJ, MZJ …).
func (f *fixture) dept(code string) int64 {
	f.t.Helper()
	var id int64
	if err := f.db.R.QueryRowContext(f.ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&id); err != nil {
		f.t.Fatalf("department %s: %v", code, err)
	}
	return id
}

// consult is a valid consultation to the clerk's department.
func (f *fixture) consult() voice.Input {
	return voice.Input{Kind: voice.Consult, DepartmentID: f.staff("clerk").DepartmentID, Subject: "营业执照办理", Body: "请问需要带哪些材料？",
		Name: "王小明", Phone: "138-0013-8000", Channel: "portal"}
}

func (f *fixture) file(in voice.Input) *voice.Enquiry {
	f.t.Helper()
	e, err := f.svc.File(f.ctx, in)
	if err != nil {
		f.t.Fatalf("file %s: %v", in.Kind, err)
	}
	return e
}
