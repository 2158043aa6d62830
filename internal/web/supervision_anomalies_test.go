package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"onestop/internal/cases"
	"onestop/internal/clock"
	"onestop/internal/demo"
)

func init() {
	// Issue 12: supervisors and leaders read the anomalies and the rules;
	// only the supervisor resolves and changes a rule.
	both, sup := []string{"supervisor", "leader"}, []string{"supervisor"}
	filters := []string{"rule", "severity", "department", "status", "from", "to"}
	filterParams["GET /supervision/anomalies"] = filters
	filterParams["GET /api/v1/supervision/anomalies"] = filters
	for p, who := range map[string][]string{
		"GET /supervision/anomalies":                      both,
		"GET /supervision/anomalies/{id}":                 both,
		"POST /supervision/anomalies/{id}/resolve":        sup,
		"GET /supervision/rules":                          both,
		"POST /supervision/rules/{code}":                  sup,
		"GET /api/v1/supervision/anomalies":               both,
		"GET /api/v1/supervision/anomalies/{id}":          both,
		"POST /api/v1/supervision/anomalies/{id}/resolve": sup,
		"GET /api/v1/supervision/rules":                   both,
		"PUT /api/v1/supervision/rules/{code}":            sup,
	} {
		expected[p] = who
	}
	// The readers of anomalies are county-wide: in the one-county scope
	// fixture every anomaly is theirs. Another county's anomaly answers 404
	// (TestAnomaliesStopAtTheCounty); a rule is the county's one
	// configuration, not a record of anyone's scope.
	for _, p := range []string{"GET /supervision/anomalies/{id}", "POST /supervision/anomalies/{id}/resolve", "GET /api/v1/supervision/anomalies/{id}",
		"POST /api/v1/supervision/anomalies/{id}/resolve", "POST /supervision/rules/{code}", "PUT /api/v1/supervision/rules/{code}"} {
		scopeRoutes[p] = kNone
	}
}

// lateAcceptance receives a case and accepts it six working days later
// through the pages: the witness the services register raises T06.
func lateAcceptance(t *testing.T, cf *caseFixture) string {
	t.Helper()
	clerk := cf.login("clerk")
	start := cf.clock()
	no := cf.intake(clerk, "T-001", 1, 2)
	cal, err := cases.Calendar(context.Background(), cf.db.Read())
	if err != nil {
		t.Fatal(err)
	}
	day6, _ := cal.Deadline(clock.Today(start), 6)
	cf.set(at(day6.String()))
	cf.mustAct(cf.login("clerk"), no, cases.ActAccept, nil) // a new session: the first one idled out
	cf.set(start)
	return no
}

func firstItem(t *testing.T, out map[string]any) map[string]any {
	t.Helper()
	items, _ := out["items"].([]any)
	if len(items) == 0 {
		t.Fatalf("no items: %v", out)
	}
	return items[0].(map[string]any)
}

