// Package e2e holds the browser journeys: a real headless Chromium drives the
// real server (over loopback HTTP) on a real database holding the demo
// county, and the tests assert what a person would see.
//
// Run them with
//
//	go test ./e2e/ -v -count=1
//
// Chromium is /usr/bin/chromium, or the path in $CHROMIUM. Without it the
// journeys skip, except when CI=true, where they fail: CI must run them.
// Install it with
//
//	apt-get install -y --no-install-recommends chromium fonts-noto-cjk
//
// (without the CJK font, screenshots show boxes instead of Chinese).
//
// When a journey fails, a full-page screenshot and the page's HTML are saved
// to e2e/artifacts/<TestName>-<n>.png and .html, and the paths are logged.
package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/internal/demo"
	"onestop/internal/store"
	"onestop/internal/testutil"
	"onestop/internal/web"
)

const (
	// testTimeout bounds one journey, browser start included.
	testTimeout = 90 * time.Second
	// stepTimeout bounds one step (a navigation, a wait, a click), so a
	// missing element fails in seconds and not at the end of the budget.
	stepTimeout = 15 * time.Second
	// demoSeed is the seed of the demo county the journeys run on.
	demoSeed = 431022
	// artifactsDir is where failure screenshots go, relative to this package.
	artifactsDir = "artifacts"
)

// App is the server under test: the real handler on a loopback port over a
// fresh database holding the demo county.
type App struct {
	URL    string // base URL, such as http://127.0.0.1:41234
	DB     *store.DB
	Server *web.Server
}

// NewApp starts the app for one test and stops it when the test ends.
func NewApp(t *testing.T) *App {
	t.Helper()
	db := testutil.NewTestDB(t)
	if _, err := demo.Ensure(context.Background(), db, demoSeed); err != nil {
		t.Fatalf("load the demo county: %v", err)
	}
	cfg := web.Config{Version: "e2e"}
	svc, err := web.NewServices(db, slog.New(slog.NewTextHandler(io.Discard, nil)), cfg)
	if err != nil {
		t.Fatalf("build the services: %v", err)
	}
	srv, err := web.New(svc, cfg)
	if err != nil {
		t.Fatalf("build the server: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &App{URL: ts.URL, DB: db, Server: srv}
}

// Start is how a journey begins: it checks for Chromium first (so a skip
// costs nothing), then starts the app and one browser pointed at it. A
// journey with two people at once (a citizen and a clerk) calls NewBrowser
// again with app.URL for the second one.
func Start(t *testing.T) (*App, *Browser) {
	t.Helper()
	chromiumPath(t)
	app := NewApp(t)
	return app, NewBrowser(t, app.URL)
}

// chromiumPath finds the browser, or skips the test (fails it under CI).
func chromiumPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if p, err := exec.LookPath(path); err == nil {
		return p
	}
	msg := fmt.Sprintf("no Chromium at %s (set $CHROMIUM, or install it: apt-get install -y --no-install-recommends chromium fonts-noto-cjk)", path)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI must run the browser journeys")
	}
	t.Skip(msg)
	return ""
}

// Browser is one headless Chromium for one test, with one tab, pointed at
// one app. Every helper fails the test (after saving a screenshot) when the
// step does not succeed, so journeys read as a list of steps.
type Browser struct {
	t        *testing.T
	base     string
	ctx      context.Context // the tab; no deadline, so the browser outlives a timed-out step
	deadline time.Time       // end of the test's budget

	mu       sync.Mutex
	console  []string // what the page wrote to its console, for failure reports
	shots    int
	savedBad bool // a screenshot was saved for the failure already
}

