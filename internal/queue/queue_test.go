package queue_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/calendar"
	"onestop/internal/catalogue/cataloguetest"
	"onestop/internal/clock"
	"onestop/internal/org"
	"onestop/internal/queue"
)

// world is the demo county (its hall has the demo queue groups A–E) with a
// queue service on a clock the test sets.
type world struct {
	*cataloguetest.World
	t       *testing.T
	mu      sync.Mutex
	now     time.Time
	svc     *queue.Service
	groups  map[string]queue.Group // by prefix
	hall    org.Centre
	kicked  map[int64]int
	clerks  map[string]org.Actor
	tcentre int64
}

func (w *world) clock() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }

// at sets the clock to a Shanghai wall time "2006-01-02 15:04:05".
func (w *world) at(s string) {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, clock.Shanghai)
	if err != nil {
		w.t.Fatal(err)
	}
	w.mu.Lock()
	w.now = t.UTC()
	w.mu.Unlock()
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{World: cataloguetest.Setup(t), t: t, groups: map[string]queue.Group{}, kicked: map[int64]int{}, clerks: map[string]org.Actor{}}
	w.at("2026-11-26 09:00:00")
	w.svc = &queue.Service{DB: w.DB, Now: w.clock, Changed: func(c int64) { w.mu.Lock(); w.kicked[c]++; w.mu.Unlock() }}
	var err error
	if w.hall, err = w.Org.Centre(ctx, w.Actors["admin"].CentreID); err != nil {
		t.Fatal(err)
	}
	gs, err := w.svc.Groups(ctx, w.hall.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		w.groups[g.Prefix] = g
	}
	if len(w.groups["A"].WindowIDs) != 3 || len(w.groups["E"].WindowIDs) == 0 {
		t.Fatalf("demo queue groups changed: %+v", gs)
	}
	for _, u := range []string{"clerk", "bdc.clerk1", "bdc.clerk2", "rsj.clerk1", "tclerk"} {
		st, err := w.Org.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		w.clerks[u] = st.Actor("192.0.2.7")
	}
	w.tcentre = w.clerks["tclerk"].CentreID
	return w
}

func (w *world) issue(prefix, channel, phone string) queue.Issued {
	w.t.Helper()
	tk, err := w.svc.Issue(context.Background(), queue.IssueInput{CentreID: w.hall.ID, GroupID: w.groups[prefix].ID, Channel: channel, Phone: phone})
	if err != nil {
		w.t.Fatalf("issue %s: %v", prefix, err)
	}
	return tk
}

func wantCode(t *testing.T, err error, code apperr.Code, what string) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("%s: got %v, want code %v", what, err, code)
	}
}

func wantField(t *testing.T, err error, field, key string) {
	t.Helper()
	ae := apperr.As(err)
	if ae == nil || ae.Fields[field].Key != key {
		t.Fatalf("want field %s = %s, got %v", field, key, err)
	}
}

// Numbers run per group and per Shanghai day, and a ticket says how many
// stand before it; the hall screen's hub is told of each issue.
func TestIssueNumbers(t *testing.T) {
	w := newWorld(t)
	a1 := w.issue("A", queue.Kiosk, "")
	a2 := w.issue("A", queue.Portal, "138 0013 8000")
	b1 := w.issue("B", queue.Kiosk, "")
	if a1.No != "A001" || a2.No != "A002" || b1.No != "B001" {
		t.Fatalf("numbers %s %s %s", a1.No, a2.No, b1.No)
	}
	if a1.Ahead != 0 || a2.Ahead != 1 || b1.Ahead != 0 {
		t.Fatalf("ahead %d %d %d", a1.Ahead, a2.Ahead, b1.Ahead)
	}
	if a2.Phone != "13800138000" {
		t.Fatalf("phone stored as %q", a2.Phone)
	}
	if w.kicked[w.hall.ID] != 3 {
		t.Fatalf("hub told %d times", w.kicked[w.hall.ID])
	}
	// 23:59:59 and 00:00:00 in Shanghai are two days (16:00 UTC).
	w.at("2026-11-26 23:59:59")
	if n := w.issue("A", queue.Kiosk, "").No; n != "A003" {
		t.Fatalf("late number %s", n)
	}
	w.at("2026-11-27 00:00:00")
	next := w.issue("A", queue.Kiosk, "")
	if next.No != "A001" || next.Ahead != 0 {
		t.Fatalf("next day: %s ahead %d", next.No, next.Ahead)
	}
	st, err := w.svc.Status(context.Background(), a2.ID, "A002")
	if err != nil || st.State != queue.Waiting {
		t.Fatalf("status %+v %v", st, err)
	}
	// An id with another number is not found: ids cannot be walked.
	_, err = w.svc.Status(context.Background(), a2.ID, "A001")
	wantCode(t, err, apperr.NotFound, "status with the wrong number")
}

