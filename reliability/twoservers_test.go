package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/internal/cases"
	"onestop/internal/demo"
	"onestop/internal/testutil"
)

// TestTwoServersOnePostgres runs two `onestop serve` processes on one
// PostgreSQL schema, as behind a load balancer: the deemed-approval timers
// of both fire on the same cases and each case is approved exactly once; a
// session made on one server works on the other; two conflicting actions
// on one case sent to both at once give one success and one 409, never a
// 500.
func TestTwoServersOnePostgres(t *testing.T) {
	if testutil.PostgresURL() == "" {
		t.Skip("two servers share one database only on PostgreSQL: set ONESTOP_TEST_POSTGRES=postgres://… to run this test (scripts/test does)")
	}
	full := envBool("ONESTOP_FULL_CRASH")
	lap := stopwatch(t)
	in := newInstall(t)
	in.seed(t)
	f := prepare(t, in)
	f.addOverdue(t, 25)
	lap("seed and fixture")

	a, b := newServer(t, "a", in), newServer(t, "b", in)
	startBoth(t, a, b) // both start-up sweeps race for the same 25 cases
	lap("start both")

	sessionAcross(t, f, a, b)

	l := newLoad(f, a.base(), b.base())
	workers, pairs, soak := 6, 24, time.Second
	if full {
		workers, pairs, soak = 12, 120, 10*time.Second
	}
	stopLoad := l.start(workers)
	defer stopLoad()
	conflicting(t, l, a, b, pairs)
	lap("conflicting pairs")
	time.Sleep(soak)

	// A second wave of overdue cases, then both servers restart at the same
	// moment, so their start-up sweeps race again — under load.
	f.addOverdue(t, 25)
	lap("second wave")
	stopBoth(t, a, b)
	startBoth(t, a, b)
	lap("restart both")
	time.Sleep(soak / 2)
	stopLoad()
	f.waitDeemed(t, 60*time.Second)
	stopBoth(t, a, b)
	lap("wind down")

	l.mu.Lock()
	acks := slices.Clone(l.acks)
	bad := slices.Clone(l.bad)
	status := l.status
	l.mu.Unlock()
	for _, msg := range bad {
		t.Errorf("unexpected answer: %s", msg)
	}
	if status[http.StatusInternalServerError] > 0 {
		t.Errorf("%d answers were 500", status[http.StatusInternalServerError])
	}
	t.Logf("two servers: %d acknowledged actions, answers by status %v", len(acks), status)
	checkRecord(t, f, acks)
	lap("check")
}

