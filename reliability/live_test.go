package reliability

import (
	"bufio"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"onestop/internal/demo"
)

// A live monitor's event stream never ends by itself; `onestop serve`
// must still stop promptly on SIGTERM with a stream open (the hub closes
// on shutdown and the stream ends), not wait out its shutdown timeout
// and exit with an error.
func TestShutdownWithLiveStreamOpen(t *testing.T) {
	in := newInstall(t)
	in.seed(t)
	s := newServer(t, "live", in)
	if err := s.start(); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(s.base() + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfRE.FindSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on the login page")
	}
	res, err = hc.PostForm(s.base()+"/login", url.Values{"username": {"supervisor"}, "password": {demo.Password}, "csrf_token": {string(m[1])}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", res.StatusCode)
	}
	res, err = hc.Get(s.base() + "/supervision/live/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "event: board") {
	}
	ended := make(chan struct{})
	go func() {
		for sc.Scan() {
		}
		close(ended)
	}()
	start := time.Now()
	if code := s.stop(); code != 0 {
		t.Fatalf("onestop serve exited %d after SIGTERM with a stream open:\n%s", code, s.logTail())
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Fatalf("shutdown took %s with a stream open", took)
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not end with the server")
	}
}
