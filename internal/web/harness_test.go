package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"onestop/internal/demo"
	"onestop/internal/store"
	"onestop/internal/testutil"
	"onestop/internal/web"
)

// fixture is a real server on loopback over a real database holding the
// demo county, so every role has an account.
type fixture struct {
	t   testing.TB
	db  *store.DB
	srv *web.Server
	ts  *httptest.Server
}

func newFixture(t testing.TB) *fixture { t.Helper(); return newFixtureWith(t, nil) }

// newFixtureWith is newFixture with settings changed by set (the portal's
// footer fields).
func newFixtureWith(t testing.TB, set func(*web.Config)) *fixture {
	t.Helper()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(context.Background(), db, 431022); err != nil {
		t.Fatalf("demo: %v", err)
	}
	// Prometheus may scrape from this machine, as by default in serve.
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	cfg := web.Config{Version: "test", MetricsFrom: []*net.IPNet{loopback}}
	if set != nil {
		set(&cfg)
	}
	svc, err := web.NewServices(db, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	if err != nil {
		t.Fatalf("services: %v", err)
	}
	srv, err := web.New(svc, cfg)
	if err != nil {
		t.Fatalf("server: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &fixture{t: t, db: db, srv: srv, ts: ts}
}

// client is one browser: a cookie jar and the page's CSRF token.
type client struct {
	f    *fixture
	hc   *http.Client
	csrf string
}

func (f *fixture) anon() *client {
	jar, _ := cookiejar.New(nil)
	c := &client{f: f, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	c.get("/login") // a session and its CSRF token
	return c
}

// login signs in through the login form, as a person would.
func (f *fixture) login(username string) *client {
	f.t.Helper()
	c := f.anon()
	res, body := c.post("/login", url.Values{"username": {username}, "password": {demo.Password}})
	if res.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("login %s: status %d: %s", username, res.StatusCode, body)
	}
	c.get("/account/tokens") // refresh the CSRF token of the new session
	return c
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.f.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.f.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	var b []byte
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		b = firstEvent(res.Body) // a live stream never ends by itself
	} else {
		b, _ = io.ReadAll(res.Body)
	}
	if m := csrfRE.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return res, string(b)
}

// firstEvent reads a server-sent event stream up to the end of its first
// event (at most 10 s).
func firstEvent(body io.ReadCloser) []byte {
	t := time.AfterFunc(10*time.Second, func() { body.Close() })
	defer t.Stop()
	var out []byte
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	data := false
	for sc.Scan() {
		out = append(append(out, sc.Bytes()...), '\n')
		if strings.HasPrefix(sc.Text(), "data:") {
			data = true
		} else if sc.Text() == "" && data {
			break
		}
	}
	return out
}

func (c *client) get(path string) (*http.Response, string) {
	req, _ := http.NewRequest(http.MethodGet, c.f.ts.URL+path, nil)
	return c.do(req)
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok {
		form.Set("csrf_token", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.f.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// api sends JSON with the session's CSRF token in the header.
func (c *client) api(method, path, body string) (*http.Response, map[string]any) {
	c.f.t.Helper()
	req, _ := http.NewRequest(method, c.f.ts.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	res, text := c.do(req)
	var out map[string]any
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			c.f.t.Fatalf("%s %s: bad JSON %q: %v", method, path, text, err)
		}
	}
	return res, out
}

// idOf reads one id from the database.
func (f *fixture) idOf(query string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.db.R.QueryRowContext(context.Background(), query, args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	return id
}
