package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"onestop/internal/applicants"
	"onestop/internal/disclosure"
)

func init() {
	for p, who := range map[string][]string{
		"GET /my/disclosure-requests/new":          public,
		"POST /my/disclosure-requests":             public,
		"GET /my/disclosure-requests":              public,
		"GET /my/disclosure-requests/{no}":         public,
		"POST /my/disclosure-requests/{no}/supply": public,
		"GET /my/disclosure-requests/{no}/receipt": public,
		"GET /my/disclosure-requests/{no}/reply":   public,
		"GET /disclosure-requests":                 signedIn,
		"GET /disclosure-requests/new":             signedIn,
		"POST /disclosure-requests":                signedIn,
		"GET /disclosure-requests/{no}":            signedIn,
		"POST /disclosure-requests/{no}/{action}":  signedIn,
		"GET /disclosure-requests/{no}/receipt":    signedIn,
		"GET /disclosure-requests/{no}/reply":      signedIn,
		"GET /supervision/disclosure-requests":     {"admin", "supervisor", "leader"},
		"GET /api/v1/disclosure/requests":          signedIn,
		"GET /api/v1/disclosure/requests/{no}":     signedIn,
	} {
		expected[p] = who
		// Scope is the explicit organ grant (disclosure.AccessTo) and, on
		// the portal, the request's own applicant: both are proved by
		// TestDisclosureRequestPages below and internal/disclosure/request.
		if strings.Contains(p, "{") {
			scopeRoutes[p] = kNone
		}
	}
	filterParams["GET /disclosure-requests"] = []string{"organ", "status"}
	filterParams["GET /api/v1/disclosure/requests"] = []string{"organ", "status", "overdue"}
}

var drNoRE = regexp.MustCompile(`data-testid="dr-no">(GK-\d{8}-\d{4})<`)

// discFixture is the case fixture with the organs, the clerk as officer
// and the approver as head of the clerk's department's office.
func newDiscFixture(t *testing.T) (*caseFixture, int64) {
	cf := newCaseFixture(t)
	ctx := context.Background()
	admin, _ := cf.srv.Org.StaffByUsername(ctx, "admin")
	a := admin.Actor("192.0.2.1")
	if err := disclosure.EnsureOrgans(ctx, cf.db, cf.clock(), a.County()); err != nil {
		t.Fatal(err)
	}
	clerk, _ := cf.srv.Org.StaffByUsername(ctx, "clerk")
	approver, _ := cf.srv.Org.StaffByUsername(ctx, "approver")
	var organ int64
	if err := cf.db.R.QueryRow(`SELECT id FROM disclosure_organs WHERE department_id = $1`, clerk.DepartmentID).Scan(&organ); err != nil {
		t.Fatal(err)
	}
	for id, d := range map[int64]disclosure.Duty{clerk.ID: disclosure.Officer, approver.ID: disclosure.Head} {
		if err := disclosure.Grant(ctx, cf.db, cf.clock(), a, organ, id, d); err != nil {
			t.Fatal(err)
		}
	}
	return cf, organ
}