// NewBrowser starts a fresh headless Chromium (own profile directory) for
// the test against the app at baseURL. It is closed when the test ends.
func NewBrowser(t *testing.T, baseURL string) *Browser {
	t.Helper()
	exe := chromiumPath(t)
	deadline := time.Now().Add(testTimeout)
	if d, ok := t.Deadline(); ok && d.Add(-5*time.Second).Before(deadline) {
		deadline = d.Add(-5 * time.Second)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	// Cleanups run last-in first-out: the browser closes after the failure
	// screenshot below.
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancelTab)
	b := &Browser{t: t, base: strings.TrimRight(baseURL, "/"), ctx: ctx, deadline: deadline}

	// Start the browser with a bounded wait but without binding its life to
	// that deadline (see chromedp.Run).
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start Chromium %s: %v", exe, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("start Chromium %s: no answer in 30 s", exe)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleDebug || m.Type == "verbose" {
				continue // Chromium's own hints, such as missing autocomplete attributes
			}
			b.mu.Lock()
			b.console = append(b.console, fmt.Sprintf("%s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1))
			b.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if t.Failed() && !b.savedBad {
			b.saveArtifacts()
		}
	})
	return b
}

// step gives a context for one step: stepTimeout, cut at the test's budget.
func (b *Browser) step() (context.Context, context.CancelFunc) {
	d := time.Now().Add(stepTimeout)
	if b.deadline.Before(d) {
		d = b.deadline
	}
	return context.WithDeadline(b.ctx, d)
}

// Fatalf saves a screenshot and the HTML of the page, then fails the test.
func (b *Browser) Fatalf(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if !b.savedBad {
		b.t.Logf("failing at %s", b.URL())
		b.saveArtifacts()
		b.savedBad = true
	}
	b.t.Fatal(msg)
}

// do runs steps that return nothing, failing the test with what on error.
func (b *Browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.Fatalf("%s: %v", what, err)
	}
}

// eval runs JavaScript in the page and decodes its result into T.
func eval[T any](b *Browser, what, js string) T {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.Fatalf("%s: %v", what, err)
	}
	return v
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// abs turns a path such as /login into a URL of the app.
func (b *Browser) abs(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return b.base + path
}

// Open loads path (such as "/admin/departments?q=x") and returns the HTTP
// status of the document. A 5xx fails the test: no journey expects one.
func (b *Browser) Open(path string) int {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.abs(path)))
	if err != nil {
		b.Fatalf("open %s: %v", path, err)
	}
	return b.checkStatus("open "+path, res.Status)
}

// ClickAndWait clicks the element and waits for the page it leads to (a
// form submit, a link); it returns the HTTP status of the final document
// after redirects. A 5xx fails the test.
func (b *Browser) ClickAndWait(sel string) int {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.Fatalf("click %s and wait for the next page: %v", sel, err)
	}
	if res == nil {
		return 0
	}
	return b.checkStatus("click "+sel, res.Status)
}

// Submit clicks the form's primary button (button.primary) and waits for
// the next page; it returns the HTTP status.
func (b *Browser) Submit() int {
	b.t.Helper()
	return b.ClickAndWait("main button.primary")
}

func (b *Browser) checkStatus(what string, status int64) int {
	b.t.Helper()
	if status >= 500 {
		b.Fatalf("%s: the server answered %d", what, status)
	}
	return int(status)
}

