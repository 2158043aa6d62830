package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"onestop/internal/applicants"
	"onestop/internal/auth"
	"onestop/internal/cases"
	"onestop/internal/catalogue"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/supervision"
	"onestop/internal/tally"
	"onestop/internal/testutil"
)

// ---- an installation: data directory and database --------------------------

// install is what `onestop serve --data DIR [--db URL]` runs on: SQLite in
// a temp directory, or a fresh schema on ONESTOP_TEST_POSTGRES.
type install struct {
	dir, url string
}

func newInstall(t *testing.T) *install {
	t.Helper()
	in := &install{dir: t.TempDir()}
	if base := testutil.PostgresURL(); base != "" {
		in.url = testutil.NewPostgresSchema(t, base)
	}
	return in
}

func (in *install) engine() string {
	if in.url != "" {
		return "postgres"
	}
	return "sqlite"
}

func (in *install) flags() []string {
	f := []string{"--data", in.dir}
	if in.url != "" {
		f = append(f, "--db", in.url)
	}
	return f
}

func (in *install) open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), in.dir, in.url)
	if err != nil {
		t.Fatalf("open database: %v", err)
	}
	return db
}

// seed loads the demo county (organisation, catalogue, calendar) the way a
// person trying OneStop would: `onestop demo --demo-cases 0`, stopped with
// SIGTERM once it answers.
func (in *install) seed(t *testing.T) {
	t.Helper()
	s := newServer(t, "seed", in)
	s.cmdName = "demo"
	s.extra = []string{"--demo-cases", "0"}
	if err := s.start(); err != nil {
		t.Fatalf("onestop demo: %v", err)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("onestop demo exited %d after SIGTERM:\n%s", code, s.logTail())
	}
}

// ---- a server process -----------------------------------------------------

// server is one `onestop serve` process, restartable on the same address.
type server struct {
	t       *testing.T
	name    string
	in      *install
	addr    string
	cmdName string
	extra   []string
	log     string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	starts int
}

func newServer(t *testing.T, name string, in *install) *server {
	t.Helper()
	s := &server{t: t, name: name, in: in, addr: freeAddr(t), cmdName: "serve", log: filepath.Join(t.TempDir(), name+".log")}
	t.Cleanup(func() {
		s.mu.Lock()
		cmd, exited := s.cmd, s.exited
		s.mu.Unlock()
		if cmd != nil {
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("server %s log (last lines):\n%s", name, s.logTail())
		}
	})
	return s
}

// freeAddr finds a loopback port nobody listens on. The server is
// restarted on the same port, so clients keep their URL across crashes.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (s *server) base() string { return "http://" + s.addr }