func startBoth(t *testing.T, servers ...*server) {
	t.Helper()
	errs := make([]error, len(servers))
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.start()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func stopBoth(t *testing.T, servers ...*server) {
	t.Helper()
	codes := make([]int, len(servers))
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = s.stop()
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != 0 {
			t.Errorf("server %s exited %d after SIGTERM (want 0)", servers[i].name, c)
		}
	}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// sessionAcross signs in through the form on a and uses the session — and
// its CSRF token — on b; signing out on b ends it on a. Sessions live in
// the database, so any server may answer any request.
func sessionAcross(t *testing.T, f *fixture, a, b *server) {
	t.Helper()
	jar, _ := cookiejar.New(nil) // cookies ignore ports: one jar for both
	hc := &http.Client{Jar: jar, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var csrf string
	do := func(req *http.Request) (int, []byte) {
		t.Helper()
		res, err := hc.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if m := csrfRE.FindSubmatch(body); m != nil {
			csrf = string(m[1])
		}
		return res.StatusCode, body
	}
	get := func(base, path string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		return do(req)
	}
	form := func(base, path string, v url.Values) (int, []byte) {
		v.Set("csrf_token", csrf)
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return do(req)
	}
	get(a.base(), "/login")
	if st, body := form(a.base(), "/login", url.Values{"username": {"clerk"}, "password": {demo.Password}}); st != http.StatusSeeOther {
		t.Fatalf("login on %s: %d %s", a.name, st, body)
	}
	get(a.base(), "/account/tokens") // the new session's CSRF token, from server a
	st, body := get(b.base(), "/api/v1/me")
	var me struct {
		Username string `json:"username"`
	}
	if st != http.StatusOK || json.Unmarshal(body, &me) != nil || me.Username != "clerk" {
		t.Fatalf("session from %s on %s: %d %s", a.name, b.name, st, body)
	}
	// An unsafe request on b with the CSRF token a's page gave: the token
	// lives in the session, in the database, too.
	req, _ := http.NewRequest(http.MethodPost, b.base()+"/api/v1/cases", strings.NewReader(
		fmt.Sprintf(`{"item_code":%q,"applicant_id":%d,"materials":[{"seq":1,"paper":true}]}`, loadItem, f.applicant)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	if st, body := do(req); st != http.StatusCreated {
		t.Fatalf("submit on %s with the session and CSRF token from %s: %d %s", b.name, a.name, st, body)
	}
	if st, body := form(b.base(), "/logout", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("logout on %s: %d %s", b.name, st, body)
	}
	if st, body := get(a.base(), "/api/v1/me"); st != http.StatusUnauthorized {
		t.Fatalf("after logout on %s, %s still knows the session: %d %s", b.name, a.name, st, body)
	}
}

// conflicting sends pairs of conflicting actions on the same new case to
// both servers at the same instant: exactly one may succeed, the other
// must be a 409 ECONFLICT (never a 500, never both).
func conflicting(t *testing.T, l *load, a, b *server, pairs int) {
	t.Helper()
	ctx := context.Background()
	type outcome struct {
		st   int
		body []byte
	}
	var failures []string
	for i := range pairs {
		st, body, err := l.call(ctx, a.base(), http.MethodPost, "/api/v1/cases", "clerk",
			map[string]any{"item_code": loadItem, "applicant_id": l.f.applicant, "materials": []map[string]any{{"seq": 1, "paper": true}}})
		if err != nil || st != http.StatusCreated {
			t.Fatalf("submit for a conflict: %d %s %v", st, body, err)
		}
		var c caseView
		if err := json.Unmarshal(body, &c); err != nil {
			t.Fatal(err)
		}
		l.record(ack{No: c.No, Version: c.Version, State: c.State, Action: cases.ActSubmit})
		// Three kinds of race: the same action with the version seen, a
		// different action with the version seen, and the same action with
		// no version (the loser then finds the state moved on).
		first, second := map[string]any{"version": c.Version}, map[string]any{"version": c.Version}
		actions := [2]string{cases.ActAccept, cases.ActAccept}
		switch i % 3 {
		case 1:
			actions[1] = cases.ActDecline
			second["reason"], second["right_organ"] = "不属于本机关职权范围", "郴州市市场监督管理局"
		case 2:
			first, second = map[string]any{}, map[string]any{}
		}
		bodies := [2]map[string]any{first, second}
		bases := [2]string{a.base(), b.base()}
		if i%2 == 1 {
			bases[0], bases[1] = bases[1], bases[0]
		}
		var out [2]outcome
		gate := make(chan struct{})
		var wg sync.WaitGroup
		for k := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				st, body, err := l.call(ctx, bases[k], http.MethodPost, "/api/v1/cases/"+c.No+"/actions/"+actions[k], "clerk", bodies[k])
				if err != nil {
					body = []byte(err.Error())
				}
				out[k] = outcome{st, body}
			}()
		}
		close(gate)
		wg.Wait()
		ok, conflict := 0, 0
		for k, o := range out {
			switch o.st {
			case http.StatusOK:
				ok++
				var v caseView
				if json.Unmarshal(o.body, &v) == nil {
					l.record(ack{No: v.No, Version: v.Version, State: v.State, Action: actions[k]})
				}
			case http.StatusConflict:
				if !bytes.Contains(o.body, []byte(`"ECONFLICT"`)) {
					failures = append(failures, "409 without ECONFLICT: "+string(o.body))
				}
				conflict++
			}
		}
		if ok != 1 || conflict != 1 {
			failures = append(failures, fmt.Sprintf("%s: %s → %d %s | %s → %d %s", c.No, actions[0], out[0].st, out[0].body, actions[1], out[1].st, out[1].body))
		}
	}
	for _, f := range failures {
		t.Errorf("conflicting actions on two servers: %s", f)
	}
}