// Click clicks the element without waiting for a navigation.
func (b *Browser) Click(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// Fill empties the input and types value into it, as a person would, then
// checks the field holds it.
func (b *Browser) Fill(sel, value string) {
	b.t.Helper()
	b.WaitVisible(sel)
	// chromedp.SetValue(sel, "") cannot empty a field in v0.23 (the empty
	// argument reaches the page as undefined), so clear it here.
	clear := fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.focus(); e.value = ""; e.dispatchEvent(new Event("input", {bubbles: true})); return e.value; })()`, jsString(sel))
	if got := eval[string](b, "clear "+sel, clear); got != "" {
		b.Fatalf("clear %s: it still holds %q", sel, got)
	}
	if value != "" {
		b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), value))
	}
	if got := b.Value(sel); got != value {
		b.Fatalf("fill %s: typed %q, the field holds %q", sel, value, got)
	}
}

// Select chooses the option with the given value in a <select>.
func (b *Browser) Select(sel, value string) {
	b.t.Helper()
	b.choose(sel, "value", value)
}

// SelectText chooses the one option of a <select> whose visible text
// contains text; no match or several matches fail the test.
func (b *Browser) SelectText(sel, text string) {
	b.t.Helper()
	b.choose(sel, "text", text)
}

func (b *Browser) choose(sel, by, want string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => {
  const s = document.querySelector(%s);
  if (!s) return "no element";
  if (s.tagName !== "SELECT") return "not a select: " + s.tagName;
  const want = %s, byText = %t;
  const hits = Array.from(s.options).filter(o => byText ? o.text.includes(want) : o.value === want);
  if (hits.length !== 1) return hits.length + " matching options among: " + Array.from(s.options, o => JSON.stringify(o.text)).join(", ");
  s.value = hits[0].value;
  s.dispatchEvent(new Event("input", {bubbles: true}));
  s.dispatchEvent(new Event("change", {bubbles: true}));
  return "";
})()`, jsString(sel), jsString(want), by == "text")
	b.WaitVisible(sel)
	if msg := eval[string](b, "select in "+sel, js); msg != "" {
		b.Fatalf("select %s %q in %s: %s", by, want, sel, msg)
	}
}

// SelectedText is the visible text of the chosen option of a <select>.
func (b *Browser) SelectedText(sel string) string {
	b.t.Helper()
	b.WaitReady(sel)
	return eval[string](b, "read "+sel, fmt.Sprintf(`(() => { const s = document.querySelector(%s); return s.selectedIndex < 0 ? "" : s.options[s.selectedIndex].text; })()`, jsString(sel)))
}

// WaitVisible waits until the element is in the page and visible.
func (b *Browser) WaitVisible(sel string) {
	b.t.Helper()
	b.do("wait for "+sel+" to be visible", chromedp.WaitVisible(chromedp.CSS(sel)))
}

// WaitReady waits until the element is in the page (visible or not).
func (b *Browser) WaitReady(sel string) {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitReady(chromedp.CSS(sel)))
}