// A late acceptance at the window shows on the supervisor's and the
// leader's lists and pages with its explanation and the events that raised
// it; the leader may not resolve it, the supervisor resolves it with a
// note (on the audit log), once.
func TestAnomaliesListedAndResolved(t *testing.T) {
	cf := newCaseFixture(t)
	no := lateAcceptance(t, cf)
	sup, leader := cf.login("supervisor"), cf.login("leader")

	res, out := sup.api("GET", "/api/v1/supervision/anomalies?rule=T06&status=open", "")
	if res.StatusCode != http.StatusOK || out["total"] != float64(1) {
		t.Fatalf("list: %d %v", res.StatusCode, out)
	}
	x := firstItem(t, out)
	if x["case_no"] != no || x["severity"] != "warning" || x["group"] != "time" || fmt.Sprint(x["events"]) != "[1 2]" {
		t.Fatalf("anomaly: %v", x)
	}
	id := int64(x["id"].(float64))
	if _, out := sup.api("GET", "/api/v1/supervision/anomalies?rule=T01", ""); out["total"] != float64(0) {
		t.Fatalf("filter by rule: %v", out)
	}
	if _, out := leader.api("GET", fmt.Sprintf("/api/v1/supervision/anomalies?department=%d", cf.idOf(`SELECT department_id FROM staff WHERE username = 'tclerk'`)), ""); out["total"] != float64(0) {
		t.Fatalf("filter by another department: %v", out)
	}

	_, page := leader.get("/supervision/anomalies")
	if !strings.Contains(page, no) || !strings.Contains(page, "窗口在申请人最后一次提交材料后") || !strings.Contains(page, "/cases/"+no) {
		t.Fatalf("list page lacks the case, its link or the explanation")
	}
	_, page = leader.get(fmt.Sprintf("/supervision/anomalies/%d", id))
	if !strings.Contains(page, `data-testid="anomaly-events"`) || strings.Count(page, "<li value=") != 2 || strings.Contains(page, `data-testid="resolve"`) {
		t.Fatalf("the leader's page: events or form wrong")
	}
	_, page = sup.get(fmt.Sprintf("/supervision/anomalies/%d?lang=en", id))
	if !strings.Contains(page, "The window accepted more working days") {
		t.Fatalf("English explanation missing")
	}

	path := fmt.Sprintf("/api/v1/supervision/anomalies/%d/resolve", id)
	if res, _ := leader.api("POST", path, `{"note":"已督促"}`); res.StatusCode != http.StatusForbidden {
		t.Fatalf("leader resolves: %d", res.StatusCode)
	}
	if res, out := sup.api("POST", path, `{"note":"  "}`); res.StatusCode != http.StatusUnprocessableEntity || out["error"].(map[string]any)["fields"].(map[string]any)["note"] == nil {
		t.Fatalf("empty note: %d %v", res.StatusCode, out)
	}
	if res, out := sup.api("POST", path, `{"note":"`+strings.Repeat("长", 50000)+`"}`); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("50,000-character note: %d %v", res.StatusCode, out)
	}
	res, out = sup.api("POST", path, `{"note":"已约谈窗口负责人"}`)
	if res.StatusCode != http.StatusOK || out["status"] != "resolved" || out["resolve_note"] != "已约谈窗口负责人" || out["resolved_by"] == "" {
		t.Fatalf("resolve: %d %v", res.StatusCode, out)
	}
	if res, _ := sup.api("POST", path, `{"note":"再次"}`); res.StatusCode != http.StatusConflict {
		t.Fatalf("resolved twice: %d", res.StatusCode)
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM audit_log WHERE entity = 'anomaly' AND action = 'resolve' AND entity_id = $1`, fmt.Sprint(id)); n != 1 {
		t.Fatalf("resolutions on the audit log: %d", n)
	}
	// Resolving through the page, after the same refusal rules.
	no2 := lateAcceptance(t, cf)
	id2 := cf.idOf(`SELECT a.id FROM anomalies a JOIN cases c ON c.id = a.case_id WHERE c.no = $1 AND a.rule = 'T06'`, no2)
	sup.get(fmt.Sprintf("/supervision/anomalies/%d", id2))
	if res, page := sup.post(fmt.Sprintf("/supervision/anomalies/%d/resolve", id2), url.Values{"note": {""}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `aria-invalid="true"`) {
		t.Fatalf("page, empty note: %d", res.StatusCode)
	}
	if res, _ := sup.post(fmt.Sprintf("/supervision/anomalies/%d/resolve", id2), url.Values{"note": {"已整改"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("page resolve: %d", res.StatusCode)
	}
	if _, out := sup.api("GET", "/api/v1/supervision/anomalies?status=open", ""); out["total"] != float64(0) {
		t.Fatalf("open after resolving both: %v", out)
	}
}

// The supervisor changes a rule through the API and the page; every
// change is on the audit log with before and after. Nobody else may, and
// a threshold that is not a whole number in range is a field error that
// changes nothing.
func TestAnomalyRulesConfiguredBySupervisorOnly(t *testing.T) {
	cf := newCaseFixture(t)
	sup := cf.login("supervisor")
	threshold := func() int64 { return cf.idOf(`SELECT threshold FROM anomaly_rules WHERE code = 'T06'`) }

	for _, u := range []string{"leader", "clerk", "admin", "deptadmin"} {
		if res, _ := cf.login(u).api("PUT", "/api/v1/supervision/rules/T06", `{"threshold":3}`); res.StatusCode != http.StatusForbidden {
			t.Fatalf("%s changes a rule: %d", u, res.StatusCode)
		}
	}
	if res, _ := cf.login("leader").post("/supervision/rules/T06", url.Values{"threshold": {"3"}, "enabled": {"on"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("leader's form: %d", res.StatusCode)
	}
	for _, body := range []string{`{"threshold":-1}`, `{"threshold":0}`, `{"threshold":61}`, `{"threshold":` + strings.Repeat("9", 50000) + `}`,
		`{"threshold":"` + strings.Repeat("9", 50000) + `"}`, `{"threshold":2.5}`} {
		res, out := sup.api("PUT", "/api/v1/supervision/rules/T06", body)
		if res.StatusCode != http.StatusUnprocessableEntity || out["error"].(map[string]any)["fields"].(map[string]any)["threshold"] == nil {
			t.Fatalf("%.40s: %d %v", body, res.StatusCode, out)
		}
	}
	if res, _ := sup.api("PUT", "/api/v1/supervision/rules/T02", `{"threshold":3}`); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("threshold on a rule without one: %d", res.StatusCode)
	}
	if res, _ := sup.api("PUT", "/api/v1/supervision/rules/"+strings.Repeat("X", 300), `{"enabled":false}`); res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown rule: %d", res.StatusCode)
	}
	if res, page := sup.get("/supervision/rules"); res.StatusCode != http.StatusOK || !strings.Contains(page, `data-testid="rule-T06"`) ||
		!strings.Contains(page, "窗口在申请人最后一次提交材料后") {
		t.Fatalf("the supervisor's rules page: %d", res.StatusCode)
	}
	if res, page := cf.login("leader").get("/supervision/rules"); res.StatusCode != http.StatusOK || strings.Contains(page, `data-testid="rule-T06"`) {
		t.Fatalf("the leader's rules page offers a form: %d", res.StatusCode)
	}
	res, page := sup.post("/supervision/rules/T06", url.Values{"threshold": {"abc"}, "enabled": {"on"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `aria-invalid="true"`) {
		t.Fatalf("form with abc: %d", res.StatusCode)
	}
	if threshold() != 5 || cf.idOf(`SELECT COUNT(*) FROM audit_log WHERE entity = 'anomaly_rule'`) != 0 {
		t.Fatal("a refused change changed the rule or wrote the log")
	}

	res, out := sup.api("PUT", "/api/v1/supervision/rules/T06", `{"threshold":3}`)
	if res.StatusCode != http.StatusOK || out["threshold"] != float64(3) || out["enabled"] != true {
		t.Fatalf("set: %d %v", res.StatusCode, out)
	}
	var before, after string
	if err := cf.db.R.QueryRow(`SELECT before, after FROM audit_log WHERE entity = 'anomaly_rule' AND entity_id = 'T06'`).Scan(&before, &after); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(before, `"threshold":5`) || !strings.Contains(after, `"threshold":3`) {
		t.Fatalf("audit before %s after %s", before, after)
	}
	sup.get("/supervision/rules")
	if res, _ := sup.post("/supervision/rules/T02", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch off by the form: %d", res.StatusCode)
	}
	_, out = cf.login("leader").api("GET", "/api/v1/supervision/rules", "")
	for _, it := range out["items"].([]any) {
		r := it.(map[string]any)
		if r["code"] == "T02" && r["enabled"] != false {
			t.Fatalf("T02 still on: %v", r)
		}
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM audit_log WHERE entity = 'anomaly_rule'`); n != 2 {
		t.Fatalf("audit entries: %d", n)
	}
}

