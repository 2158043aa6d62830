package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Acceptance modes (issue 14 §3): who reaches the routes, and the whole
// flow through the pages a clerk, a reviewer and a catalogue admin use.
func init() {
	itemManagers := []string{"admin", "deptadmin"}
	for p, who := range map[string][]string{
		"GET /admin/items/{code}/modes":  itemManagers,
		"POST /admin/items/{code}/modes": itemManagers,
		"GET /verifications":             {"reviewer", "approver"},
		"POST /verifications/{no}":       {"reviewer", "approver"},
		"POST /cases/{no}/supply":        {"clerk", "tclerk"},
		"POST /my/cases/{no}/supply":     public,
	} {
		expected[p] = who
	}
	scopeRoutes["GET /admin/items/{code}/modes"] = kItem
	scopeRoutes["POST /admin/items/{code}/modes"] = kItem
	scopeRoutes["POST /verifications/{no}"] = kCase
	scopeRoutes["POST /cases/{no}/supply"] = kCase
	scopeRoutes["POST /my/cases/{no}/supply"] = kMyCase
}

// modesSettings is the settings form for T-001: the ID copy may be replaced
// by a commitment (verified 10 working days after approval) or owed for 3
// working days.
func modesSettings() url.Values {
	return url.Values{"commitment": {"on"}, "replaced": {"身份证件"}, "verify_days": {"10"}, "terms": {"申请人无故意犯罪记录。"},
		"lenient": {"on"}, "minor": {"身份证件"}, "supply_days": {"3"}, "margin": {"2"}}
}

func TestModesSettingsForm(t *testing.T) {
	cf := newCaseFixture(t)
	admin := cf.login("deptadmin")
	admin.get("/admin/items/T-001/modes")
	bad := modesSettings()
	bad.Set("supply_days", "21")
	res, body := admin.post("/admin/items/T-001/modes", bad)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "补齐期限须为 1 至 20 个工作日") {
		t.Fatalf("21 days: %d %s", res.StatusCode, problemOf(body))
	}
	if _, card := cf.anon().get("/guide/items/T-001"); strings.Contains(card, `data-testid="item-modes"`) {
		t.Fatal("a refused setting shows on the public card")
	}
	// A 50,000-character terms text is refused, not stored.
	long := modesSettings()
	long.Set("terms", strings.Repeat("承", 50000))
	if res, _ := admin.post("/admin/items/T-001/modes", long); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("long terms: %d", res.StatusCode)
	}
	// Without the session's CSRF token nothing is saved.
	forged := modesSettings()
	forged.Set("csrf_token", "forged")
	if res, _ := admin.post("/admin/items/T-001/modes", forged); res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged: %d", res.StatusCode)
	}
	if res, body := admin.post("/admin/items/T-001/modes", modesSettings()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, problemOf(body))
	}
	_, card := cf.anon().get("/guide/items/T-001")
	if !strings.Contains(card, `data-testid="item-commitment"`) || !strings.Contains(card, "免交：身份证件") || !strings.Contains(card, "3 个工作日内补齐") {
		t.Fatalf("public card lacks the modes")
	}
}

