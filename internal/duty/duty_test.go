package duty_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/cases"
	"onestop/internal/demo"
	"onestop/internal/duty"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/testutil"
)

type world struct {
	t    *testing.T
	db   *store.DB
	mu   sync.Mutex
	now  time.Time
	org  *org.Service
	duty *duty.Service
	as   map[string]org.Actor
	dept int64
	win  int64
	head int64
}

func (w *world) clock() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }
func (w *world) set(t time.Time)  { w.mu.Lock(); w.now = t; w.mu.Unlock() }

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, db: testutil.NewTestDB(t), now: time.Date(2026, 10, 9, 2, 0, 0, 0, time.UTC), as: map[string]org.Actor{}}
	if _, err := demo.Ensure(ctx, w.db, 431022); err != nil {
		t.Fatal(err)
	}
	if err := cases.EnsureCalendar(ctx, w.db, w.now); err != nil {
		t.Fatal(err)
	}
	w.org = &org.Service{DB: w.db, Now: w.clock}
	w.duty = &duty.Service{DB: w.db, Now: w.clock}
	for _, u := range []string{"admin", "clerk", "approver", "supervisor", "leader"} {
		st, err := w.org.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		w.as[u] = st.Actor("192.0.2.7")
	}
	w.dept, w.head = w.as["clerk"].DepartmentID, w.as["approver"].StaffID
	if w.as["approver"].DepartmentID != w.dept {
		t.Fatal("demo: approver and clerk in different departments")
	}
	if err := w.db.R.QueryRow(`SELECT id FROM windows WHERE department_id = $1 AND retired_at IS NULL ORDER BY id LIMIT 1`, w.dept).Scan(&w.win); err != nil {
		t.Fatal(err)
	}
	// A department admin of another department, to attack with.
	var other string
	if err := w.db.R.QueryRow(`SELECT username FROM staff WHERE role = 'dept_admin' AND department_id <> $1 ORDER BY id LIMIT 1`, w.dept).Scan(&other); err != nil {
		t.Fatal(err)
	}
	st, err := w.org.StaffByUsername(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	w.as["other_admin"] = st.Actor("192.0.2.8")
	return w
}

func code(t *testing.T, err error, want apperr.Code, field string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	if _, ok := e.Fields[field]; field != "" && !ok {
		t.Fatalf("got %v, want a problem with %s", err, field)
	}
}

func TestHeadAndChiefRepresentativeAreNamedByTheCentreAdmin(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	in := org.LeadsInput{HeadID: w.head, ChiefRepID: w.as["approver"].StaffID}
	_, err := w.org.SetDepartmentLeads(ctx, w.as["other_admin"], w.dept, in)
	code(t, err, apperr.Forbidden, "")
	// The clerk is staff of the department but not an approver: not a
	// chief representative.
	_, err = w.org.SetDepartmentLeads(ctx, w.as["admin"], w.dept, org.LeadsInput{ChiefRepID: w.as["clerk"].StaffID})
	code(t, err, apperr.Invalid, "chief_rep_id")
	// Someone of another department is not this department's head.
	_, err = w.org.SetDepartmentLeads(ctx, w.as["admin"], w.dept, org.LeadsInput{HeadID: w.as["other_admin"].StaffID})
	code(t, err, apperr.Invalid, "head_id")
	d, err := w.org.SetDepartmentLeads(ctx, w.as["admin"], w.dept, in)
	if err != nil || d.HeadID != w.head || d.ChiefRepID != in.ChiefRepID || d.HeadName == "" {
		t.Fatalf("%+v %v", d, err)
	}
	var n int
	if err := w.db.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'set_leads' AND entity = 'department'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("audit: %d %v", n, err)
	}
}