// The whole request on the web: filed on the portal, confirmed, a
// supplement asked and supplied, extended by the head, answered, read by
// the requester — and every stranger kept out.
func TestDisclosureRequestPages(t *testing.T) {
	cf, organ := newDiscFixture(t)
	cf.set(at("2026-09-30"))
	app := cf.applicant()
	app.get("/my/disclosure-requests/new")
	form := url.Values{"organ_id": {itoa(organ)}, "applicant_type": {"person"}, "name": {"王小明"}, "id_number": {appNumber}, "phone": {appPhone},
		"content": {"请公开本部门2025年行政许可办理情况。"}, "form": {"electronic"}}
	// A missing description is a field error on the form, nothing filed.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("content", "")
	if res, body := app.post("/my/disclosure-requests", bad); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="err"`) {
		t.Fatalf("no content: %d", res.StatusCode)
	}
	res, _ := app.post("/my/disclosure-requests", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("file: %d", res.StatusCode)
	}
	_, page := app.get(res.Header.Get("Location"))
	m := drNoRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no number on %s", page)
	}
	no := m[1]

	// Another applicant reads "not found"; so does a reviewer with no grant.
	as := &applicants.Service{DB: cf.db, Now: cf.clock}
	if _, err := as.Register(context.Background(), applicants.Input{Kind: "citizen", IDNumber: "110101199003070011", Name: "李四", Phone: "13900139000", Password: "abcd12345"}, true); err != nil {
		t.Fatal(err)
	}
	other := cf.anon()
	other.get("/signin")
	other.post("/signin", url.Values{"id_number": {"110101199003070011"}, "password": {"abcd12345"}})
	for _, p := range []string{"/my/disclosure-requests/" + no, "/my/disclosure-requests/" + no + "/reply"} {
		if res, _ := other.get(p); res.StatusCode != http.StatusNotFound {
			t.Fatalf("another applicant reads %s: %d", p, res.StatusCode)
		}
	}
	if res, _ := other.post("/my/disclosure-requests/"+no+"/supply", url.Values{"text": {"冒充"}}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("another applicant supplies: %d", res.StatusCode)
	}
	reviewer := cf.login("reviewer")
	if res, _ := reviewer.get("/disclosure-requests/" + no); res.StatusCode != http.StatusNotFound {
		t.Fatalf("reviewer without a grant: %d", res.StatusCode)
	}
	supervisor := cf.login("supervisor")
	if res, _ := supervisor.get("/disclosure-requests/" + no); res.StatusCode != http.StatusOK {
		t.Fatalf("supervisor reads: %d", res.StatusCode)
	}
	if res, _ := supervisor.post("/disclosure-requests/"+no+"/confirm", nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("supervisor confirms: %d", res.StatusCode)
	}

	clerk := cf.login("clerk")
	if res, _ := clerk.post("/disclosure-requests/"+no+"/confirm", url.Values{"csrf_token": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("confirm without the CSRF token: %d", res.StatusCode)
	}
	step := func(c *client, action string, form url.Values) {
		t.Helper()
		c.get("/disclosure-requests/" + no)
		if res, body := c.post("/disclosure-requests/"+no+"/"+action, form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", action, res.StatusCode, body)
		}
	}
	// The office registers a posted request: a signing day after today is
	// a field error; a reviewer without a grant cannot register at all.
	clerk.get("/disclosure-requests/new?organ=" + itoa(organ))
	posted := url.Values{"channel": {"post"}, "received_on": {"2026-10-01"}}
	for k, v := range form {
		posted[k] = v
	}
	posted.Del("csrf_token") // the applicant's, set on form when it was posted
	posted.Set("form", "paper")
	posted.Set("address", "湖南省某县人民路1号")
	if res, body := clerk.post("/disclosure-requests", posted); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "签收日期不能晚于今天") {
		t.Fatalf("a posted request signed for tomorrow: %d", res.StatusCode)
	}
	reviewer.get("/disclosure-requests/new")
	posted.Set("received_on", "2026-09-29")
	posted.Del("csrf_token")
	if res, _ := reviewer.post("/disclosure-requests", posted); res.StatusCode != http.StatusNotFound {
		t.Fatalf("a reviewer registers: %d", res.StatusCode)
	}
	posted.Del("csrf_token")
	if res, _ := clerk.post("/disclosure-requests", posted); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/disclosure-requests/GK-") {
		t.Fatalf("register a posted request: %d", res.StatusCode)
	}
	step(clerk, "confirm", nil)
	step(clerk, "supplement", url.Values{"what": {"请写明许可事项名称。"}, "due_on": {"2026-10-16"}})
	cf.set(at("2026-10-09"))
	// Sessions lapse over nine days: both sign in again.
	app, clerk = cf.applicant(), cf.login("clerk")
	app.get("/my/disclosure-requests/" + no)
	if res, _ := app.post("/my/disclosure-requests/"+no+"/supply", url.Values{"text": {"建设工程规划许可。"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("supply: %d", res.StatusCode)
	}
	// An officer cannot extend; the head can.
	clerk.get("/disclosure-requests/" + no)
	if res, _ := clerk.post("/disclosure-requests/"+no+"/extend", url.Values{"days": {"10"}, "reason": {"调档"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("officer extends: %d", res.StatusCode)
	}
	step(cf.login("approver"), "extend", url.Values{"days": {"10"}, "reason": {"需调取历年档案。"}})
	// A reply missing its contents comes back with the field's error.
	clerk.get("/disclosure-requests/" + no)
	if res, body := clerk.post("/disclosure-requests/"+no+"/reply", url.Values{"type": {"2"}, "outcome": {"open"}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `class="err"`) {
		t.Fatalf("reply without text: %d", res.StatusCode)
	}
	step(clerk, "reply", url.Values{"type": {"2"}, "outcome": {"open"}, "text": {"见附件：2025年建设工程规划许可办理情况表。"}})
	_, page = app.get("/my/disclosure-requests/" + no + "/reply")
	for _, want := range []string{"2025年建设工程规划许可办理情况表", "60日内", "6个月内"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the reply notice lacks %q", want)
		}
	}
	// Received 30 September, supplied 9 October: 20 + 10 working days from the 9th.
	if _, page = app.get("/my/disclosure-requests/" + no); !strings.Contains(page, `data-outcome="open"`) || !strings.Contains(page, `data-due="2026-11-19"`) {
		t.Fatalf("the requester's page: %s", page)
	}
	// Closed: nothing more can happen to it.
	clerk.get("/disclosure-requests/" + no)
	if res, _ := clerk.post("/disclosure-requests/"+no+"/conclude", url.Values{"outcome": {"other"}, "reason": {"撤回"}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("a closed request concluded again: %d", res.StatusCode)
	}
	// The API needs an organ: no value is never "all".
	if res, _ := clerk.api("GET", "/api/v1/disclosure/requests", ""); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("API list without an organ: %d", res.StatusCode)
	}
	if res, out := clerk.api("GET", "/api/v1/disclosure/requests?organ="+itoa(organ), ""); res.StatusCode != http.StatusOK || !strings.Contains(fmt.Sprint(out), no) {
		t.Fatalf("API list: %d %v", res.StatusCode, out)
	}
	if res, _ := cf.login("reviewer").api("GET", "/api/v1/disclosure/requests?organ="+itoa(organ), ""); res.StatusCode != http.StatusNotFound {
		t.Fatalf("API list for a reviewer without a grant: %d", res.StatusCode)
	}
}
