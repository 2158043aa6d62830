package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

var (
	hugeValue  = strings.Repeat("a", 50000)
	badUTF8    = "ab\xff\xfecd"
	controlChr = "ab\x00\x01cd"
)

// filterParams are the search and filter parameters each listing reads,
// written from the handlers; every one is tried with every bad value on
// its route. Every other GET route is tried with q.
var filterParams = map[string][]string{
	"GET /guide":                    {"q", "theme", "audience", "department"},
	"GET /api/v1/items":             {"q", "theme", "audience", "department", "type", "county"},
	"GET /admin/items":              {"q", "type", "status", "department"},
	"GET /workbench":                {"item", "state", "channel", "township", "all"},
	"GET /api/v1/cases":             {"item", "state", "channel", "township", "all"},
	"GET /workbench/intake":         {"id_number", "item"},
	"GET /applicants":               {"q"},
	"GET /api/v1/applicants":        {"q"},
	"GET /progress":                 {"no", "phone"},
	"GET /api/v1/progress":          {"no", "phone"},
	"GET /admin/audit":              {"entity", "actor", "from", "to"},
	"GET /api/v1/audit":             {"entity", "actor", "from", "to"},
	"GET /calendar/deadline":        {"from", "days", "pause"},
	"GET /api/v1/calendar/deadline": {"from", "days", "pause"},
	"GET /admin/regions":            {"q", "parent"},
	"GET /api/v1/regions":           {"q", "parent"},
	"GET /admin/centres":            {"q", "kind"},
	"GET /api/v1/centres":           {"q", "kind"},
	"GET /admin/departments":        {"q", "mode", "region_code"},
	"GET /api/v1/departments":       {"q", "mode", "region_code"},
	"GET /admin/staff":              {"q", "role", "centre_id", "department_id"},
	"GET /api/v1/staff":             {"q", "role", "centre_id", "department_id"},
	"GET /login":                    {"next"},
}

// TestEveryGETRejectsBadQueryValues sends every GET route a 50,000-character
// value, invalid UTF-8 and control characters in its filters: each answers
// 422 naming the parameter, never a 500 (SQLite refuses such a LIKE
// pattern, PostgreSQL invalid UTF-8) and never a silently ignored filter.
func TestEveryGETRejectsBadQueryValues(t *testing.T) {
	f := newFixture(t)
	clients := map[string]*client{"": f.anon()}
	as := func(pattern string) *client {
		who := expected[pattern]
		u := ""
		if !slices.Contains(who, "") {
			for _, cand := range []string{"admin", "clerk", "deptadmin", "supervisor", "reviewer"} {
				if slices.Contains(who, cand) {
					u = cand
					break
				}
			}
		}
		if clients[u] == nil {
			clients[u] = f.login(u)
		}
		return clients[u]
	}
	tried := 0
	for _, r := range f.srv.Routes() {
		method, path, _ := strings.Cut(r.Pattern, " ")
		if method != http.MethodGet || len(expected[r.Pattern]) == 0 {
			continue // the applicant-only API: no user of the matrix reaches it
		}
		path = strings.TrimSuffix(path, "{$}")
		for _, w := range []string{"{key}", "{code}", "{no}", "{sha}", "{kind}", "{year}", "{action}"} {
			path = strings.ReplaceAll(path, w, "1")
		}
		params := filterParams[r.Pattern]
		if params == nil {
			params = []string{"q"}
		}
		c := as(r.Pattern)
		for _, p := range params {
			for _, v := range []string{hugeValue, badUTF8, controlChr} {
				tried++
				u := path + "?" + url.Values{p: {v}}.Encode()
				if strings.HasPrefix(path, "/api/") {
					res, out := c.api("GET", u, "")
					if res.StatusCode != http.StatusUnprocessableEntity || fieldOf(out, p) == "" {
						t.Errorf("%s ?%s=%.10q: %d %.200v, want 422 naming %s", r.Pattern, p, v, res.StatusCode, out, p)
					}
					continue
				}
				if strings.HasPrefix(path, "/open311/") {
					// Open311 answers in its specification's format: a 400
					// whose description names the parameter.
					res, body := c.get(u)
					if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "<description>"+p+": ") {
						t.Errorf("%s ?%s=%.10q: %d, want 400 naming %s: %.300s", r.Pattern, p, v, res.StatusCode, p, body)
					}
					continue
				}
				res, body := c.get(u)
				if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-`+p+`"`) {
					t.Errorf("%s ?%s=%.10q: %d, want 422 naming %s: %s", r.Pattern, p, v, res.StatusCode, p, problemOf(body))
				}
			}
		}
	}
	for p := range filterParams {
		if _, ok := expected[p]; !ok {
			t.Errorf("filterParams names %q, which is no route", p)
		}
	}
	if tried < 300 {
		t.Fatalf("only %d requests tried", tried)
	}
}

