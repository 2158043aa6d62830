package request_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/applicants"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/demo"
	"onestop/internal/disclosure"
	"onestop/internal/disclosure/request"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

// fixture is the demo county on a real database with its organs, the
// clerk as officer and the approver as head of the clerk's department's
// office (explicit grants), two registered applicants and a clock the
// test sets (10:00 in Shanghai on Wednesday 2026-09-30, the day before
// the National Day holiday of 1–7 October; Saturday 10 October is a
// working day).
type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	svc   *request.Service
	mu    sync.Mutex
	now   time.Time
	staff map[string]org.Actor
	organ int64
	app   applicants.Applicant
	other applicants.Applicant
}

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
	f := &fixture{t: t, ctx: ctx, db: db, now: at("2026-09-30"), staff: map[string]org.Actor{}}
	cs := cases.New(db, &catalogue.Service{DB: db, Now: f.clock}, f.clock)
	f.svc = &request.Service{DB: db, Cases: cs, Now: f.clock}
	os := &org.Service{DB: db, Now: f.clock}
	for _, u := range []string{"admin", "clerk", "approver", "reviewer", "supervisor"} {
		st, err := os.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		f.staff[u] = st.Actor("192.0.2.8")
	}
	if err := disclosure.EnsureOrgans(ctx, db, f.now, f.staff["admin"].County()); err != nil {
		t.Fatal(err)
	}
	if err := db.R.QueryRow(`SELECT id FROM disclosure_organs WHERE department_id = $1`, f.staff["clerk"].DepartmentID).Scan(&f.organ); err != nil {
		t.Fatal(err)
	}
	for u, d := range map[string]disclosure.Duty{"clerk": disclosure.Officer, "approver": disclosure.Head} {
		if err := disclosure.Grant(ctx, db, f.now, f.staff["admin"], f.organ, f.staff[u].StaffID, d); err != nil {
			t.Fatal(err)
		}
	}
	as := &applicants.Service{DB: db, Now: f.clock}
	var err error
	if f.app, err = as.Register(ctx, applicants.Input{Kind: "citizen", IDNumber: "11010519491231002X", Name: "王小明", Phone: "13800138000", Password: "abcd12345"}, true); err != nil {
		t.Fatal(err)
	}
	if f.other, err = as.Register(ctx, applicants.Input{Kind: "citizen", IDNumber: "110101199003070011", Name: "李四", Phone: "13900139000", Password: "abcd12345"}, true); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) clock() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }

func (f *fixture) set(day string) { f.mu.Lock(); f.now = at(day); f.mu.Unlock() }

// input is a complete request of the first applicant's.
func (f *fixture) input() request.Input {
	return request.Input{OrganID: f.organ, ApplicantType: disclosure.Person, Name: "王小明", IDNumber: "11010519491231002X",
		Phone: "13800138000", Address: "湖南省某县城关镇人民路1号", Content: "请公开2025年本部门行政许可事项办理情况统计。", Form: "paper"}
}

// inPerson registers a request handed in at the office today.
func (f *fixture) inPerson() *request.Request {
	f.t.Helper()
	in := f.input()
	in.Channel = disclosure.InPerson
	r, err := f.svc.Register(f.ctx, f.staff["clerk"], in)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func day(d *calendar.Date) string {
	if d == nil {
		return "<nil>"
	}
	return d.String()
}

// fieldKey is the key of a field's error, "" when there is none.
func fieldKey(err error, field string) string {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return ""
	}
	return e.Fields[field].Key
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.R.QueryRow(q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}