// Text is the visible text of the first matching element, trimmed; it
// waits for the element to be visible.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		b.Fatalf("read the text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// Texts are the trimmed texts of every matching element now in the page
// (none is not an error; it does not wait).
func (b *Browser) Texts(sel string) []string {
	b.t.Helper()
	return eval[[]string](b, "read "+sel, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => (e.innerText || e.textContent).trim())`, jsString(sel)))
}

// Count is how many elements match now (it does not wait).
func (b *Browser) Count(sel string) int {
	b.t.Helper()
	return eval[int](b, "count "+sel, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel)))
}

// Value is the current value of an input, select or textarea.
func (b *Browser) Value(sel string) string {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.Fatalf("read the value of %s: %v", sel, err)
	}
	return v
}

// Focused is the id of the element that has the keyboard focus ("" for
// none or an element without an id).
func (b *Browser) Focused() string {
	b.t.Helper()
	return eval[string](b, "read the focus", `(document.activeElement && document.activeElement.id) || ""`)
}

// URL is the address of the page now shown ("" if it cannot be read).
func (b *Browser) URL() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	u, _ := chromedp.Run(ctx, chromedp.Location())
	return u
}

// Path is the path of the page now shown, without the query.
func (b *Browser) Path() string {
	u, err := url.Parse(b.URL())
	if err != nil {
		return ""
	}
	return u.Path
}

// ExpectPath fails the test unless the page now shown has the path.
func (b *Browser) ExpectPath(want string) {
	b.t.Helper()
	if got := b.Path(); got != want {
		b.Fatalf("page is %s, want path %s", b.URL(), want)
	}
}

// ExpectText fails the test unless the element's visible text is want.
func (b *Browser) ExpectText(sel, want string) {
	b.t.Helper()
	if got := b.Text(sel); got != want {
		b.Fatalf("%s shows %q, want %q", sel, got, want)
	}
}

// ExpectTextContains fails the test unless the element's visible text
// contains want.
func (b *Browser) ExpectTextContains(sel, want string) {
	b.t.Helper()
	if got := b.Text(sel); !strings.Contains(got, want) {
		b.Fatalf("%s shows %q, want it to contain %q", sel, got, want)
	}
}

// ExpectValue fails the test unless the field holds want.
func (b *Browser) ExpectValue(sel, want string) {
	b.t.Helper()
	if got := b.Value(sel); got != want {
		b.Fatalf("%s holds %q, want %q", sel, got, want)
	}
}

// ExpectAbsent fails the test if an element matches now.
func (b *Browser) ExpectAbsent(sel string) {
	b.t.Helper()
	if n := b.Count(sel); n != 0 {
		b.Fatalf("%s: %d in the page, want none: %q", sel, n, b.Texts(sel))
	}
}

// Login signs in through the login form. It does not check where it lands
// (a first login goes to the change-password page); it fails the test if
// the login form comes back, with the error shown there.
func (b *Browser) Login(username, password string) {
	b.t.Helper()
	b.Open("/login")
	b.Fill("#f-username", username)
	b.Fill("#f-password", password)
	b.Submit()
	if b.Path() == "/login" {
		problem := b.Texts(".problem, p.err")
		b.Fatalf("login as %s failed: %q", username, problem)
	}
}

// Logout presses the logout button in the header.
func (b *Browser) Logout() {
	b.t.Helper()
	b.ClickAndWait(`form[action="/logout"] button`)
	if n := b.Count(`form[action="/logout"]`); n != 0 {
		b.Fatalf("still signed in after logout (at %s)", b.URL())
	}
}

// HTML is the document's markup now.
func (b *Browser) HTML() string {
	b.t.Helper()
	return eval[string](b, "read the page", `document.documentElement.outerHTML`)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// Screenshot saves a full-page PNG and the page's HTML to
// e2e/artifacts/<TestName>-<n>.png and .html, logs and returns the PNG path.
// Journeys call it on purpose only while debugging.
func (b *Browser) Screenshot() string {
	b.t.Helper()
	p, err := b.snapshot()
	if err != nil {
		b.t.Errorf("screenshot: %v", err)
	}
	return p
}

func (b *Browser) saveArtifacts() {
	b.t.Helper()
	if _, err := b.snapshot(); err != nil {
		b.t.Logf("could not save the failure screenshot: %v", err)
	}
	b.mu.Lock()
	console := append([]string(nil), b.console...)
	b.mu.Unlock()
	if len(console) > 0 {
		b.t.Logf("browser console:\n  %s", strings.Join(console, "\n  "))
	}
}

func (b *Browser) snapshot() (string, error) {
	b.t.Helper()
	if err := os.MkdirAll(artifactsDir, 0o755); err != nil {
		return "", err
	}
	b.mu.Lock()
	b.shots++
	n := b.shots
	b.mu.Unlock()
	name := filepath.Join(artifactsDir, fmt.Sprintf("%s-%d", unsafeName.ReplaceAllString(b.t.Name(), "_"), n))
	if abs, err := filepath.Abs(name); err == nil {
		name = abs
	}
	// A fresh timeout: the step that failed may have used up its own.
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	var errs []error
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); err != nil {
		errs = append(errs, fmt.Errorf("read the HTML: %w", err))
	} else if err := os.WriteFile(name+".html", []byte(html), 0o644); err != nil {
		errs = append(errs, err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		errs = append(errs, fmt.Errorf("capture: %w", err))
	} else if err := os.WriteFile(name+".png", png, 0o644); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		b.t.Logf("saved %s.png and %s.html", name, name)
	}
	return name + ".png", errors.Join(errs...)
}
