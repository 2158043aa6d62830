package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"onestop/internal/testutil"
)

// replicaRoutes are the routes whose reads may come from the replica,
// written by hand: each is a GET that shows nothing its user has just
// changed. A route added to them, or taken off, must change this list.
var replicaRoutes = []string{
	"GET /supervision/live", "GET /supervision/live/{by}/{key}", "GET /supervision/wall",
	"GET /api/v1/supervision/live", "GET /api/v1/supervision/live/{by}/{key}",
	"GET /supervision/anomalies", "GET /api/v1/supervision/anomalies",
	"GET /supervision/bulletin.xlsx", "GET /api/v1/supervision/bulletin", "GET /supervision/dashboard",
	"GET /open/bulletins", "GET /api/v1/open/bulletins",
	"GET /guide", "GET /guide/items/{code}", "GET /guide/items/{code}/print", "GET /guide/items/{code}/qr.png",
	"GET /guide/items/{code}/versions", "GET /guide/bundles/{code}",
	"GET /api/v1/items", "GET /api/v1/items/{code}", "GET /api/v1/items/{code}/versions",
	"GET /publicity", "GET /api/v1/open/publicity",
	"GET /gk", "GET /gk/organs/{id}", "GET /gk/entries/{id}",
	"GET /api/v1/disclosure/entries", "GET /api/v1/disclosure/entries/{id}", "GET /open/disclosure/reports/{id}",
}

// primaryRoutes must read from the primary: a user sees them right after
// changing something (the page a POST redirects to, the case, the inbox,
// forms), or they sign people in.
var primaryRoutes = []string{
	"GET /cases/{no}", "GET /api/v1/cases/{no}", "GET /workbench", "GET /workbench/intake", "GET /login", "GET /{$}",
	"GET /supervision/anomalies/{id}", "GET /supervision/rules", "GET /supervision/bulletin",
	"GET /open/bulletins/{id}", "GET /admin/items/{code}", "GET /api/v1/progress", "GET /healthz",
	"GET /disclosure/entries/{id}", "GET /disclosure/reports/{id}",
}

// The choice is explicit and exactly the list above: only GET routes, and
// none of the read-your-own-write pages.
func TestReplicaRoutesAreChosen(t *testing.T) {
	f := newFixture(t)
	var got, all []string
	for _, r := range f.srv.Routes() {
		all = append(all, r.Pattern)
		if r.Replica {
			got = append(got, r.Pattern)
			if !strings.HasPrefix(r.Pattern, "GET ") {
				t.Errorf("%s reads from the replica but is not a GET", r.Pattern)
			}
		}
	}
	want := slices.Clone(replicaRoutes)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("replica routes:\n got %v\nwant %v", got, want)
	}
	for _, p := range primaryRoutes {
		if !slices.Contains(all, p) {
			t.Errorf("%s is not a route (the list is stale)", p)
		}
		if slices.Contains(got, p) {
			t.Errorf("%s must read from the primary", p)
		}
	}
}

// On a real primary and standby (pg_basebackup, scripts/test): a change made
// through the app shows on the replica-routed item API once replayed, and
// not before (replay paused) while the write's own answer, from the
// primary, has it; with the standby stopped the same page is answered by
// the primary, /healthz and /metrics say so, and the replica is used again
// once it is back.
func TestReplicaPagesOnRealStandby(t *testing.T) {
	sb := testutil.NeedStandby(t)
	ctx := context.Background()
	f := newFixture(t)
	// Location is the test database's URL (it has no password to hide).
	rep, err := f.db.OpenReplica(ctx, sb.URL(t, f.db.Location), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	standby := rep.Pool()
	var code string
	if err := f.db.R.QueryRowContext(ctx, `SELECT code FROM items WHERE status = 'in_force' ORDER BY id LIMIT 1`).Scan(&code); err != nil {
		t.Fatal(err)
	}
	anon := f.anon()
	status := func() string {
		t.Helper()
		res, out := anon.api("GET", "/api/v1/items/"+code, "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /api/v1/items/%s: %d", code, res.StatusCode)
		}
		s, _ := out["status"].(string)
		return s
	}
	eventually := func(want string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			st := rep.Check(ctx)
			if st.InUse && status() == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the replica-routed page never showed %q (replica %+v)", want, st)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	health := func() map[string]any {
		t.Helper()
		res, body := anon.get("/healthz")
		var h struct {
			Replica map[string]any `json:"replica"`
		}
		if res.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &h) != nil || h.Replica == nil {
			t.Fatalf("/healthz: %d %s", res.StatusCode, body)
		}
		return h.Replica
	}

	eventually("in_force") // the demo county replayed
	if h := health(); h["in_use"] != true {
		t.Fatalf("/healthz replica: %v, want in use", h)
	}
	if _, err := standby.ExecContext(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	admin := f.login("admin")
	res, out := admin.api("POST", "/api/v1/items/"+code+"/status", `{"status":"suspended","reason":"系统升级"}`)
	if res.StatusCode != http.StatusOK || out["status"] != "suspended" {
		t.Fatalf("suspend through the app: %d %v", res.StatusCode, out)
	}
	reads0, _ := rep.Counts()
	if got := status(); got != "in_force" {
		t.Fatalf("replica-routed page with replay paused = %q, want the standby's in_force", got)
	}
	if reads, _ := rep.Counts(); reads <= reads0 {
		t.Fatal("the replica-routed page was not answered by the replica")
	}
	if _, err := standby.ExecContext(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	eventually("suspended")

	// Stopped: the page still answers, from the primary.
	sb.Stop(t)
	stopped := true
	defer func() {
		if stopped {
			sb.Start(t)
		}
	}()
	res, _ = admin.api("POST", "/api/v1/items/"+code+"/status", `{"status":"in_force","reason":""}`)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("back in force: %d", res.StatusCode)
	}
	_, fb0 := rep.Counts()
	if got := status(); got != "in_force" {
		t.Fatalf("with the standby stopped the page = %q, want the primary's in_force", got)
	}
	if _, fb := rep.Counts(); fb <= fb0 {
		t.Fatal("no fallback counted with the standby stopped")
	}
	rep.Check(ctx)
	if h := health(); h["in_use"] != false || h["reason"] != "down" || h["fallback"] != "primary" {
		t.Fatalf("/healthz replica with the standby stopped: %v", h)
	}
	res, body := anon.get("/metrics")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `onestop_replica_in_use{reason="down"} 0`) {
		t.Fatalf("/metrics with the standby stopped: %d, no onestop_replica_in_use{reason=\"down\"} 0", res.StatusCode)
	}
	sb.Start(t)
	stopped = false
	eventually("in_force")
	if h := health(); h["in_use"] != true {
		t.Fatalf("/healthz replica after restart: %v", h)
	}
}