func (w *world) named() {
	w.t.Helper()
	if _, err := w.org.SetDepartmentLeads(context.Background(), w.as["admin"], w.dept, org.LeadsInput{HeadID: w.head}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) punch(at time.Time) {
	w.t.Helper()
	if _, err := w.db.W.Exec(`INSERT INTO punches (staff_id, centre_id, window_id, at, source, created_at)
		SELECT $1, centre_id, id, $2, 'device', $2 FROM windows WHERE id = $3`, w.head, at, w.win); err != nil {
		w.t.Fatal(err)
	}
}

func TestDutyMonthShortRaisesOneAnomaly(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	admin := w.as["admin"]
	sched := func(a org.Actor, day string) (duty.Day, error) {
		return w.duty.Schedule(ctx, a, duty.ScheduleInput{DepartmentID: w.dept, WindowID: w.win, Day: day})
	}
	_, err := sched(admin, "2026-10-13")
	code(t, err, apperr.Invalid, "department_id") // no head named yet
	w.named()
	_, err = sched(admin, "2026-10-03") // National Day holiday
	code(t, err, apperr.Invalid, "day")
	_, err = sched(admin, "2026-10-18") // a Sunday
	code(t, err, apperr.Invalid, "day")
	_, err = sched(admin, "2026-1013")
	code(t, err, apperr.Invalid, "day")
	_, err = sched(w.as["other_admin"], "2026-10-13")
	code(t, err, apperr.Forbidden, "")
	_, err = sched(w.as["clerk"], "2026-10-13")
	code(t, err, apperr.Forbidden, "")
	if _, err := w.duty.Schedule(ctx, admin, duty.ScheduleInput{DepartmentID: w.dept, WindowID: 999999, Day: "2026-10-13"}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("someone else's window: %v", err)
	}
	d1, err := sched(admin, "2026-10-13")
	if err != nil {
		t.Fatal(err)
	}
	_, err = sched(admin, "2026-10-13")
	code(t, err, apperr.Invalid, "day")
	if _, err := sched(w.as["approver"], "2026-10-14"); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("an approver schedules: %v", err)
	}
	d2, err := sched(admin, "2026-10-14")
	if err != nil {
		t.Fatal(err)
	}
	// Day 1: the head punches at 09:05 Shanghai. Day 2: only a punch at
	// 23:30 Shanghai the evening before, which is not that day.
	w.punch(time.Date(2026, 10, 13, 1, 5, 0, 0, time.UTC))
	w.punch(time.Date(2026, 10, 13, 15, 30, 0, 0, time.UTC))

	oct := calendar.MustParseDate("2026-10-01")
	w.set(time.Date(2026, 10, 20, 2, 0, 0, 0, time.UTC))
	ms, err := w.duty.Month(ctx, w.as["supervisor"], oct, w.dept)
	if err != nil || len(ms) != 1 {
		t.Fatalf("%+v %v", ms, err)
	}
	m := ms[0]
	if m.Required != 2 || m.Scheduled != 2 || m.Recorded != 1 || m.Short || !m.AtRisk {
		t.Fatalf("during the month: %+v", m)
	}
	if n, err := w.duty.Sweep(ctx, oct); err != nil || n != 0 {
		t.Fatalf("raised before the month is over: %d %v", n, err)
	}
	// Another department's admin does not read this department's plan.
	if ms, err := w.duty.Month(ctx, w.as["other_admin"], oct, w.dept); err != nil || len(ms) != 0 {
		t.Fatalf("other department reads the plan: %+v %v", ms, err)
	}

	w.set(time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC))
	ms, err = w.duty.Month(ctx, w.as["approver"], oct, 0)
	if err != nil || len(ms) != 1 || !ms[0].Short || ms[0].Recorded != 1 || ms[0].Days[0].ID != d1.ID || !ms[0].Days[0].Recorded || ms[0].Days[1].Recorded {
		t.Fatalf("the head's own month: %+v %v", ms, err)
	}
	// The demo names heads elsewhere with no October days: they are short
	// too (a head who never sits is the case the rule is for).
	if n, err := w.duty.SweepDue(ctx); err != nil || n < 1 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	if n, err := w.duty.Sweep(ctx, oct); err != nil || n != 0 {
		t.Fatalf("sweep again raised %d %v", n, err)
	}
	fs, err := w.duty.Shortfalls(ctx, w.as["supervisor"])
	var mine []duty.Shortfall
	for _, x := range fs {
		if x.DepartmentID == w.dept {
			mine = append(mine, x)
		}
	}
	if err != nil || len(mine) != 1 || mine[0].Month != "2026-10" || mine[0].Recorded != 1 || mine[0].Required != 2 || mine[0].Rule != duty.Rule {
		t.Fatalf("supervisor's shortfalls: %+v %v", fs, err)
	}
	if fs, err := w.duty.Shortfalls(ctx, w.as["clerk"]); err != nil || len(fs) != 0 {
		t.Fatalf("a clerk reads shortfalls: %+v %v", fs, err)
	}

	// The manual record: the centre admin only, with a reason.
	code(t, w.duty.RecordManually(ctx, w.as["other_admin"], d2.ID, "终端故障"), apperr.Forbidden, "")
	code(t, w.duty.RecordManually(ctx, admin, d2.ID, "  "), apperr.Invalid, "reason")
	if err := w.duty.RecordManually(ctx, admin, d2.ID, "考勤终端断电，值守有签到表为证。"); err != nil {
		t.Fatal(err)
	}
	ms, _ = w.duty.Month(ctx, admin, oct, w.dept)
	if ms[0].Recorded != 2 || ms[0].Short || !ms[0].Days[1].Manual {
		t.Fatalf("after the manual record: %+v", ms[0])
	}
	var n int
	if err := w.db.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'duty_day'`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("audit rows: %d %v", n, err)
	}
}