// start runs the process and waits until /healthz answers 200.
func (s *server) start() error {
	logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	fmt.Fprintf(logf, "----- start %d -----\n", s.starts+1)
	args := append([]string{s.cmdName, "--addr", s.addr, "--secure-cookies", "false"}, s.in.flags()...)
	args = append(args, s.extra...)
	cmd := exec.Command(binary, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(exited)
	}()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.starts++
	s.mu.Unlock()
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("%s exited while starting (%s):\n%s", s.name, cmd.ProcessState, s.logTail())
		default:
		}
		res, err := hc.Get(s.base() + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(15 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer /healthz within 60 s:\n%s", s.name, s.logTail())
}

// kill ends the process with SIGKILL — no deferred code, no shutdown, the
// power-cut of processes — and waits until it is gone. It reports whether
// the SIGKILL is what ended it (false: the server had already died on its
// own, and the kill tested nothing).
func (s *server) kill() bool {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return false
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// stop asks for a graceful shutdown (SIGTERM) and returns the exit code;
// after 30 s it kills.
func (s *server) stop() int {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return 0
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		return -1
	}
	return cmd.ProcessState.ExitCode()
}

func (s *server) logTail() string {
	b, _ := os.ReadFile(s.log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}

// run runs the binary to completion (backup, restore, verify).
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(binary, args...).CombinedOutput()
	return string(out), err
}

// ---- the fixture: items, people, tokens, overdue cases ----------------------

// fixture is what the load needs on top of the demo county: an ordinary
// item, an item with deemed approval, an applicant and API tokens for the
// clerk, the reviewer and the approver of one department.
type fixture struct {
	in        *install
	applicant int64
	tokens    map[string]string
	// overdue are cases of the deemed-approval item, accepted in the past
	// so that their promised deadline has gone by: the server's sweep must
	// deem each approved exactly once.
	overdue []string
}

const (
	loadItem   = "R-001"
	deemedItem = "R-002"
)

// prepare writes the fixture directly into the database, with no server
// running; tokens are created the way /account/tokens creates them.
func prepare(t *testing.T, in *install) *fixture {
	t.Helper()
	ctx := context.Background()
	db := in.open(t)
	defer db.Close()
	now := time.Now()
	clk := func() time.Time { return now }
	staff := &org.Service{DB: db, Now: clk}
	actor := func(u string) org.Actor {
		st, err := staff.StaffByUsername(ctx, u)
		if err != nil {
			t.Fatalf("staff %s: %v", u, err)
		}
		return st.Actor("192.0.2.1")
	}
	cat := &catalogue.Service{DB: db, Now: clk}
	clerk := actor("clerk")
	base := catalogue.Content{Type: "licensing", DepartmentID: clerk.DepartmentID, Audience: "both", LegalBasis: "《中华人民共和国行政许可法》第十二条",
		StatutoryDays: 20, PromisedDays: 5, Visits: 1, Online: true, AtHall: true,
		Materials: []catalogue.Material{{Name: "申请表", Required: true, Form: "original", Copies: 1}}, Steps: catalogue.DefaultSteps(5)}
	item := base
	item.Name = "可靠性测试许可"
	if _, err := cat.Create(ctx, actor("admin"), loadItem, item, ""); err != nil {
		t.Fatalf("item %s: %v", loadItem, err)
	}
	deemed := base
	deemed.Name, deemed.Type, deemed.DeemedApproval = "可靠性测试备案（超时默认）", "filing", true
	deemed.DeemedNote = "依据《宜章县行政审批超时默认办理暂行办法》第五条，视为同意。"
	if _, err := cat.Create(ctx, actor("admin"), deemedItem, deemed, ""); err != nil {
		t.Fatalf("item %s: %v", deemedItem, err)
	}
	app, err := (&applicants.Service{DB: db, Now: clk}).Register(ctx,
		applicants.Input{Kind: "citizen", IDNumber: "11010519491231002X", Name: "王小明", Phone: "13800138000"}, false)
	if err != nil {
		t.Fatalf("applicant: %v", err)
	}
	f := &fixture{in: in, applicant: app.ID, tokens: map[string]string{}}
	for _, u := range []string{"clerk", "reviewer", "approver"} {
		tok, err := auth.NewToken(ctx, db.W, actor(u).StaffID, "reliability", now, 0)
		if err != nil {
			t.Fatalf("token %s: %v", u, err)
		}
		f.tokens[u] = tok
	}
	return f
}

// addOverdue opens n cases of the deemed-approval item with the engine on
// a clock 30 days back and accepts them, so their promised 5 working days
// are long over. Run while no server runs (SQLite) or beside them. It
// returns how many earlier overdue cases were still waiting for the sweep.
func (f *fixture) addOverdue(t *testing.T, n int) (pending int) {
	t.Helper()
	ctx := context.Background()
	db := f.in.open(t)
	defer db.Close()
	pending = f.pendingOverdue(t, db)
	past := time.Now().AddDate(0, 0, -30)
	clk := func() time.Time { return past }
	st, err := (&org.Service{DB: db, Now: clk}).StaffByUsername(ctx, "clerk")
	if err != nil {
		t.Fatal(err)
	}
	clerk := cases.StaffActor(st.Actor("192.0.2.1"))
	eng := cases.New(db, &catalogue.Service{DB: db, Now: clk}, clk)
	supervision.Watch(eng, db, clk)
	for range n {
		c, err := eng.Submit(ctx, clerk, cases.SubmitInput{ItemCode: deemedItem, ApplicantID: f.applicant, Materials: []cases.MaterialChange{{Seq: 1, Paper: true}}})
		if err != nil {
			t.Fatalf("overdue case: %v", err)
		}
		if _, err := eng.Act(ctx, clerk, c.No, cases.ActAccept, cases.Input{}); err != nil {
			t.Fatalf("accept overdue case: %v", err)
		}
		f.overdue = append(f.overdue, c.No)
	}
	return pending
}

// pendingOverdue counts overdue cases not yet deemed approved.
func (f *fixture) pendingOverdue(t *testing.T, db *store.DB) int {
	t.Helper()
	var left int
	if err := db.R.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM cases c JOIN items i ON i.id = c.item_id
		WHERE i.code = $1 AND c.state = 'in_progress'`, deemedItem).Scan(&left); err != nil {
		t.Fatal(err)
	}
	return left
}

// waitDeemed waits until every overdue case has been deemed approved by a
// server's sweep.
func (f *fixture) waitDeemed(t *testing.T, within time.Duration) {
	t.Helper()
	db := f.in.open(t)
	defer db.Close()
	deadline := time.Now().Add(within)
	for {
		left := f.pendingOverdue(t, db)
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d overdue cases still not deemed approved after %s: is the deadline sweep running in `onestop serve`?", left, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ---- the load: JSON API clients that remember what was acknowledged -------

// ack is one acknowledged action: the server answered 2xx with the case
// as it stood after the action.
type ack struct {
	No      string
	Version int
	State   string
	Action  string
}

// caseView is the part of the API's case JSON the load reads.
type caseView struct {
	No       string `json:"no"`
	Version  int    `json:"version"`
	State    string `json:"state"`
	StepRole string `json:"step_role"`
}

// load drives cases through their lifecycle over the JSON API, as window
// terminals would, against whichever servers bases returns.
type load struct {
	f     *fixture
	bases []string
	hc    *http.Client

	mu       sync.Mutex
	acks     []ack
	status   map[int]int
	bad      []string     // 5xx and unexpected answers, for the failure message
	inflight atomic.Int64 // requests sent and not yet answered
	writes   atomic.Int64 // of which POSTs: actions that may be committing
	netErrs  atomic.Int64 // requests whose answer never came
}

func newLoad(f *fixture, bases ...string) *load {
	return &load{f: f, bases: bases, status: map[int]int{},
		hc: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}}
}

// call sends one API request. A transport error (the server died, or is
// restarting) returns err; any answer returns its status and body.
func (l *load) call(ctx context.Context, base, method, path, who string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+l.f.tokens[who])
	l.inflight.Add(1)
	defer l.inflight.Add(-1)
	if method == http.MethodPost {
		l.writes.Add(1)
		defer l.writes.Add(-1)
	}
	res, err := l.hc.Do(req)
	if err != nil {
		l.netErrs.Add(1)
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		// The server died while answering: not an acknowledgement.
		l.netErrs.Add(1)
		return 0, nil, err
	}
	l.mu.Lock()
	l.status[res.StatusCode]++
	if res.StatusCode >= 500 {
		l.bad = append(l.bad, fmt.Sprintf("%s %s → %d %s", method, path, res.StatusCode, b))
	}
	l.mu.Unlock()
	return res.StatusCode, b, nil
}

func (l *load) record(a ack) {
	l.mu.Lock()
	l.acks = append(l.acks, a)
	l.mu.Unlock()
}

// acked is how many actions have been acknowledged so far.
func (l *load) acked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acks)
}

func (l *load) unexpected(format string, args ...any) {
	l.mu.Lock()
	if len(l.bad) < 50 {
		l.bad = append(l.bad, fmt.Sprintf(format, args...))
	}
	l.mu.Unlock()
}

// next is the action that moves a case on, and who takes it.
func next(c caseView) (action, who string, body map[string]any) {
	body = map[string]any{"version": c.Version}
	switch {
	case c.State == cases.Received:
		return cases.ActAccept, "clerk", body
	case c.State == cases.InProgress && c.StepRole == "reviewer":
		body["opinion"] = "材料齐全，符合条件。"
		return cases.ActForward, "reviewer", body
	case c.State == cases.InProgress && c.StepRole == "approver":
		body["opinion"] = "同意"
		return cases.ActApprove, "approver", body
	case c.State == cases.Approved:
		return cases.ActComplete, "clerk", body
	case c.State == cases.Completed:
		body["delivery"] = "window"
		return cases.ActDeliver, "clerk", body
	}
	return "", "", nil
}

// worker runs cases from submission to delivery until ctx ends. Whenever
// an answer is lost (the server was killed mid-request) it asks the
// server where the case stands rather than guessing: the action may or may
// not have committed, and either is correct as long as it was not
// acknowledged.
func (l *load) worker(ctx context.Context, id int) {
	rng := rand.New(rand.NewPCG(uint64(id), uint64(time.Now().UnixNano())))
	pick := func() string { return l.bases[rng.IntN(len(l.bases))] }
	var cur *caseView
	backoff := func() {
		select {
		case <-ctx.Done():
		case <-time.After(time.Duration(20+rng.IntN(30)) * time.Millisecond):
		}
	}
	for ctx.Err() == nil {
		if cur == nil {
			st, b, err := l.call(ctx, pick(), http.MethodPost, "/api/v1/cases", "clerk",
				map[string]any{"item_code": loadItem, "applicant_id": l.f.applicant, "materials": []map[string]any{{"seq": 1, "paper": true}}})
			if err != nil {
				backoff()
				continue
			}
			if st != http.StatusCreated {
				l.unexpected("submit → %d %s", st, b)
				backoff()
				continue
			}
			var c caseView
			if err := json.Unmarshal(b, &c); err != nil || c.No == "" {
				l.unexpected("submit answer %s: %v", b, err)
				continue
			}
			l.record(ack{No: c.No, Version: c.Version, State: c.State, Action: cases.ActSubmit})
			cur = &c
			continue
		}
		action, who, body := next(*cur)
		if action == "" {
			cur = nil
			continue
		}
		st, b, err := l.call(ctx, pick(), http.MethodPost, "/api/v1/cases/"+cur.No+"/actions/"+action, who, body)
		switch {
		case err != nil:
			backoff()
			cur = l.refresh(ctx, pick, cur)
		case st == http.StatusOK:
			var c caseView
			if err := json.Unmarshal(b, &c); err != nil || c.Version == 0 {
				l.unexpected("%s answer %s: %v", action, b, err)
				cur = l.refresh(ctx, pick, cur)
				continue
			}
			l.record(ack{No: c.No, Version: c.Version, State: c.State, Action: action})
			cur = &c
		case st == http.StatusConflict:
			// Another writer (the other server, or an action whose answer
			// was lost) was first: look again.
			cur = l.refresh(ctx, pick, cur)
		default:
			l.unexpected("%s %s → %d %s", action, cur.No, st, b)
			backoff()
			cur = l.refresh(ctx, pick, cur)
		}
	}
}

// refresh reads the case again, retrying while no server answers.
func (l *load) refresh(ctx context.Context, pick func() string, c *caseView) *caseView {
	for ctx.Err() == nil {
		st, b, err := l.call(ctx, pick(), http.MethodGet, "/api/v1/cases/"+c.No, "clerk", nil)
		if err == nil && st == http.StatusOK {
			var v caseView
			if json.Unmarshal(b, &v) == nil && v.No != "" {
				return &v
			}
		}
		if err == nil && st != http.StatusOK {
			l.unexpected("GET case %s → %d %s", c.No, st, b)
		}
		time.Sleep(25 * time.Millisecond)
	}
	return c
}

// start runs n workers until the returned stop function is called.
func (l *load) start(n int) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.worker(ctx, i)
		}()
	}
	return func() {
		cancel()
		wg.Wait()
	}
}

// ---- the checks ---------------------------------------------------------------

// checkRecord checks the database after the servers are gone:
//   - every acknowledged action is there: the event at the acknowledged
//     version is that action, and a case whose last acknowledged version is
//     its current one is in the acknowledged state;
//   - no case is half-changed: its version is its number of events and its
//     last hash is its last event's hash;
//   - every chain verifies;
//   - every overdue case was deemed approved exactly once (one event, one
//     supervision flag), and nothing else was.
func checkRecord(t *testing.T, f *fixture, acks []ack) {
	t.Helper()
	ctx := context.Background()
	db := f.in.open(t)
	defer db.Close()

	type row struct {
		version, events int
		state, hash     string
		lastEventHash   string
	}
	rows, err := db.R.QueryContext(ctx, `SELECT c.no, c.version, c.state, c.last_hash,
		(SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id),
		COALESCE((SELECT e.hash FROM case_events e WHERE e.case_id = c.id AND e.seq = c.version), '')
		FROM cases c`)
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]row{}
	for rows.Next() {
		var no string
		var r row
		if err := rows.Scan(&no, &r.version, &r.state, &r.hash, &r.events, &r.lastEventHash); err != nil {
			t.Fatal(err)
		}
		all[no] = r
	}
	rows.Close()
	half := 0
	for no, r := range all {
		if r.version != r.events || r.hash != r.lastEventHash {
			if half++; half <= 5 {
				t.Errorf("case %s is half-changed: version %d, %d events, last_hash matches last event: %v", no, r.version, r.events, r.hash == r.lastEventHash)
			}
		}
	}

	events := map[string]map[int]string{} // case → seq → action
	erows, err := db.R.QueryContext(ctx, `SELECT c.no, e.seq, e.action FROM case_events e JOIN cases c ON c.id = e.case_id`)
	if err != nil {
		t.Fatal(err)
	}
	for erows.Next() {
		var no, action string
		var seq int
		if err := erows.Scan(&no, &seq, &action); err != nil {
			t.Fatal(err)
		}
		if events[no] == nil {
			events[no] = map[int]string{}
		}
		events[no][seq] = action
	}
	erows.Close()
	lost := 0
	lastAck := map[string]ack{}
	for _, a := range acks {
		if got := events[a.No][a.Version]; got != a.Action {
			if lost++; lost <= 5 {
				t.Errorf("acknowledged %s of case %s (version %d) is not in the record (found %q)", a.Action, a.No, a.Version, got)
			}
		}
		if a.Version > lastAck[a.No].Version {
			lastAck[a.No] = a
		}
	}
	for no, a := range lastAck {
		if r := all[no]; r.version == a.Version && r.state != a.State {
			t.Errorf("case %s: acknowledged state %s at version %d, but the record says %s", no, a.State, a.Version, r.state)
		} else if r.version < a.Version {
			t.Errorf("case %s went back from acknowledged version %d to %d", no, a.Version, r.version)
		}
	}

	brk, n, err := cases.Verify(ctx, db)
	if err != nil || brk != nil {
		t.Errorf("chain verification: %v %v", brk, err)
	}

	var deemedTotal int
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_events WHERE action = 'deemed_approve'`).Scan(&deemedTotal); err != nil {
		t.Fatal(err)
	}
	for _, no := range f.overdue {
		var evs, flags int
		var state string
		if err := db.R.QueryRowContext(ctx, `SELECT c.state,
			(SELECT COUNT(*) FROM case_events e WHERE e.case_id = c.id AND e.action = 'deemed_approve'),
			(SELECT COUNT(*) FROM supervision_flags s WHERE s.case_id = c.id AND s.kind = 'deemed_approval')
			FROM cases c WHERE c.no = $1`, no).Scan(&state, &evs, &flags); err != nil {
			t.Fatalf("overdue case %s: %v", no, err)
		}
		if evs != 1 || flags != 1 || state != cases.Approved {
			t.Errorf("overdue case %s: %d deemed approvals, %d supervision flags, state %s (want exactly one each, approved)", no, evs, flags, state)
		}
	}
	if deemedTotal != len(f.overdue) {
		t.Errorf("%d deemed approvals in the record for %d overdue cases", deemedTotal, len(f.overdue))
	}
	// Supervision's running totals, kept by the witness inside each
	// transition's transaction, equal a full recount from the cases after
	// every crash: no transition counted twice, lost or half-counted.
	diffs, err := tally.Check(ctx, db)
	if err != nil {
		t.Fatalf("recount totals: %v", err)
	}
	for i, d := range diffs {
		if i < 10 {
			t.Errorf("running total differs from a recount: %s", d)
		}
	}
	var received, deemedCounted int
	if err := db.R.QueryRowContext(ctx, `SELECT COALESCE(SUM(received), 0), COALESCE(SUM(deemed_approved), 0) FROM supervision_totals`).Scan(&received, &deemedCounted); err != nil {
		t.Fatal(err)
	}
	if received != len(all) || deemedCounted != deemedTotal {
		t.Errorf("totals count %d received and %d deemed approvals for %d cases and %d deemed approvals", received, deemedCounted, len(all), deemedTotal)
	}
	t.Logf("record: %d cases, %d events verify; %d acknowledged actions all present; %d overdue cases each deemed approved once",
		len(all), n, len(acks), len(f.overdue))
}