// TestBadQueryNamesAndEscapes: garbage in a parameter's name, or a broken
// %-escape, is a 422 too; a path value that is not text names no record.
func TestBadQueryNamesAndEscapes(t *testing.T) {
	f := newFixture(t)
	c := f.login("admin")
	for _, raw := range []string{"%ff=1", "q=%zz", strings.Repeat("x", 300) + "=1", "a%00b=1"} {
		res, out := c.api("GET", "/api/v1/items?"+raw, "")
		if res.StatusCode != http.StatusUnprocessableEntity || fieldOf(out, "query") == "" {
			t.Errorf("?%.20s: %d %v", raw, res.StatusCode, out)
		}
	}
	for _, p := range []string{"/api/v1/items/%ff", "/api/v1/items/" + strings.Repeat("Z", 300), "/api/v1/cases/a%00b", "/admin/staff/%ff"} {
		if res, _ := c.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%.40s: %d, want 404", p, res.StatusCode)
		}
	}
	// A good query still works, Chinese included.
	if res, out := c.api("GET", "/api/v1/items?q="+url.QueryEscape("户口"), ""); res.StatusCode != http.StatusOK {
		t.Errorf("a good query: %d %v", res.StatusCode, out)
	}
}

// TestInvalidDatesInFiltersAreRefused: an audit filter by a date that is
// not one is an error, not an unfiltered list.
func TestInvalidDatesInFiltersAreRefused(t *testing.T) {
	f := newFixture(t)
	c := f.login("admin")
	for _, q := range []string{"from=2026-02-30", "to=yesterday", "from=2026-13-01", "to=2026-1-1"} {
		field, _, _ := strings.Cut(q, "=")
		res, out := c.api("GET", "/api/v1/audit?"+q, "")
		if res.StatusCode != http.StatusUnprocessableEntity || fieldOf(out, field) == "" {
			t.Errorf("%s: %d %v", q, res.StatusCode, out)
		}
		if res, body := c.get("/admin/audit?" + q); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "YYYY-MM-DD") {
			t.Errorf("page %s: %d", q, res.StatusCode)
		}
	}
	if res, out := c.api("GET", "/api/v1/audit?from=2026-01-01&to=2026-12-31", ""); res.StatusCode != http.StatusOK {
		t.Errorf("good dates: %d %v", res.StatusCode, out)
	}
}

// TestBadHeadersNeverBreak: headers are input too. A huge or garbled
// session cookie, bearer token, language or forwarding header is a visitor
// without a session, a bad token or the default language — never a 500.
func TestBadHeadersNeverBreak(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("x", 50000)
	for _, h := range []struct{ name, value string }{
		{"Cookie", "onestop_session=" + long},
		{"Cookie", "onestop_session=%ff%fe; lang=" + long},
		{"Authorization", "Bearer " + long},
		{"Authorization", "Bearer ost_\xff\xfe"},
		{"Accept-Language", long},
		{"Accept-Language", "\xff\xfe;q=2"},
		{"X-Forwarded-For", long},
		{"X-Forwarded-Proto", long},
		{"X-CSRF-Token", long},
	} {
		for _, p := range []string{"/", "/guide", "/api/v1/me", "/api/v1/items", "/login", "/workbench"} {
			req, _ := http.NewRequest(http.MethodGet, f.ts.URL+p, nil)
			req.Header.Set(h.name, h.value)
			if strings.HasPrefix(p, "/api/") {
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatalf("%s with %s: %v", p, h.name, err)
			}
			res.Body.Close()
			if res.StatusCode >= 500 {
				t.Errorf("%s with a bad %s header: %d", p, h.name, res.StatusCode)
			}
		}
	}
}
