package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onestop/internal/calendar"
	"onestop/internal/demo"
	"onestop/internal/tally"
)

func init() {
	expected["GET /api/v1/supervision/bulletin"] = []string{"supervisor", "leader"}
}

// The bulletin API in a province database of two counties: each county's
// supervisor and leader read their own county's figures with the stable
// field names; another county (by filter or not), other roles and bad
// parameters are refused and nothing is served.
func TestBulletinAPI(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if err := demo.EnsureProvince(ctx, f.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	// Figures added as the witness would, one department of each county.
	add := func(county string, n int) {
		dept := f.idOf(`SELECT MIN(id) FROM departments WHERE region_code = $1`, county)
		hall := f.idOf(`SELECT id FROM centres WHERE region_code = $1 AND kind = 'hall'`, county)
		k := tally.Key{Day: calendar.MustParseDate("2026-11-03"), DepartmentID: dept, CentreID: hall}
		if err := tally.Add(ctx, f.db.W, k, map[tally.Column]int{tally.Received: n, tally.ReceivedOnline: 1, tally.Accepted: n,
			tally.Completed: 2, tally.OnTime: 1, tally.Overdue: 1, tally.UsedDays: 7, tally.PromisedDays: 10}); err != nil {
			t.Fatal(err)
		}
	}
	add("431022", 4)
	add("430121", 40)
	const path = "/api/v1/supervision/bulletin?from=2026-11-01&to=2026-11-30&by="
	sup := f.login("supervisor")
	res, out := sup.api("GET", path+"department", "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("supervisor: %d %v", res.StatusCode, out)
	}
	items, _ := out["items"].([]any)
	if len(items) != 1 || out["total"] != float64(1) {
		t.Fatalf("items %v", out)
	}
	row := items[0].(map[string]any)
	for k, v := range map[string]any{"received": 4.0, "accepted": 4.0, "completed": 2.0, "overdue": 1.0, "on_time_rate": 0.5,
		"completion_rate": 0.5, "online_rate": 0.25, "avg_working_days": 3.5, "avg_promised_days": 5.0, "deemed_accepted": 0.0,
		"deemed_approved": 0.0, "anomalies": 0.0, "orders": 0.0, "rank": 1.0} {
		if row[k] != v {
			t.Errorf("%s = %v, want %v", k, row[k], v)
		}
	}
	if v, ok := row["satisfaction_rate"]; !ok || v != nil {
		t.Errorf("satisfaction_rate %v %v", v, ok)
	}
	if _, ok := row["prev"]; !ok {
		t.Error("no prev")
	}
	if s, _ := out["summary"].(map[string]any); s == nil || s["received"] != 4.0 {
		t.Errorf("summary %v", out["summary"])
	}
	// The other county's supervisor sees 40, never 44.
	other := f.login("c430121.supervisor")
	if res, out := other.api("GET", path+"county", ""); res.StatusCode != http.StatusOK || out["summary"].(map[string]any)["received"] != 40.0 {
		t.Fatalf("other county: %d %v", res.StatusCode, out)
	}
	for name, c := range map[string]struct {
		who, query string
		status     int
		field      string
	}{
		"other county by filter": {"supervisor", path + "county&county=430121", http.StatusForbidden, ""},
		"first county by filter": {"c430121.supervisor", path + "county&county=431022", http.StatusForbidden, ""},
		"leader of other county": {"c430121.leader", path + "department&county=431022", http.StatusForbidden, ""},
		"clerk":                  {"clerk", path + "department", http.StatusForbidden, ""},
		"centre admin":           {"admin", path + "department", http.StatusForbidden, ""},
		"bad grouping":           {"supervisor", path + "cases", http.StatusUnprocessableEntity, "by"},
		"no grouping":            {"leader", path, http.StatusUnprocessableEntity, "by"},
		"no period":              {"supervisor", "/api/v1/supervision/bulletin?by=department", http.StatusUnprocessableEntity, "from"},
		"not a day":              {"supervisor", "/api/v1/supervision/bulletin?from=2026-13-01&to=2026-11-30&by=department", http.StatusUnprocessableEntity, "from"},
		"backwards":              {"supervisor", "/api/v1/supervision/bulletin?from=2026-11-30&to=2026-11-01&by=department", http.StatusUnprocessableEntity, "to"},
		"two years":              {"supervisor", "/api/v1/supervision/bulletin?from=2025-01-01&to=2026-11-30&by=department", http.StatusUnprocessableEntity, "to"},
		"50,000 characters":      {"supervisor", path + "county&county=" + strings.Repeat("4", 50000), http.StatusUnprocessableEntity, "county"},
		"wildcard county":        {"supervisor", path + "county&county=" + url.QueryEscape("43%"), http.StatusUnprocessableEntity, "county"},
	} {
		res, out := f.login(c.who).api("GET", c.query, "")
		if res.StatusCode != c.status {
			t.Errorf("%s: %d %v", name, res.StatusCode, out)
			continue
		}
		if _, leaked := out["items"]; leaked {
			t.Errorf("%s: figures served with a refusal", name)
		}
		if c.field != "" {
			e, _ := out["error"].(map[string]any)
			if fs, _ := e["fields"].(map[string]any); fs[c.field] == nil {
				t.Errorf("%s: no problem with %s: %v", name, c.field, out)
			}
		}
	}
}