// What a caller may not do: take a ticket of another centre's group, take
// a portal ticket without a phone (or with a bad or huge one), hold two
// open portal tickets on one phone, issue at a window not theirs.
func TestIssueRefusals(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	_, err := w.svc.Issue(ctx, queue.IssueInput{CentreID: w.tcentre, GroupID: w.groups["A"].ID, Channel: queue.Kiosk})
	wantField(t, err, "group", "queue.group_unknown")
	_, err = w.svc.Issue(ctx, queue.IssueInput{CentreID: w.hall.ID, Channel: queue.Kiosk})
	wantField(t, err, "group", "error.required")
	_, err = w.svc.Issue(ctx, queue.IssueInput{CentreID: w.hall.ID, GroupID: w.groups["A"].ID, Channel: queue.Portal})
	wantField(t, err, "phone", "error.required")
	_, err = w.svc.Issue(ctx, queue.IssueInput{CentreID: w.hall.ID, GroupID: w.groups["A"].ID, Channel: queue.Portal, Phone: "12345"})
	if ae := apperr.As(err); ae == nil || ae.Fields["phone"].Key == "" {
		t.Fatalf("bad phone: %v", err)
	}
	_, err = w.svc.Issue(ctx, queue.IssueInput{CentreID: w.hall.ID, GroupID: w.groups["A"].ID, Channel: queue.Portal, Phone: strings.Repeat("1", 50000)})
	if ae := apperr.As(err); ae == nil || ae.Fields["phone"].Key == "" {
		t.Fatalf("huge phone: %v", err)
	}
	_, err = w.svc.Issue(ctx, queue.IssueInput{CentreID: w.hall.ID, GroupID: w.groups["A"].ID, Channel: "sms"})
	wantCode(t, err, apperr.Invalid, "unknown channel")
	first := w.issue("A", queue.Portal, "13800138000")
	_, err = w.svc.Issue(ctx, queue.IssueInput{CentreID: w.hall.ID, GroupID: w.groups["B"].ID, Channel: queue.Portal, Phone: "+86 138-0013-8000"})
	wantField(t, err, "phone", "queue.phone_has_ticket")
	tc := w.clerks["tclerk"]
	_, err = w.svc.Issue(ctx, queue.IssueInput{CentreID: w.hall.ID, GroupID: w.groups["A"].ID, Channel: queue.Window, Clerk: &tc})
	wantCode(t, err, apperr.Forbidden, "a township clerk issuing at the hall")
	c := w.clerks["bdc.clerk1"]
	got, err := w.svc.Issue(ctx, queue.IssueInput{CentreID: w.hall.ID, GroupID: w.groups["A"].ID, Channel: queue.Window, Clerk: &c})
	if err != nil || got.No != "A002" || got.Ahead != 1 {
		t.Fatalf("window issue %+v %v", got, err)
	}
	// Once the first is done, the phone may take another.
	if _, err := w.svc.CallNext(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.NoShow(ctx, c, first.ID); err != nil {
		t.Fatal(err)
	}
	if again := w.issue("B", queue.Portal, "13800138000"); again.No != "B001" {
		t.Fatalf("again %s", again.No)
	}
}

// A window calls the longest-waiting ticket of its groups, one at a time;
// recall, start, finish and no-show act only on the ticket at the
// clerk's own window.
func TestCalling(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a1 := w.issue("A", queue.Kiosk, "")
	w.at("2026-11-26 09:01:00")
	w.issue("B", queue.Kiosk, "")
	a2 := w.issue("A", queue.Kiosk, "")
	c1, c2, other, rsj := w.clerks["bdc.clerk1"], w.clerks["bdc.clerk2"], w.clerks["clerk"], w.clerks["rsj.clerk1"]

	w.at("2026-11-26 09:05:00")
	got, err := w.svc.CallNext(ctx, c1)
	if err != nil || got.ID != a1.ID || got.State != queue.Called || got.WindowID != c1.WindowID || got.Calls != 1 {
		t.Fatalf("call next: %+v %v", got, err)
	}
	_, err = w.svc.CallNext(ctx, c1)
	wantCode(t, err, apperr.Conflict, "calling while a ticket is at the window")
	// Another window's clerk, a clerk of another group, a clerk of another
	// centre: the ticket is not theirs to touch.
	for _, a := range []org.Actor{c2, other, w.clerks["tclerk"]} {
		_, err := w.svc.Recall(ctx, a, a1.ID)
		wantCode(t, err, apperr.NotFound, a.Username+" recalling another window's ticket")
	}
	// A window without group: nothing to call; an admin has no window.
	_, err = w.svc.CallNext(ctx, w.Actors["admin"])
	wantCode(t, err, apperr.Forbidden, "an admin calling")
	_, err = w.svc.CallNext(ctx, w.clerks["tclerk"])
	wantCode(t, err, apperr.Conflict, "a window of no group")

	w.at("2026-11-26 09:06:00")
	if got, err = w.svc.Recall(ctx, c1, a1.ID); err != nil || got.Calls != 2 || !got.CalledAt.Equal(w.clock()) || got.FirstCalledAt.Equal(w.clock()) {
		t.Fatalf("recall %+v %v", got, err)
	}
	_, err = w.svc.Finish(ctx, c1, a1.ID)
	wantCode(t, err, apperr.Conflict, "finishing before starting")
	if _, err = w.svc.Start(ctx, c1, a1.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.NoShow(ctx, c1, a1.ID)
	wantCode(t, err, apperr.Conflict, "no-show of a ticket being served")
	// The second window takes the next A; the B one is not its to call.
	got, err = w.svc.CallNext(ctx, c2)
	if err != nil || got.ID != a2.ID {
		t.Fatalf("second window: %+v %v", got, err)
	}
	if _, err = w.svc.Finish(ctx, c1, a1.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.CallNext(ctx, c1)
	wantCode(t, err, apperr.Conflict, "no A left")
	w.at("2026-11-26 09:07:00")
	if got, err = w.svc.CallNext(ctx, rsj); err != nil || got.No != "B001" {
		t.Fatalf("B window: %+v %v", got, err)
	}
	sc, err := w.svc.Screen(ctx, w.hall.ID)
	if err != nil || len(sc.Calls) != 2 || sc.Calls[0].No != "B001" || sc.Calls[1].No != "A002" {
		t.Fatalf("screen %+v %v", sc, err)
	}
}

// Two windows calling at the same moment never get the same ticket.
func TestCallRace(t *testing.T) {
	w := newWorld(t)
	w.issue("A", queue.Kiosk, "")
	w.issue("A", queue.Kiosk, "")
	var wg sync.WaitGroup
	got := make([]queue.Ticket, 2)
	errs := make([]error, 2)
	for i, u := range []string{"bdc.clerk1", "bdc.clerk2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = w.svc.CallNext(context.Background(), w.clerks[u])
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || got[0].ID == got[1].ID {
		t.Fatalf("race: %+v %+v %v %v", got[0], got[1], errs[0], errs[1])
	}
}

// A transferred ticket keeps its number and its place in the other
// group's line (its first issue time), and its waiting there counts from
// the transfer.
func TestTransferKeepsPlace(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a1 := w.issue("A", queue.Kiosk, "")
	w.at("2026-11-26 09:10:00")
	b1 := w.issue("B", queue.Kiosk, "")
	c1, rsj := w.clerks["bdc.clerk1"], w.clerks["rsj.clerk1"]
	w.at("2026-11-26 09:20:00")
	if _, err := w.svc.CallNext(ctx, c1); err != nil {
		t.Fatal(err)
	}
	_, err := w.svc.Transfer(ctx, c1, a1.ID, w.groups["A"].ID)
	wantField(t, err, "group", "queue.same_group")
	var township int64
	if err := w.DB.W.QueryRow(`INSERT INTO queue_groups (centre_id, prefix, name, created_at) VALUES ($1, 'T', '乡镇', $2) RETURNING id`,
		w.tcentre, w.clock()).Scan(&township); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Transfer(ctx, c1, a1.ID, township)
	wantField(t, err, "group", "queue.group_unknown")
	_, err = w.svc.Transfer(ctx, rsj, a1.ID, w.groups["B"].ID)
	wantCode(t, err, apperr.NotFound, "transfer by another window")
	w.at("2026-11-26 09:25:00")
	moved, err := w.svc.Transfer(ctx, c1, a1.ID, w.groups["B"].ID)
	if err != nil || moved.No != "A001" || moved.GroupID != w.groups["B"].ID || moved.State != queue.Waiting || !moved.PlaceAt.Equal(a1.IssuedAt) {
		t.Fatalf("moved %+v %v", moved, err)
	}
	// The holder's slip (the first row) now reads the new line.
	old, _ := w.svc.Status(ctx, a1.ID, "A001")
	if old.ID != moved.ID || old.State != queue.Waiting || old.Ahead != 0 || old.Group != w.groups["B"].Name {
		t.Fatalf("the slip after the transfer: %+v", old)
	}
	if st, _ := w.svc.Status(ctx, b1.ID, "B001"); st.Ahead != 1 {
		t.Fatalf("B001 has %d ahead, want the transferred A001", st.Ahead)
	}
	w.at("2026-11-26 09:40:00")
	got, err := w.svc.CallNext(ctx, rsj)
	if err != nil || got.ID != moved.ID {
		t.Fatalf("B window called %+v %v, want the transferred A001", got, err)
	}
	f, err := w.svc.Figures(ctx, w.hall.ID, calendar.MustParseDate("2026-11-26"), calendar.MustParseDate("2026-11-26"))
	if err != nil {
		t.Fatal(err)
	}
	// A001 waited 20 min in A, then 15 in B from the transfer: 35 in all,
	// no minute twice.
	var b queue.Row
	for _, g := range f.Groups {
		if g.ID == w.groups["B"].ID {
			b = g
		}
	}
	if b.Wait.Count != 1 || b.Wait.Max != 15*time.Minute || f.Total.Wait.Mean != (20*time.Minute+15*time.Minute)/2 || f.Total.Transferred != 1 {
		t.Fatalf("figures: B %+v total %+v", b, f.Total)
	}
}

// A ticket links to the case it became, once.
func TestLink(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a1 := w.issue("A", queue.Kiosk, "")
	c1 := w.clerks["bdc.clerk1"]
	err := w.svc.Link(ctx, c1, a1.ID, "HALL202611260001")
	wantCode(t, err, apperr.NotFound, "linking a ticket not at the window")
	if _, err := w.svc.CallNext(ctx, c1); err != nil {
		t.Fatal(err)
	}
	wantField(t, w.svc.Link(ctx, c1, a1.ID, " "), "case_no", "error.required")
	if err := w.svc.Link(ctx, c1, a1.ID, "HALL202611260001"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, w.svc.Link(ctx, c1, a1.ID, "HALL202611260002"), apperr.Conflict, "linking again to another case")
	st, _ := w.svc.Status(ctx, a1.ID, "A001")
	if st.CaseNo != "HALL202611260001" {
		t.Fatalf("case no %q", st.CaseNo)
	}
}

// The figures of tickets at known times come out exactly: waits issued →
// first call (a recall does not extend it), services start → finish,
// no-shows, never-called tickets, per window, group, department and in
// all; another day's tickets stay out.
func TestFiguresExact(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c1, c2 := w.clerks["bdc.clerk1"], w.clerks["bdc.clerk2"]
	run := func(issue, call, start, end string, c org.Actor, noShow bool) {
		t.Helper()
		w.at("2026-11-26 " + issue)
		w.issue("A", queue.Kiosk, "")
		w.at("2026-11-26 " + call)
		tk, err := w.svc.CallNext(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		w.at("2026-11-26 " + start)
		if noShow {
			_, err = w.svc.Recall(ctx, c, tk.ID)
			if err == nil {
				_, err = w.svc.NoShow(ctx, c, tk.ID)
			}
		} else if _, err = w.svc.Start(ctx, c, tk.ID); err == nil {
			w.at("2026-11-26 " + end)
			_, err = w.svc.Finish(ctx, c, tk.ID)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// Window 1: waits 5, 15, 10 min; services 10, 20 min; one no-show.
	run("09:00:00", "09:05:00", "09:06:00", "09:16:00", c1, false)
	run("09:10:00", "09:25:00", "09:26:00", "09:46:00", c1, false)
	run("09:50:00", "10:00:00", "10:03:00", "", c1, true)
	// Window 2: waits 1 min 30 s; service 7 min 15 s.
	run("10:00:00", "10:01:30", "10:01:30", "10:08:45", c2, false)
	// Never called; and a ticket of the next day (outside the period).
	w.at("2026-11-26 16:00:00")
	w.issue("A", queue.Kiosk, "")
	w.at("2026-11-27 08:30:00")
	w.issue("A", queue.Kiosk, "")

	day := calendar.MustParseDate("2026-11-26")
	f, err := w.svc.Figures(ctx, w.hall.ID, day, day)
	if err != nil {
		t.Fatal(err)
	}
	win := map[int64]queue.Row{}
	for _, r := range f.Windows {
		win[r.ID] = r
	}
	m := time.Minute
	w1, w2 := win[c1.WindowID], win[c2.WindowID]
	if w1.Wait != (queue.Stat{Count: 3, Mean: 10 * m, Median: 10 * m, Max: 15 * m, Total: 30 * m}) || w1.Service != (queue.Stat{Count: 2, Mean: 15 * m, Median: 15 * m, Max: 20 * m, Total: 30 * m}) || w1.NoShows != 1 {
		t.Fatalf("window 1: %+v", w1)
	}
	if w2.Wait != (queue.Stat{Count: 1, Mean: 90 * time.Second, Median: 90 * time.Second, Max: 90 * time.Second, Total: 90 * time.Second}) || w2.Service.Mean != 7*m+15*time.Second || w2.NoShows != 0 {
		t.Fatalf("window 2: %+v", w2)
	}
	// In all: waits 5, 15, 10, 1.5 → mean 7 min 52 s (truncated from
	// 7:52.5), median (5+10)/2 = 7:30; services 10, 20, 7.25 → mean
	// 12:25, median 10.
	tot := f.Total
	if tot.Issued != 5 || tot.NeverCalled != 1 || tot.NoShows != 1 ||
		tot.Wait != (queue.Stat{Count: 4, Mean: 7*m + 52*time.Second, Median: 7*m + 30*time.Second, Max: 15 * m, Total: 31*m + 30*time.Second}) ||
		tot.Service != (queue.Stat{Count: 3, Mean: 12*m + 25*time.Second, Median: 10 * m, Max: 20 * m, Total: 37*m + 15*time.Second}) {
		t.Fatalf("total: %+v", tot)
	}
	if len(f.Groups) != 1 || f.Groups[0].Wait != tot.Wait || len(f.Departments) != 1 || f.Departments[0].ID != c1.DepartmentID ||
		f.Departments[0].Service != tot.Service {
		t.Fatalf("groups %+v departments %+v", f.Groups, f.Departments)
	}
	// Issued and served per window are the tickets it took from the line
	// and finished; the group's department also holds the never-called one.
	if w1.Issued != 3 || w1.Served != 2 || w2.Issued != 1 || w2.Served != 1 || tot.Served != 3 || w1.Department == "" {
		t.Fatalf("issued/served per window: %+v %+v total %+v", w1, w2, tot)
	}
	if d := f.Departments[0]; d.Issued != 5 || d.Served != 3 || d.NoShows != 1 || d.NeverCalled != 1 {
		t.Fatalf("department %+v", d)
	}
	// The county's scope holds the hall's tickets; another county's none.
	county := w.hall.RegionCode[:6]
	inCounty, err := queue.FiguresOf(ctx, w.DB.Read(), queue.Scope{Region: county}, day, day)
	if err != nil || inCounty.Total.Issued != 5 || inCounty.Total.Wait != tot.Wait {
		t.Fatalf("county scope %+v %v", inCounty.Total, err)
	}
	other, err := queue.FiguresOf(ctx, w.DB.Read(), queue.Scope{Region: "110101"}, day, day)
	if err != nil || other.Total.Issued != 0 || len(other.Departments) != 0 {
		t.Fatalf("another county %+v %v", other.Total, err)
	}
	// The same figures read again later: the record, not the moment.
	w.at("2027-03-01 10:00:00")
	again, err := w.svc.Figures(ctx, w.hall.ID, day, day)
	if err != nil || again.Total.Wait != tot.Wait || again.Total.Service != tot.Service {
		t.Fatalf("again %+v %v", again.Total, err)
	}
}

// The centre admin sets up groups of the centre's own windows only, with
// a free letter.
func TestCreateGroup(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	admin := w.Actors["admin"]
	twin := w.clerks["tclerk"].WindowID
	hallWin := w.clerks["clerk"].WindowID
	_, err := w.svc.CreateGroup(ctx, admin, w.hall, queue.GroupInput{Prefix: "F", Name: "乡镇", WindowIDs: []int64{twin}})
	wantField(t, err, "windows", "queue.window_elsewhere")
	_, err = w.svc.CreateGroup(ctx, admin, w.hall, queue.GroupInput{Prefix: "A", Name: "重复", WindowIDs: []int64{hallWin}})
	wantField(t, err, "prefix", "queue.prefix_taken")
	_, err = w.svc.CreateGroup(ctx, admin, w.hall, queue.GroupInput{Prefix: "ab", Name: strings.Repeat("长", 50000)})
	if ae := apperr.As(err); ae == nil || ae.Fields["prefix"].Key == "" || ae.Fields["name"].Key == "" || ae.Fields["windows"].Key == "" {
		t.Fatalf("bad input: %v", err)
	}
	township, err := w.Org.Centre(ctx, w.tcentre)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.CreateGroup(ctx, w.Actors["township"], w.hall, queue.GroupInput{Prefix: "F", Name: "x", WindowIDs: []int64{hallWin}})
	wantCode(t, err, apperr.Forbidden, "a township admin at the hall")
	_, err = w.svc.CreateGroup(ctx, w.clerks["clerk"], w.hall, queue.GroupInput{Prefix: "F", Name: "x", WindowIDs: []int64{hallWin}})
	wantCode(t, err, apperr.Forbidden, "a clerk")
	g, err := w.svc.CreateGroup(ctx, w.Actors["township"], township, queue.GroupInput{Prefix: "a", Name: "民政社保", WindowIDs: []int64{twin}})
	if err != nil || g.Prefix != "A" || g.CentreID != w.tcentre {
		t.Fatalf("township group %+v %v", g, err)
	}
}

// Editing a group: name, windows and department change and are audited;
// the letter changes only while the group has given no number today;
// another centre's admin and a clerk find nothing. Retiring: refused
// while today's tickets are open, then no channel issues a number (each
// says so), a transfer into it is refused, and its tickets and figures
// stay.
func TestEditAndRetireGroup(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	admin := w.Actors["admin"]
	g := w.groups["D"]
	hallWin := w.clerks["clerk"].WindowID
	in := queue.GroupInput{Prefix: "D", Name: "企业开办专区", WindowIDs: []int64{hallWin}}
	if _, err := w.svc.UpdateGroup(ctx, w.Actors["township"], g.ID, in); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("township admin edits the hall's group: %v", err)
	}
	if _, err := w.svc.UpdateGroup(ctx, w.clerks["clerk"], g.ID, in); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("clerk edits a group: %v", err)
	}
	_, err := w.svc.UpdateGroup(ctx, admin, g.ID, queue.GroupInput{Prefix: "D", Name: strings.Repeat("长", 50000), WindowIDs: []int64{w.clerks["tclerk"].WindowID}})
	if ae := apperr.As(err); ae == nil || ae.Fields["name"].Key == "" {
		t.Fatalf("bad edit: %v", err)
	}
	got, err := w.svc.UpdateGroup(ctx, admin, g.ID, in)
	if err != nil || got.Name != "企业开办专区" || len(got.WindowIDs) != 1 || got.WindowIDs[0] != hallWin {
		t.Fatalf("edit: %+v %v", got, err)
	}
	var n int
	if err := w.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'queue_group' AND action = 'update' AND entity_id = $1`, strconv.FormatInt(g.ID, 10)).Scan(&n); err != nil || n != 1 {
		t.Fatalf("audit of the edit: %d %v", n, err)
	}
	// A number given today: the letter stays.
	tk := w.issue("D", queue.Kiosk, "")
	in.Prefix = "F"
	_, err = w.svc.UpdateGroup(ctx, admin, g.ID, in)
	wantField(t, err, "prefix", "queue.prefix_in_use")
	// Retiring with a waiting ticket is refused; served, it goes.
	wantCode(t, w.svc.RetireGroup(ctx, admin, g.ID), apperr.Conflict, "retire with a waiting ticket")
	c := w.clerks["clerk"]
	if _, err := w.svc.CallNext(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Start(ctx, c, tk.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Finish(ctx, c, tk.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, w.svc.RetireGroup(ctx, w.Actors["township"], g.ID), apperr.NotFound, "township admin retires the hall's group")
	if err := w.svc.RetireGroup(ctx, admin, g.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, w.svc.RetireGroup(ctx, admin, g.ID), apperr.Conflict, "retire twice")
	for _, ch := range []string{queue.Kiosk, queue.Portal, queue.Window} {
		in := queue.IssueInput{CentreID: w.hall.ID, GroupID: g.ID, Channel: ch, Phone: "13900139000", Clerk: &c}
		_, err := w.svc.Issue(ctx, in)
		wantField(t, err, "group", "queue.group_retired")
	}
	// A transfer into it is refused too.
	w.issue("E", queue.Kiosk, "")
	e, err := w.svc.CallNext(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Transfer(ctx, c, e.ID, g.ID)
	wantField(t, err, "group", "queue.group_retired")
	// Its history stays: the figures still count its ticket.
	day := calendar.MustParseDate("2026-11-26")
	f, err := w.svc.Figures(ctx, w.hall.ID, day, day)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range f.Groups {
		found = found || (r.ID == g.ID && r.Served == 1)
	}
	if !found {
		t.Fatalf("the retired group's figures are gone: %+v", f.Groups)
	}
	if gs, _ := w.svc.Groups(ctx, w.hall.ID); len(gs) != 4 {
		t.Fatalf("%d live groups after retiring one", len(gs))
	}
	// Its letter is free for a new group.
	if _, err := w.svc.CreateGroup(ctx, admin, w.hall, queue.GroupInput{Prefix: "D", Name: "新企业开办", WindowIDs: []int64{hallWin}}); err != nil {
		t.Fatalf("the letter of a retired group: %v", err)
	}
}