// restoreTarget is a place to restore a backup into: an empty directory
// and, on PostgreSQL, a new database on the same server (the backup's
// schema name is taken in the source database, and pg_restore cannot
// rename a schema).
func restoreTarget(t *testing.T) (dir, url string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "restored")
	base := testutil.PostgresURL()
	if base == "" {
		return dir, ""
	}
	db, err := store.Open(context.Background(), "", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := fmt.Sprintf("onestop_restore_%d_%d", os.Getpid(), rand.IntN(1_000_000))
	if _, err := db.W.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		if db, err := store.Open(context.Background(), "", base); err == nil {
			_, _ = db.W.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			db.Close()
		}
	})
	i := strings.LastIndex(base, "/")
	q := ""
	if j := strings.Index(base[i:], "?"); j >= 0 {
		q = base[i+j:]
	}
	return dir, base[:i+1] + name + q
}

// stopwatch logs how long each phase took, so a slow CI run says where.
func stopwatch(t *testing.T) func(phase string) {
	last := time.Now()
	return func(phase string) {
		t.Logf("%-18s %s", phase, time.Since(last).Round(time.Millisecond))
		last = time.Now()
	}
}

// envBool reads a switch such as ONESTOP_FULL_CRASH=1.
func envBool(name string) bool {
	v := os.Getenv(name)
	return v == "1" || strings.EqualFold(v, "true")
}
