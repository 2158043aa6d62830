package web_test

import (
	"fmt"
	"net/http"
	"onestop/internal/web"
	"slices"
	"strings"
	"testing"
)

// users are the demo accounts, one per role, plus a township centre's admin
// and clerk (whose scope is their township), and "" for a visitor.
var users = []string{"", "admin", "township", "clerk", "tclerk", "reviewer", "approver", "deptadmin", "supervisor", "leader"}

var (
	public     = users
	signedIn   = users[1:]
	hallAdmin  = []string{"admin"}
	centreAdm  = []string{"admin", "township"}
	orgAdmins  = []string{"admin", "township", "deptadmin"}
	readers    = []string{"admin", "township", "deptadmin", "supervisor", "leader"}
	caseWorker = []string{"clerk", "tclerk", "reviewer", "approver"}
)

// expected is written by hand from the rules, not derived from the
// server's own route table, so a wrong rule in the code fails here.
var expected = map[string][]string{
	"GET /healthz":            public,
	"GET /{$}":                public,
	"GET /login":              public,
	"POST /login":             public,
	"POST /logout":            public,
	"GET /account/password":   signedIn,
	"POST /account/password":  signedIn,
	"GET /account/tokens":     signedIn,
	"POST /account/tokens":    signedIn,
	"GET /api/v1/me":          signedIn,
	"GET /admin/audit":        readers,
	"GET /api/v1/audit":       readers,
	"GET /register":           public,
	"POST /register":          public,
	"GET /signin":             public,
	"POST /signin":            public,
	"POST /signout":           public,
	"GET /me":                 public,
	"GET /applicants":         signedIn,
	"GET /api/v1/applicants":  signedIn,
	"POST /api/v1/applicants": caseWorker,

	// Issue 10: one's own API tokens, name and phone.
	"POST /account/tokens/{id}/revoke": signedIn,
	"GET /account":                     signedIn,
	"POST /account":                    signedIn,
	"PUT /api/v1/me":                   signedIn,
}

func init() {
	// The organisation's five kinds of record: who reads, creates, edits,
	// and retires each (docs/DOMAIN.md §1, issue 2 point 6).
	org := map[string]struct{ read, create, edit, retire []string }{
		"regions":     {signedIn, hallAdmin, hallAdmin, hallAdmin},
		"centres":     {signedIn, hallAdmin, centreAdm, hallAdmin},
		"departments": {signedIn, hallAdmin, []string{"admin", "deptadmin"}, hallAdmin},
		"windows":     {signedIn, centreAdm, centreAdm, centreAdm},
		"staff":       {readers, orgAdmins, orgAdmins, orgAdmins},
	}
	for name, r := range org {
		b, a := "/admin/"+name, "/api/v1/"+name
		expected["GET "+b] = r.read
		expected["GET "+b+"/{key}"] = r.read
		expected["GET "+b+"/new"] = r.create
		expected["POST "+b] = r.create
		expected["POST "+b+"/{key}"] = r.edit
		expected["POST "+b+"/{key}/retire"] = r.retire
		expected["GET "+a] = r.read
		expected["GET "+a+"/{key}"] = r.read
		expected["POST "+a] = r.create
		expected["PUT "+a+"/{key}"] = r.edit
		expected["POST "+a+"/{key}/retire"] = r.retire
	}
}

// TestRoleRouteMatrix tries every role against every route and asserts
// allow or deny. Reads use records the county admin can see; changes use an
// id that does not exist, so an allowed role gets "not found" or a
// validation error and nothing changes, while a denied one gets 403.
func TestRoleRouteMatrix(t *testing.T) {
	f := newFixture(t)
	clerkWindow := f.idOf(`SELECT window_id FROM staff WHERE username = 'clerk'`)
	keys := map[string]string{
		"regions":     "431022",
		"centres":     fmt.Sprint(f.idOf(`SELECT centre_id FROM staff WHERE username = 'clerk'`)),
		"departments": fmt.Sprint(f.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)),
		"windows":     fmt.Sprint(clerkWindow),
		"staff":       fmt.Sprint(f.idOf(`SELECT id FROM staff WHERE username = 'clerk'`)),
	}
	routes := f.srv.Routes()
	for _, r := range routes {
		if _, ok := expected[r.Pattern]; !ok {
			t.Errorf("route %q has no expectation in this test: add it", r.Pattern)
		}
	}
	for p := range expected {
		if !slices.ContainsFunc(routes, func(r web.RouteT) bool { return r.Pattern == p }) {
			t.Errorf("expected route %q is not registered", p)
		}
	}
	clients := map[string]*client{}
	for _, u := range users {
		if u == "" {
			clients[u] = f.anon()
		} else {
			clients[u] = f.login(u)
		}
	}
	var last []string // session-ending routes run after all others
	for _, r := range routes {
		if r.Pattern == "POST /logout" {
			last = append(last, r.Pattern)
			continue
		}
		check(t, clients, keys, r.Pattern)
	}
	for _, p := range last {
		check(t, clients, keys, p)
	}
}

func check(t *testing.T, clients map[string]*client, keys map[string]string, pattern string) {
	method, path, _ := strings.Cut(pattern, " ")
	path = strings.TrimSuffix(path, "{$}")
	if strings.Contains(path, "{key}") {
		name := strings.Split(strings.TrimPrefix(strings.TrimPrefix(path, "/admin/"), "/api/v1/"), "/")[0]
		key := keys[name]
		if method != http.MethodGet || key == "" {
			key = "999999"
		}
		path = strings.Replace(path, "{key}", key, 1)
	}
	// The live monitor's groups: /supervision/live/{by}/{key}.
	path = strings.Replace(path, "{by}", "department", 1)
	for _, u := range users {
		c := clients[u]
		var res *http.Response
		switch {
		case method == http.MethodGet:
			res, _ = c.get(path)
		case strings.HasPrefix(path, "/api/"):
			res, _ = c.api(method, path, "{}")
		default:
			res, _ = c.post(path, nil)
		}
		allowed := slices.Contains(expected[pattern], u)
		denied := res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized ||
			(res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login?"))
		if res.StatusCode >= 500 {
			t.Errorf("%s as %q: status %d", pattern, u, res.StatusCode)
		}
		if allowed && denied {
			t.Errorf("%s as %q: denied (%d), want allowed", pattern, u, res.StatusCode)
		}
		if !allowed && !denied {
			t.Errorf("%s as %q: allowed (%d), want denied", pattern, u, res.StatusCode)
		}
	}
}