func TestModesThroughThePages(t *testing.T) {
	cf := newCaseFixture(t)
	admin, clerk, reviewer, approver := cf.login("deptadmin"), cf.login("clerk"), cf.login("reviewer"), cf.login("approver")
	admin.get("/admin/items/T-001/modes")
	if res, body := admin.post("/admin/items/T-001/modes", modesSettings()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, problemOf(body))
	}
	intake := func(mode string, materials ...string) (*http.Response, string) {
		clerk.get("/workbench/intake")
		form := url.Values{"id_number": {appNumber}, "item": {"T-001"}, "mode": {mode}}
		for _, m := range materials {
			form.Set("m"+m+"_paper", "on")
		}
		return clerk.post("/workbench/intake", form)
	}
	caseOf := func(res *http.Response, body string) string {
		t.Helper()
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/cases/") {
			t.Fatalf("intake: %d %s", res.StatusCode, problemOf(body))
		}
		no, _, _ := strings.Cut(strings.TrimPrefix(loc, "/cases/"), "?")
		return no
	}

	// 容缺: accepted without the ID copy; the acceptance notice names it
	// and its deadline (Sep 28 + 3 working days across National Day).
	lenient := caseOf(intake("lenient", "1"))
	cf.mustAct(clerk, lenient, "accept", nil)
	if _, doc := clerk.get("/cases/" + lenient + "/documents/acceptance"); !strings.Contains(doc, "本申请容缺受理，须于 2026-10-08 前补齐：身份证件") {
		t.Fatalf("acceptance notice lacks the owed materials")
	}
	body, v := cf.casePage(clerk, lenient)
	if !strings.Contains(body, `data-testid="supply-form"`) {
		t.Fatal("no supply form")
	}
	if res, body := clerk.post("/cases/"+lenient+"/supply", url.Values{"version": {v}, "m2_paper": {"on"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("supply: %d %s", res.StatusCode, problemOf(body))
	}
	if body, _ := cf.casePage(clerk, lenient); !strings.Contains(body, `data-testid="supplied"`) {
		t.Fatal("not shown as supplied")
	}

	// 告知承诺: the commitment document carries the conditions and the
	// liability; the acceptance notice says the mode.
	no := caseOf(intake("commitment", "1"))
	if _, doc := clerk.get("/cases/" + no + "/documents/commitment"); !strings.Contains(doc, "申请人无故意犯罪记录。") || !strings.Contains(doc, `data-testid="doc-liability"`) {
		t.Fatal("commitment document lacks the terms or the liability")
	}
	cf.mustAct(clerk, no, "accept", nil)
	if _, doc := clerk.get("/cases/" + no + "/documents/acceptance"); !strings.Contains(doc, "本申请按告知承诺方式受理") {
		t.Fatal("acceptance notice lacks the mode")
	}
	cf.mustAct(reviewer, no, "forward", url.Values{"opinion": {"承诺完整"}})
	cf.mustAct(approver, no, "approve", url.Values{"opinion": {"同意"}})
	_, list := reviewer.get("/verifications")
	if !strings.Contains(list, `data-no="`+no+`"`) {
		t.Fatal("verification not listed")
	}
	// Without a reason a revocation is refused, in words, and nothing changes.
	if res, body := reviewer.post("/verifications/"+no, url.Values{"outcome": {"false"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="err"`) {
		t.Fatalf("no reason: %d", res.StatusCode)
	}
	if res, _ := reviewer.post("/verifications/"+no, url.Values{"outcome": {"false"}, "reason": {"有犯罪记录"}, "csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("forged: %d", res.StatusCode)
	}
	if res, body := reviewer.post("/verifications/"+no, url.Values{"outcome": {"false"}, "reason": {"经核查有故意犯罪记录"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", res.StatusCode, problemOf(body))
	}
	_, doc := clerk.get("/cases/" + no + "/documents/revocation")
	if !strings.Contains(doc, "经核查有故意犯罪记录") || !strings.Contains(doc, "六十日内依法申请行政复议") {
		t.Fatal("revocation decision lacks the reasons or the remedies")
	}
	// The next commitment is refused at the window, with the credit mark
	// shown to the clerk.
	res, body := intake("commitment", "1")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "曾作出虚假承诺") || !strings.Contains(body, `data-testid="credit-marks"`) {
		t.Fatalf("credit-marked applicant: %d %s", res.StatusCode, problemOf(body))
	}
}

// Supervision sees the acceptance modes apart (issue 14 §3): the live
// monitor's drill-down narrows to cases accepted under one mode, page and
// API alike; a mode that does not exist is a field error, never "all".
func TestLiveDrillDownByMode(t *testing.T) {
	cf := newCaseFixture(t)
	admin, clerk := cf.login("deptadmin"), cf.login("clerk")
	admin.get("/admin/items/T-001/modes")
	if res, body := admin.post("/admin/items/T-001/modes", modesSettings()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, problemOf(body))
	}
	intake := func(mode string) string {
		t.Helper()
		clerk.get("/workbench/intake")
		form := url.Values{"id_number": {appNumber}, "item": {"T-001"}, "m1_paper": {"on"}}
		if mode != "" {
			form.Set("mode", mode)
		} else {
			form.Set("m2_paper", "on")
		}
		res, body := clerk.post("/workbench/intake", form)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/cases/") {
			t.Fatalf("intake %q: %d %s", mode, res.StatusCode, problemOf(body))
		}
		no, _, _ := strings.Cut(strings.TrimPrefix(loc, "/cases/"), "?")
		return no
	}
	plain, lenient, commitment := intake(""), intake("lenient"), intake("commitment")
	dept := cf.idOf(`SELECT department_id FROM staff WHERE username = 'clerk'`)
	sup := cf.login("supervisor")
	group := fmt.Sprintf("/supervision/live/department/%d", dept)
	for mode, want := range map[string]string{"": "", "lenient": lenient, "commitment": commitment} {
		res, page := sup.get(group + "?mode=" + mode)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("mode %q: %d %s", mode, res.StatusCode, problemOf(page))
		}
		for _, no := range []string{plain, lenient, commitment} {
			if shown := strings.Contains(page, `href="/cases/`+no+`"`); shown != (want == "" || no == want) {
				t.Errorf("mode %q: case %s shown %v", mode, no, shown)
			}
		}
		_, out := sup.api(http.MethodGet, "/api/v1"+group+"?mode="+mode, "")
		if n := out["total"]; (want == "" && n != float64(3)) || (want != "" && n != float64(1)) {
			t.Errorf("API mode %q: total %v", mode, n)
		}
	}
	if res, page := sup.get(group + "?mode=everything"); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "受理方式只能是") {
		t.Errorf("unknown mode: %d %s", res.StatusCode, problemOf(page))
	}
	if res, _ := sup.api(http.MethodGet, "/api/v1"+group+"?mode="+strings.Repeat("x", 50000), ""); res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusRequestURITooLong {
		t.Errorf("50,000-character mode: %d", res.StatusCode)
	}
}
