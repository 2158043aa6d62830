package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"onestop/internal/demo"
	"onestop/internal/web"
)

// loopback is the application served on 127.0.0.1 by a real http.Server,
// and the load generator's client: keep-alive connections, one pool sized
// for the number of concurrent clients, redirects not followed (a redirect
// to /login is a failure to be seen, not a page to be timed).
type loopback struct {
	srv    *web.Server
	hs     *http.Server
	proc   *exec.Cmd     // the server process, when it runs as one
	exited chan struct{} // closed when proc has ended
	base   string
	client *http.Client
	jar    http.CookieJar
	csrf   string
}

// startServer serves srv on a loopback port inside this process, or, with
// a command (onestop serve …), starts that as a process of its own on the
// same database, so the server's memory can be told from the load
// clients'. srv is then only asked which routes exist.
func startServer(ctx context.Context, srv *web.Server, command []string, clients int, timeout time.Duration) (*loopback, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{MaxIdleConns: clients * 2, MaxIdleConnsPerHost: clients * 2, IdleConnTimeout: time.Minute, DisableCompression: true}
	c := &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	l := &loopback{srv: srv, base: "http://" + ln.Addr().String(), client: c, jar: jar}
	if len(command) == 0 {
		l.hs = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
		go l.hs.Serve(ln) //nolint:errcheck // ends with Shutdown
		return l, nil
	}
	addr := ln.Addr().String()
	ln.Close()
	var stderr bytes.Buffer
	l.proc = exec.Command(command[0], append(command[1:], "--addr", addr, "--secure-cookies", "false")...)
	l.proc.Stdout, l.proc.Stderr = io.Discard, &stderr
	if err := l.proc.Start(); err != nil {
		return nil, fmt.Errorf("server process: %w", err)
	}
	l.exited = make(chan struct{})
	go func() { _ = l.proc.Wait(); close(l.exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := c.Get(l.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return l, nil
			}
		}
		exited := false
		select {
		case <-l.exited:
			exited = true // a bad flag or database: say so now, not after a minute
		default:
		}
		if exited || time.Now().After(deadline) || ctx.Err() != nil {
			l.close()
			return nil, fmt.Errorf("server process %v did not answer /healthz: %v %s", command, err, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (l *loopback) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if l.hs != nil {
		_ = l.hs.Shutdown(ctx)
	}
	if l.proc != nil {
		_ = l.proc.Process.Signal(syscall.SIGTERM)
		select {
		case <-l.exited:
		case <-ctx.Done():
			_ = l.proc.Process.Kill()
			<-l.exited
		}
	}
	l.client.CloseIdleConnections()
}

// hasRoute reports whether the server registers a pattern, so rows for
// routes another issue has not added yet are skipped with a note.
func (l *loopback) hasRoute(pattern string) bool {
	for _, r := range l.srv.Routes() {
		if r.Pattern == pattern {
			return true
		}
	}
	return false
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// do sends one request with the signed-in session's cookie when signed.
func (l *loopback) do(req *http.Request, signed bool) (*http.Response, []byte, error) {
	if signed {
		for _, c := range l.jar.Cookies(req.URL) {
			req.AddCookie(c)
		}
	}
	res, err := l.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if signed {
		l.jar.SetCookies(req.URL, res.Cookies())
	}
	return res, b, err
}

// login signs a staff member in through the login form, as the web tests
// do, and keeps the session's CSRF token for the JSON actions. All load
// clients share this one session (64 logins would cost 64 argon2id
// hashes; the session row is read and rewritten per request either way).
func (l *loopback) login(username string) error {
	get := func(path string) ([]byte, error) {
		req, _ := http.NewRequest(http.MethodGet, l.base+path, nil)
		res, b, err := l.do(req, true)
		if err != nil {
			return nil, err
		}
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: status %d", path, res.StatusCode)
		}
		if m := csrfRE.FindSubmatch(b); m != nil {
			l.csrf = string(m[1])
		}
		return b, nil
	}
	if _, err := get("/login"); err != nil {
		return err
	}
	form := url.Values{"username": {username}, "password": {demo.Password}, "csrf_token": {l.csrf}}
	req, _ := http.NewRequest(http.MethodPost, l.base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, b, err := l.do(req, true)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("login %s: status %d: %.200s", username, res.StatusCode, b)
	}
	l.csrf = ""
	// A page with a form gives the new session's CSRF token.
	if _, err := get("/account/tokens"); err != nil {
		return err
	}
	if l.csrf == "" {
		return errors.New("login: no CSRF token on /account/tokens")
	}
	return nil
}

// loadResult is one endpoint under load.
type loadResult struct {
	lat      []time.Duration
	elapsed  time.Duration
	failures int
	statuses map[int]int
	firstErr string
}

// load runs `clients` goroutines that send requests made by mk (nil ends
// that client: out of prepared cases) until d has passed, and records each
// latency. A response other than 2xx counts as a failure.
func (l *loopback) load(ctx context.Context, clients int, d time.Duration, signed bool, mk func(i int64) *http.Request) loadResult {
	var seq atomic.Int64
	var mu sync.Mutex
	res := loadResult{statuses: map[int]int{}}
	start := time.Now()
	end := start.Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			fails := 0
			statuses := map[int]int{}
			first := ""
			for time.Now().Before(end) && ctx.Err() == nil {
				req := mk(seq.Add(1) - 1)
				if req == nil {
					break
				}
				t := time.Now()
				r, body, err := l.do(req, signed)
				took := time.Since(t)
				switch {
				case err != nil:
					fails++
					if first == "" {
						first = err.Error()
					}
				case r.StatusCode/100 != 2:
					fails++
					statuses[r.StatusCode]++
					if first == "" {
						first = fmt.Sprintf("%s %s: status %d: %.200s", req.Method, req.URL.Path, r.StatusCode, body)
					}
				default:
					lat = append(lat, took)
				}
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.failures += fails
			for k, v := range statuses {
				res.statuses[k] += v
			}
			if res.firstErr == "" {
				res.firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// procStatus reads a field of /proc/<pid>/status in MB (Linux only).
func procStatus(pid, field string) (float64, bool) { return procField(pid, "status", field) }

// procField reads a "Field: N kB" line of /proc/<pid>/<file> in MB.
func procField(pid, file, field string) (float64, bool) {
	f, err := os.Open("/proc/" + pid + "/" + file)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, field+":") {
			continue
		}
		fs := strings.Fields(strings.TrimPrefix(line, field+":"))
		if len(fs) == 0 {
			return 0, false
		}
		kb, err := strconv.ParseFloat(fs[0], 64)
		if err != nil {
			return 0, false
		}
		return kb / 1024, true
	}
	return 0, false
}

// rssWatch measures the peak resident memory over the HTTP load: the
// high-water mark is reset first (writing 5 to clear_refs, Linux ≥ 4.0),
// after a GC returns what data generation left behind, and VmRSS is also
// sampled in case the reset is not allowed.
type rssWatch struct {
	pid    string // "self" or the server process's
	stop   chan struct{}
	done   chan struct{}
	reset  bool
	sample float64
}

func watchRSS(pid string) *rssWatch {
	if pid == "self" {
		runtime.GC()
		debug.FreeOSMemory()
	}
	w := &rssWatch{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	w.reset = os.WriteFile("/proc/"+pid+"/clear_refs", []byte("5"), 0) == nil
	go func() {
		defer close(w.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if v, ok := procStatus(pid, "VmRSS"); ok && v > w.sample {
				w.sample = v
			}
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// end returns the peak RSS in MB and how it was obtained.
func (w *rssWatch) end() (float64, string) {
	close(w.stop)
	<-w.done
	how := "sampled VmRSS every 50 ms"
	peak := w.sample
	if w.reset {
		if hwm, ok := procStatus(w.pid, "VmHWM"); ok && hwm > peak {
			peak = hwm
		}
		how = "VmHWM after resetting it before the load"
	}
	// What the resident set is made of at the end: anonymous memory (Go
	// heap, stacks, SQLite's caches) and file pages (the binary's code
	// and data as it is paged in).
	if anon, ok := procField(w.pid, "smaps_rollup", "Anonymous"); ok {
		if rss, ok := procField(w.pid, "smaps_rollup", "Rss"); ok {
			how += fmt.Sprintf("; at the end RSS %.0f MB: anonymous %.0f MB, file-backed %.0f MB", rss, anon, rss-anon)
		}
	}
	return peak, how
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