// Every filter is checked: a value that names nothing is a field error,
// never an unfiltered list.
func TestAnomalyFiltersChecked(t *testing.T) {
	f := newFixture(t)
	sup := f.login("supervisor")
	for _, q := range []string{"rule=X99", "severity=purple", "status=gone", "from=2026-13-01", "to=yesterday", "department=abc",
		"rule=" + strings.Repeat("T", 50000)} {
		res, _ := sup.api("GET", "/api/v1/supervision/anomalies?"+q, "")
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("%.30s: %d", q, res.StatusCode)
		}
	}
	if res, _ := sup.get("/supervision/anomalies?severity=purple"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("page with a bad filter: %d", res.StatusCode)
	}
	if res, _ := sup.get("/supervision/anomalies?rule=T06&severity=warning&status=open&from=2026-01-01&to=2026-12-31"); res.StatusCode != http.StatusOK {
		t.Fatalf("page with good filters: %d", res.StatusCode)
	}
}

// In a province's database a county's supervisor and leader read their
// county's anomalies only: another county's answers 404 and stays out of
// the list, and cannot be resolved; a province-wide account reads both.
func TestAnomaliesStopAtTheCounty(t *testing.T) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	if err := demo.EnsureProvince(ctx, cf.db, 431022, 2, nil); err != nil {
		t.Fatal(err)
	}
	home := lateAcceptance(t, cf)
	away := cf.intake(cf.login("clerk"), "T-001", 1, 2)
	awayHall := cf.idOf(`SELECT id FROM centres WHERE kind = 'hall' AND region_code = '430121'`)
	if _, err := cf.db.W.Exec(`UPDATE cases SET centre_id = $1 WHERE no = $2`, awayHall, away); err != nil {
		t.Fatal(err)
	}
	if _, err := cf.db.W.Exec(`INSERT INTO anomalies (case_id, department_id, centre_id, rule, severity, fact_key, raised_at)
		SELECT id, department_id, centre_id, 'T02', 'warning', '2026-10-09', $1 FROM cases WHERE no = $2`, cf.clock(), away); err != nil {
		t.Fatal(err)
	}
	awayID := cf.idOf(`SELECT a.id FROM anomalies a JOIN cases c ON c.id = a.case_id WHERE c.no = $1`, away)
	homeID := cf.idOf(`SELECT a.id FROM anomalies a JOIN cases c ON c.id = a.case_id WHERE c.no = $1`, home)
	for _, u := range []string{"supervisor", "leader"} {
		c := cf.login(u)
		if res, _ := c.api("GET", fmt.Sprintf("/api/v1/supervision/anomalies/%d", homeID), ""); res.StatusCode != http.StatusOK {
			t.Fatalf("%s: own county's anomaly: %d", u, res.StatusCode)
		}
		for _, p := range []string{"/api/v1/supervision/anomalies/%d", "/supervision/anomalies/%d"} {
			if res, _ := c.get(fmt.Sprintf(p, awayID)); res.StatusCode != http.StatusNotFound {
				t.Fatalf("%s: another county's anomaly %s: %d, want 404", u, p, res.StatusCode)
			}
		}
		if _, out := c.api("GET", "/api/v1/supervision/anomalies", ""); out["total"] != float64(1) || firstItem(t, out)["case_no"] != home {
			t.Fatalf("%s: list %v", u, out)
		}
	}
	if res, _ := cf.login("supervisor").api("POST", fmt.Sprintf("/api/v1/supervision/anomalies/%d/resolve", awayID), `{"note":"越权"}`); res.StatusCode != http.StatusNotFound {
		t.Fatalf("resolving another county's: %d", res.StatusCode)
	}
	if n := cf.idOf(`SELECT COUNT(*) FROM anomalies WHERE status = 'resolved'`); n != 0 {
		t.Fatal("another county's anomaly was resolved")
	}
	if _, err := cf.db.W.Exec(`UPDATE staff SET scope = 'province' WHERE username = 'leader'`); err != nil {
		t.Fatal(err)
	}
	_, out := cf.login("leader").api("GET", "/api/v1/supervision/anomalies", "")
	if out["total"] != float64(2) {
		t.Fatalf("province-wide leader: %v", out)
	}

}
