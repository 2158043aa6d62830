package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// scrape reads /metrics as Prometheus would.
func scrape(t *testing.T, f *fixture) string {
	t.Helper()
	res, err := http.Get(f.ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	return string(b)
}

// sample is the value of one series in a scrape, "" when absent.
func sample(text, series string) string {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return m[1]
}

// The operator's scrape: every family the operations guide names, case
// transitions counted by action as they commit, requests by route pattern
// (never by raw path, which would make a series per case number).
func TestMetricsScrape(t *testing.T) {
	cf := newCaseFixture(t)
	before := scrape(t, cf.fixture)
	again := scrape(t, cf.fixture) // the first scrape is counted now
	for _, family := range []string{"onestop_http_requests_total", "onestop_http_request_duration_seconds",
		"onestop_sweep_runs_total", "onestop_sweep_deemed_total", "go_goroutines", "go_memstats_heap_alloc_bytes",
		"go_sql_open_connections", "process_resident_memory_bytes"} {
		if !strings.Contains(again, "# TYPE "+family+" ") {
			t.Errorf("no family %s in the scrape", family)
		}
	}
	for _, pool := range []string{"reader", "writer"} {
		if !strings.Contains(before, `go_sql_max_open_connections{db_name="onestop",pool="`+pool+`"}`) {
			t.Errorf("no pool statistics of the %s", pool)
		}
	}
	if v := sample(before, `onestop_sweep_runs_total{result="ok"}`); v != "0" {
		t.Errorf("sweep runs before any sweep: %q", v)
	}
	submitted := `onestop_case_transitions_total{action="submit"}`
	if v := sample(before, submitted); v != "" {
		t.Fatalf("a submission counted before any: %s", v)
	}

	no := cf.intake(cf.login("clerk"), "T-001", 0, 1)
	after := scrape(t, cf.fixture)
	if v := sample(after, submitted); v != "1" {
		t.Errorf("after one intake, %s = %q\n%s", submitted, v, grepLines(after, "onestop_case_transitions_total"))
	}
	if v := sample(after, `onestop_http_requests_total{code="303",route="POST /workbench/intake"}`); v != "1" {
		t.Errorf("the intake's request by route: %q\n%s", v, grepLines(after, "onestop_http_requests_total"))
	}
	if strings.Contains(after, no) {
		t.Errorf("a case number %s appears in the metrics: raw paths as labels", no)
	}
}

// Only the addresses allowed may read the metrics; anyone else sees what
// an unknown path shows.
func TestMetricsRefusedFromElsewhere(t *testing.T) {
	f := newFixture(t)
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = "203.0.113.9:40000"
	w := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "onestop_") {
		t.Fatalf("/metrics from a public address: %d %.200s", w.Code, w.Body.String())
	}
	req = httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = "127.0.0.1:40000"
	w = httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "onestop_http_requests_total") {
		t.Fatalf("/metrics from loopback: %d", w.Code)
	}
}

func grepLines(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
