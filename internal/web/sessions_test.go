package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/internal/auth"
	"onestop/internal/demo"
)

// from is a browser at addr: the test server trusts the loopback proxy, so
// X-Forwarded-For decides the client address the throttle sees.
func (f *fixture) from(addr string) *client {
	_, lo, _ := net.ParseCIDR("127.0.0.0/8")
	f.srv.Config.TrustedProxies = []*net.IPNet{lo}
	jar, _ := cookiejar.New(nil)
	c := &client{f: f, hc: &http.Client{Jar: jar, Transport: forwardedFor(addr),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	c.get("/login")
	return c
}

type forwardedFor string

func (a forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", string(a))
	return http.DefaultTransport.RoundTrip(r)
}

// bearer calls the API with a token and returns the status.
func (f *fixture) bearer(tok, path string) int {
	f.t.Helper()
	req, _ := http.NewRequest("GET", f.ts.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

var tokenRE = regexp.MustCompile(`ost_[A-Za-z0-9_-]{32}`)

// newToken creates a token on the account page and returns it.
func newToken(t *testing.T, c *client, name, days string) string {
	t.Helper()
	c.get("/account/tokens")
	res, body := c.post("/account/tokens", url.Values{"name": {name}, "days": {days}})
	tok := tokenRE.FindString(body)
	if res.StatusCode != http.StatusOK || tok == "" {
		t.Fatalf("create token: %d %s", res.StatusCode, problemOf(body))
	}
	return tok
}

func sessionCookie(c *client) string {
	u, _ := url.Parse(c.f.ts.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "onestop_session" {
			return ck.Value
		}
	}
	return ""
}

func signedOut(res *http.Response) bool {
	return res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login")
}

// Changing one's password signs out the account's other browsers and ends
// its API tokens; the browser that changed it stays signed in.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	f := newFixture(t)
	mine, other := f.login("clerk"), f.login("clerk")
	tok := newToken(t, mine, "评价器", "90")
	if f.bearer(tok, "/api/v1/me") != http.StatusOK {
		t.Fatal("token does not work before the change")
	}
	mine.get("/account/password")
	before := sessionCookie(mine)
	res, body := mine.post("/account/password", url.Values{"current": {demo.Password}, "password": {"Changed2026"}, "again": {"Changed2026"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d %s", res.StatusCode, problemOf(body))
	}
	if res, _ := mine.get("/account/tokens"); res.StatusCode != http.StatusOK {
		t.Fatalf("the browser that changed the password was signed out: %d", res.StatusCode)
	}
	// ... under a new session token: one that leaked before the change is
	// worth nothing after it.
	if after := sessionCookie(mine); after == "" || after == before {
		t.Fatal("the session token did not change with the password")
	}
	if res, _ := other.get("/account/tokens"); !signedOut(res) {
		t.Fatalf("the other browser is still signed in: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if s := f.bearer(tok, "/api/v1/me"); s != http.StatusUnauthorized {
		t.Fatalf("token after the change: %d", s)
	}
	clerk := f.idOf(`SELECT id FROM staff WHERE username = 'clerk'`)
	if n := f.idOf(`SELECT COUNT(*) FROM sessions WHERE staff_id = $1 AND ended_at IS NULL`, clerk); n != 1 {
		t.Fatalf("%d sessions of the clerk, want 1", n)
	}
	// Another account is untouched.
	rev := f.login("reviewer")
	if res, _ := rev.get("/account/tokens"); res.StatusCode != http.StatusOK {
		t.Fatal("another account signed out")
	}
}

// An admin's reset (and the CLI's) ends the account's sessions and tokens.
func TestPasswordResetRevokesTokens(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	clerk, rev := f.login("clerk"), f.login("reviewer")
	clerkTok, revTok := newToken(t, clerk, "终端", "30"), newToken(t, rev, "终端", "30")
	admin, err := f.srv.Org.StaffByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	id := f.idOf(`SELECT id FROM staff WHERE username = 'clerk'`)
	if err := f.srv.Org.ResetPassword(ctx, admin.Actor("192.0.2.1"), id, "Reset20261"); err != nil {
		t.Fatal(err)
	}
	if res, _ := clerk.get("/account/tokens"); !signedOut(res) {
		t.Fatalf("the reset account's browser is still signed in: %d", res.StatusCode)
	}
	if s := f.bearer(clerkTok, "/api/v1/me"); s != http.StatusUnauthorized {
		t.Fatalf("the reset account's token: %d", s)
	}
	if res, _ := rev.get("/account/tokens"); res.StatusCode != http.StatusOK {
		t.Fatal("another account's browser was signed out")
	}
	if s := f.bearer(revTok, "/api/v1/me"); s != http.StatusOK {
		t.Fatalf("another account's token: %d", s)
	}
}

// Tokens are listed on the account page, each person sees and revokes only
// their own, and a token ends at the lifetime chosen.
func TestTokensListRevokeExpire(t *testing.T) {
	f := newFixture(t)
	// The clock starts a month back and moves to about today: scs dates a
	// session's expiry by the real clock, the store reads it by this one.
	now := time.Now().UTC().Add(-31 * 24 * time.Hour)
	clock := make(chan time.Time, 1)
	clock <- now
	f.srv.Now = func() time.Time { t := <-clock; clock <- t; return t }
	setNow := func(t time.Time) { <-clock; clock <- t }
	clerk, rev := f.login("clerk"), f.login("reviewer")
	mine := newToken(t, clerk, "三号窗口评价器", "30")
	theirs := newToken(t, rev, "审查终端", "365")
	_, page := clerk.get("/account/tokens")
	if !strings.Contains(page, "三号窗口评价器") || strings.Contains(page, "审查终端") || !strings.Contains(page, "有效") {
		t.Fatalf("the clerk's token list:\n%s", page)
	}
	if strings.Contains(page, mine) {
		t.Fatal("the list shows the secret again")
	}
	theirID := f.idOf(`SELECT t.id FROM api_tokens t JOIN staff s ON s.id = t.staff_id WHERE s.username = 'reviewer'`)
	myID := f.idOf(`SELECT t.id FROM api_tokens t JOIN staff s ON s.id = t.staff_id WHERE s.username = 'clerk'`)
	for _, id := range []string{strconv.FormatInt(theirID, 10), "abc", "0", "99999999"} {
		if res, _ := clerk.post("/account/tokens/"+id+"/revoke", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("revoking token %s that is not mine: %d", id, res.StatusCode)
		}
	}
	if s := f.bearer(theirs, "/api/v1/me"); s != http.StatusOK {
		t.Fatalf("the reviewer's token after the clerk's attempt: %d", s)
	}
	if res, _ := clerk.post("/account/tokens/"+strconv.FormatInt(myID, 10)+"/revoke", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoking my token: %d", res.StatusCode)
	}
	if s := f.bearer(mine, "/api/v1/me"); s != http.StatusUnauthorized {
		t.Fatalf("a revoked token: %d", s)
	}
	if _, page := clerk.get("/account/tokens"); !strings.Contains(page, "已撤销") {
		t.Fatal("the list does not show the token revoked")
	}
	// A lifetime beyond the choices is refused, and nothing is created.
	before := f.idOf(`SELECT COUNT(*) FROM api_tokens`)
	res, body := clerk.post("/account/tokens", url.Values{"name": {"永久"}, "days": {"3650"}})
	if res.StatusCode != http.StatusUnprocessableEntity || tokenRE.MatchString(body) || f.idOf(`SELECT COUNT(*) FROM api_tokens`) != before {
		t.Fatalf("a ten-year token: %d", res.StatusCode)
	}
	// Thirty days on, a 30-day token is refused.
	short := newToken(t, clerk, "临时", "30")
	setNow(now.Add(30*24*time.Hour - time.Minute))
	if s := f.bearer(short, "/api/v1/me"); s != http.StatusOK {
		t.Fatalf("a 30-day token on its last day: %d", s)
	}
	setNow(now.Add(30*24*time.Hour + time.Minute))
	if s := f.bearer(short, "/api/v1/me"); s != http.StatusUnauthorized {
		t.Fatalf("an expired token: %d", s)
	}
	if s := f.bearer(theirs, "/api/v1/me"); s != http.StatusOK {
		t.Fatalf("a one-year token after a month: %d", s)
	}
	if _, page := f.login("clerk").get("/account/tokens"); !strings.Contains(page, "已过期") {
		t.Fatal("the list does not show the token expired")
	}
}

var waitRE = regexp.MustCompile(`(\d+) (秒|分钟)后再试`)

// waitOf reads the wait a throttled answer names.
func waitOf(t *testing.T, body string) time.Duration {
	t.Helper()
	m := waitRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no wait in the answer: %s", problemOf(body))
	}
	n, _ := strconv.Atoi(m[1])
	if m[2] == "秒" {
		return time.Duration(n) * time.Second
	}
	return time.Duration(n) * time.Minute
}

// Someone typing wrong passwords for the clerk from one address waits 1 s,
// 2 s, 4 s … then minutes; the clerk at another address waits at most a
// short delay and then signs in, and is not refused at all from where they
// signed in before.
func TestLoginThrottlesTheGuesserNotTheOwner(t *testing.T) {
	f := newFixture(t)
	now := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)
	clock := make(chan time.Time, 1)
	clock <- now
	f.srv.Now = func() time.Time { t := <-clock; clock <- t; return t }
	advance := func(d time.Duration) { now = now.Add(d); <-clock; clock <- now }
	home := f.from("10.0.0.8")
	if res, _ := home.post("/login", url.Values{"username": {"clerk"}, "password": {demo.Password}}); res.StatusCode != http.StatusSeeOther {
		t.Fatal("the clerk's sign-in at home")
	}
	home.get("/account/tokens") // the signed-in session's CSRF token
	guesser, owner := f.from("10.0.0.66"), f.from("10.0.0.7")
	try := func(c *client, pw string) (*http.Response, string) {
		return c.post("/login", url.Values{"username": {"clerk"}, "password": {pw}})
	}
	var waits []time.Duration
	for fails := 0; fails < 14; {
		res, body := try(guesser, "guess12345")
		switch res.StatusCode {
		case http.StatusTooManyRequests:
			w := waitOf(t, body)
			waits = append(waits, w)
			advance(w)
		case http.StatusUnprocessableEntity:
			fails++
		default:
			t.Fatalf("a wrong password: %d", res.StatusCode)
		}
	}
	// Waits of a minute or more are told in whole minutes, rounded up.
	want := "[1s 2s 4s 8s 16s 32s 2m0s 3m0s 5m0s 9m0s 15m0s]"
	if got := fmt.Sprint(waits); got != want {
		t.Fatalf("the guesser waited %s, want %s", got, want)
	}
	// The hard delay holds, even for the right password from that address.
	if res, body := try(guesser, demo.Password); res.StatusCode != http.StatusTooManyRequests || waitOf(t, body) < 10*time.Minute {
		t.Fatalf("the guesser's address with the right password: %d", res.StatusCode)
	}
	// A burst from many addresses on top.
	for i := 0; i < 12; i++ {
		if res, _ := try(f.from(fmt.Sprintf("198.51.100.%d", i)), "guess12345"); res.StatusCode == http.StatusSeeOther {
			t.Fatal("a wrong password let in")
		}
	}
	// From the address the owner signed in from before: no wait at all.
	if res, body := try(home, demo.Password); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner at home: %d %s", res.StatusCode, problemOf(body))
	}
	// The owner elsewhere: a short wait at most, then in.
	res, body := try(owner, demo.Password)
	if res.StatusCode == http.StatusTooManyRequests {
		w := waitOf(t, body)
		if w > 30*time.Second {
			t.Fatalf("the owner must wait %v", w)
		}
		advance(w)
		res, body = try(owner, demo.Password)
	}
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner with the right password: %d %s", res.StatusCode, problemOf(body))
	}
}

// An unknown account takes as long to refuse as a wrong password: the
// password check runs against a dummy hash.
func TestLoginTimeSameForUnknownAccount(t *testing.T) {
	f := newFixture(t)
	f.srv.Throttle = &auth.Throttle{DB: f.db} // no delays: this test is about time
	c := f.anon()
	timed := func(user string) time.Duration {
		start := time.Now()
		res, _ := c.post("/login", url.Values{"username": {user}, "password": {"wrong12345"}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d", user, res.StatusCode)
		}
		return time.Since(start)
	}
	timed("nobody") // the dummy hash is made on first use
	unknown, known := time.Hour, time.Hour
	for i := 0; i < 5; i++ {
		unknown = min(unknown, timed("nobody"+strconv.Itoa(i)))
		known = min(known, timed("clerk"))
	}
	// A password check takes tens of milliseconds, the rest a few: without
	// the dummy check the unknown account answers several times faster.
	if unknown < known/2 {
		t.Fatalf("unknown account refused in %v, wrong password in %v", unknown, known)
	}
}
